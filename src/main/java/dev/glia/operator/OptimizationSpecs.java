package dev.glia.operator;

import dev.glia.control.CanaryEngines;
import dev.glia.control.RolloutMode;
import dev.glia.control.RolloutSettings;
import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import dev.glia.research.Objective;
import dev.glia.research.Optimization;
import dev.glia.research.ResearchBudget;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import dev.glia.vllm.exec.Hardware;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a GliaOptimization's spec means to the operator: the rollout settings, the research request, the router's
 * admin URL, and what this operator cannot do with it (a {@link Problem} naming the field), checked before anything
 * runs. The CRD schema has refused wrong types and ranges already; these are the semantic checks.
 */
final class OptimizationSpecs {
    /** A field the operator cannot act on, with a CamelCase reason and a message that names it. */
    record Problem(String reason, String message) {
    }

    private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");
    private static final Duration CANARY_DURATION = Duration.ofMinutes(15);

    private OptimizationSpecs() {
    }

    static RolloutSettings settings(GliaOptimizationSpec spec, Duration routerRetry) {
        GliaOptimizationSpec.Rollout r = spec.rollout == null ? new GliaOptimizationSpec.Rollout() : spec.rollout;
        RolloutMode mode = r.mode == null ? RolloutMode.MANUAL : switch (r.mode) {
            case MANUAL -> RolloutMode.MANUAL;
            case AUTO -> RolloutMode.AUTO;
            case GITOPS -> RolloutMode.GITOPS;
        };
        return new RolloutSettings(mode, CanaryEngines.count(r.canaryEngines == null ? 1 : r.canaryEngines),
                r.canaryShare == null ? 0.25 : r.canaryShare, duration(r.canaryDuration, CANARY_DURATION),
                RolloutSettings.OnTimeout.ROLL_BACK, routerRetry, 2);
    }

    /** The problems that stop this operator from acting on {@code spec}, each naming its field; empty when none. */
    static List<Problem> problems(GliaOptimizationSpec spec) {
        return problems(spec, false);
    }

    /**
     * The problems that stop this operator from acting on {@code spec}, each naming its field; empty when none.
     *
     * @param jobs whether this operator runs research Jobs (it knows their image)
     */
    static List<Problem> problems(GliaOptimizationSpec spec, boolean jobs) {
        List<Problem> out = new ArrayList<>();
        if (spec.target == null || spec.target.router == null
                || (spec.target.router.url == null) == (spec.target.router.service == null)) {
            out.add(new Problem("RouterTargetMissing", "spec.target.router: give exactly one of service and url"));
        }
        GliaOptimizationSpec.Research research = spec.research;
        boolean inProcess = research != null && Boolean.TRUE.equals(research.inProcess);
        if (!inProcess && !jobs) {
            out.add(new Problem("JobModeNotSupported", "spec.research.inProcess: false asks for a research Job, which"
                    + " this operator does not run (it has no research image: --research-image or GLIA_RESEARCH_IMAGE);"
                    + " set spec.research.inProcess: true"));
        }
        if ((inProcess || !jobs) && research != null && research.strategy != null
                && research.strategy != GliaOptimizationSpec.Strategy.TUNER) {
            out.add(new Problem("StrategyNotSupported", "spec.research.strategy: " + research.strategy.name()
                    .toLowerCase(Locale.ROOT) + " needs an LLM, which in-process research does not use yet; use tuner"));
        }
        scenarioProblems(spec, out);
        canaryProblems(spec, out);
        componentProblems(spec, out);
        if (spec.objective == null || spec.objective.statistic == null) {
            out.add(new Problem("ObjectiveMissing", "spec.objective.statistic: required"));
        } else {
            try {
                objective(spec.objective);
            } catch (RuntimeException e) {
                out.add(new Problem("ObjectiveInvalid", "spec.objective: " + e.getMessage()));
            }
        }
        return out;
    }

    /** The components {@code spec.components} asks to design: router unless it is false, the others when true. */
    static List<String> components(GliaOptimizationSpec.Components c) {
        List<String> out = new ArrayList<>();
        if (c == null || !Boolean.FALSE.equals(c.router)) {
            out.add("router");
        }
        if (c != null && Boolean.TRUE.equals(c.batchPriority)) {
            out.add("batchPriority");
        }
        if (c != null && Boolean.TRUE.equals(c.autoscaler)) {
            out.add("autoscaler");
        }
        return out;
    }

    /** The one component research designs; call only when {@link #problems} found none. */
    static String component(GliaOptimizationSpec spec) {
        return components(spec.components).get(0);
    }

    /**
     * One component per optimisation (a candidate is one policy, rolled out as one GliaPolicy), and an autoscaler
     * needs a scenario that autoscales (its interval, cold start and bounds are part of what is simulated): a bundled
     * one with an autoscaling section, or a composed one, which takes spec.autoscaling's.
     */
    private static void componentProblems(GliaOptimizationSpec spec, List<Problem> out) {
        List<String> components = components(spec.components);
        if (components.isEmpty()) {
            out.add(new Problem("ComponentMissing", "spec.components: nothing to design; set one of router,"
                    + " batchPriority and autoscaler to true"));
        } else if (components.size() > 1) {
            out.add(new Problem("ComponentNotSupported", "spec.components: " + String.join(" and ", components)
                    + " are asked for, but a GliaOptimization designs one component (its candidate is one policy);"
                    + " create one GliaOptimization per component, e.g. components: {router: false, autoscaler: true}"
                    + " (router is true unless set false)"));
        } else if (components.get(0).equals("autoscaler")) {
            // a fitted or trace scenario is composed with spec.autoscaling's section (ScenarioComposer.autoscaled);
            // a bundled one must have its own: its name is all a research Job is given
            GliaOptimizationSpec.Scenario scenario = spec.scenario;
            if (scenario != null && scenario.source == GliaOptimizationSpec.ScenarioSource.SYNTHETIC
                    && scenario.synthetic != null && scenario.synthetic.name != null) {
                try {
                    if (ScenarioLoader.load(scenario.synthetic.name).autoscaling() == null) {
                        out.add(new Problem("ScenarioHasNoAutoscaling", "spec.scenario.synthetic.name: "
                                + scenario.synthetic.name + " has no autoscaling section, so there is no autoscaler"
                                + " to design; pick one that autoscales, e.g. glia-sinusoid-autoscale"));
                    }
                } catch (RuntimeException e) {
                    // scenarioProblems names an unknown scenario
                }
            }
        }
    }

    /**
     * What stops this operator from simulating {@code spec.scenario}: a synthetic scenario that is not bundled, a
     * source without its section, a window that is not a duration, hardware the catalog does not know.
     */
    private static void scenarioProblems(GliaOptimizationSpec spec, List<Problem> out) {
        GliaOptimizationSpec.Scenario scenario = spec.scenario == null ? new GliaOptimizationSpec.Scenario()
                : spec.scenario;
        GliaOptimizationSpec.ScenarioSource source = scenario.source == null
                ? GliaOptimizationSpec.ScenarioSource.FROM_METRICS : scenario.source;
        switch (source) {
            case SYNTHETIC -> {
                if (scenario.synthetic == null || scenario.synthetic.name == null) {
                    out.add(new Problem("ScenarioMissing", "spec.scenario.synthetic: source synthetic needs the"
                            + " bundled scenario's name (glia scenarios lists them)"));
                    return;
                }
                try {
                    ScenarioLoader.load(scenario.synthetic.name);
                } catch (RuntimeException e) {
                    out.add(new Problem("UnknownScenario", "spec.scenario.synthetic.name: " + e.getMessage()));
                }
                return;
            }
            case TRACE -> {
                if (scenario.trace == null || scenario.trace.name == null || scenario.trace.key == null) {
                    out.add(new Problem("ScenarioMissing", "spec.scenario.trace: source trace needs the ConfigMap"
                            + " key holding the trace ({name, key}; CSV arrived_at,num_prefill_tokens,"
                            + "num_decode_tokens)"));
                }
            }
            case FROM_METRICS -> {
                if (spec.target == null || spec.target.prometheus == null || spec.target.prometheus.url == null) {
                    out.add(new Problem("PrometheusTargetMissing", "spec.target.prometheus.url: source fromMetrics"
                            + " fits the workload from this Prometheus; give its URL"));
                }
                try {
                    duration(scenario.window, Duration.ofHours(1));
                } catch (IllegalArgumentException e) {
                    out.add(new Problem("WindowInvalid", "spec.scenario.window: " + e.getMessage()));
                }
            }
        }
        ScenarioComposer.Cluster c = ScenarioComposer.Cluster.of(scenario, null);
        if (!Hardware.gpus().containsKey(c.gpu())) {
            out.add(new Problem("UnknownHardware", "spec.scenario.hardware.gpu: unknown gpu '" + c.gpu() + "'; known: "
                    + String.join(", ", Hardware.gpus().keySet())));
        }
        if (!Hardware.models().containsKey(c.model())) {
            out.add(new Problem("UnknownHardware", "spec.scenario.hardware.model: unknown model '" + c.model()
                    + "'; known: " + String.join(", ", Hardware.models().keySet())));
        }
    }

    /**
     * What stops the canary's verdict from deciding as {@code spec.rollout} asks: a duration that is none, a slice
     * Prometheus cannot step by, or fewer slices before the deadline than the verdict needs. The operator's own
     * slice ({@code --canary-slice-seconds}) is not checked here: a spec that does not choose one is taken as before.
     */
    private static void canaryProblems(GliaOptimizationSpec spec, List<Problem> out) {
        GliaOptimizationSpec.Rollout r = spec.rollout == null ? new GliaOptimizationSpec.Rollout() : spec.rollout;
        Duration canary;
        try {
            canary = duration(r.canaryDuration, CANARY_DURATION);
        } catch (IllegalArgumentException e) {
            out.add(new Problem("CanaryDurationInvalid", "spec.rollout.canaryDuration: " + e.getMessage()));
            return;
        }
        String given = r.verdict == null ? null : r.verdict.sliceDuration;
        if (given == null) {
            return;
        }
        Duration slice;
        try {
            slice = duration(given, null);
        } catch (IllegalArgumentException e) {
            out.add(new Problem("SliceDurationInvalid", "spec.rollout.verdict.sliceDuration: " + e.getMessage()));
            return;
        }
        String canaryText = r.canaryDuration == null ? "15m" : r.canaryDuration;
        int minSlices = CanarySpecs.minSlices(spec);
        if (slice.toMillis() % 1000 != 0) {
            // Prometheus' range step and the increase() window are whole seconds here
            out.add(new Problem("SliceDurationInvalid", "spec.rollout.verdict.sliceDuration: " + given + " is not a"
                    + " whole number of seconds; use e.g. 30s"));
        } else if (slice.compareTo(canary) > 0) {
            out.add(new Problem("SliceDurationTooLong", "spec.rollout.verdict.sliceDuration: " + given + " is longer"
                    + " than spec.rollout.canaryDuration (" + canaryText + "), so the canary ends before its first"
                    + " slice; shorten sliceDuration or lengthen canaryDuration"));
        } else if (slice.multipliedBy(minSlices).compareTo(canary) > 0) {
            out.add(new Problem("VerdictCannotDecide", "spec.rollout.verdict.minSlices: " + minSlices + " slices of "
                    + given + " do not fit in spec.rollout.canaryDuration (" + canaryText + "), so the verdict could"
                    + " never decide and every canary would be rolled back at its deadline (InsufficientSamples);"
                    + " lower minSlices, shorten sliceDuration or lengthen canaryDuration to at least "
                    + slice.multipliedBy(minSlices).toSeconds() + "s"));
        }
    }

    /** The research {@code spec} asks for on its bundled scenario; call only when {@link #problems} found none. */
    static ResearchSessions.Request request(GliaOptimizationSpec spec, int fullSeeds, int screenSeeds) {
        Scenario scenario = ScenarioLoader.load(spec.scenario.synthetic.name);
        if (spec.scenario.duration != null) {
            scenario = scenario.withDuration(spec.scenario.duration);
        }
        return request(spec, scenario, fullSeeds, screenSeeds);
    }

    /**
     * The research {@code spec} asks for on {@code scenario} (the bundled one, or the one the operator composed from a
     * trace or fitted from live metrics, its duration already {@code spec.scenario.duration}).
     */
    static ResearchSessions.Request request(GliaOptimizationSpec spec, Scenario scenario, int fullSeeds,
            int screenSeeds) {
        GliaOptimizationSpec.Budgets b = spec.research.budgets == null ? new GliaOptimizationSpec.Budgets()
                : spec.research.budgets;
        ResearchBudget budget = new ResearchBudget(b.simulations == null ? 200 : b.simulations,
                b.dollars == null ? 5 : b.dollars, duration(b.wallClock, Duration.ofHours(1)).toMillis() / 1000.0);
        return new ResearchSessions.Request(scenario, component(spec), objective(spec.objective), budget, fullSeeds,
                screenSeeds);
    }

    static Objective objective(GliaOptimizationSpec.Objective o) {
        return Objective.parse(objectiveText(o), Optimization.metrics());
    }

    /** The objective as {@code glia optimize --objective} reads it, e.g. {@code minimize e2e.p90 subject to ttft.p90 <= 1.5}. */
    static String objectiveText(GliaOptimizationSpec.Objective o) {
        StringBuilder text = new StringBuilder(o.goal == GliaOptimizationSpec.Goal.MAXIMIZE ? "maximize " : "minimize ")
                .append(o.statistic);
        if (o.constraints != null && !o.constraints.isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (GliaOptimizationSpec.Constraint c : o.constraints) {
                if (c.max != null) {
                    parts.add(c.statistic + " <= " + c.max);
                }
                if (c.min != null) {
                    parts.add(c.statistic + " >= " + c.min);
                }
            }
            text.append(" subject to ").append(String.join(", ", parts));
        }
        return text.toString();
    }

    /** The router's admin API: {@code url}'s host at {@code adminPort}, or the Service's cluster DNS name. */
    static URI adminUrl(GliaOptimization o) {
        GliaOptimizationSpec.RouterTarget r = o.getSpec().target.router;
        int port = r.adminPort == null ? 8081 : r.adminPort;
        if (r.url != null) {
            URI u = URI.create(r.url);
            return URI.create(u.getScheme() + "://" + u.getHost() + ":" + port);
        }
        return URI.create("http://" + r.service + "." + o.getMetadata().getNamespace() + ".svc:" + port);
    }

    /** A Go-style duration (90s, 15m, 1h30m, 250ms), or {@code fallback} when absent. */
    static Duration duration(String text, Duration fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        Matcher m = DURATION.matcher(text);
        double millis = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            double v = Double.parseDouble(m.group(1));
            millis += v * switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1000;
                case "m" -> 60_000;
                default -> 3_600_000;
            };
            end = m.end();
        }
        if (end != text.length() || millis <= 0) {
            throw new IllegalArgumentException("not a duration: " + text);
        }
        return Duration.ofMillis(Math.round(millis));
    }
}
