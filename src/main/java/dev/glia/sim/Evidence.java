package dev.glia.sim;

import dev.glia.policy.PolicyArtifact;
import dev.glia.policy.sandbox.PolicySource;
import dev.glia.sim.engine.Request;
import dev.glia.sim.metrics.Aggregate;
import dev.glia.sim.scenario.Scenario;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The evidence a {@link PolicyArtifact} carries, taken from experiments: the objective and the
 * secondary figures against the baseline, the tails, and the workload the runs saw. It lives with
 * the experiments it reads; reading and writing artifacts ({@code dev.glia.catalog.Artifacts})
 * does not need the simulator.
 */
public final class Evidence {
    private static final List<String> SECONDARY = List.of("e2e.mean", "e2e.p50", "e2e.p90", "e2e.p99", "ttft.mean",
            "ttft.p50", "ttft.p90", "ttft.p99", "queueDelay.mean", "slowdown.p95", "restartedFraction", "throughput",
            "gpuHours");

    /** Latency tails every evidence shows for candidate and baseline. */
    public static final List<String> TAILS = List.of("e2e.p50", "e2e.p90", "e2e.p99", "ttft.p50", "ttft.p90", "ttft.p99");

    /** A tail more than this much worse than the baseline's is a regression, whatever the objective. */
    private static final double TAIL_TOLERANCE = 1.10;

    private Evidence() {
    }

    public static PolicyArtifact artifact(PolicySource source, Map<String, Double> parameters, Scenario scenario,
                                          String baselineName, Experiment.Result baseline, Experiment.Result candidate,
                                          String metric, boolean maximize, String candidateName) {
        return artifact(source, parameters, scenario, baselineName, baseline.aggregate(), candidate.aggregate(),
                candidate.runs().stream().map(Experiment.SeedRun::seed).toList(), List.of(), observed(candidate), metric,
                maximize, candidateName);
    }

    /**
     * @param seeds           the seeds baseline and candidate were judged on
     * @param searchSeeds     the seeds the candidate was found on, if others (empty if none)
     * @param observed        what the runs' workload looked like (see {@link #observed}); goes into
     *                        {@code spec.workload.profile} with the scenario's arrival and length settings
     */
    public static PolicyArtifact artifact(PolicySource source, Map<String, Double> parameters, Scenario scenario,
                                          String baselineName, Map<String, Aggregate.Stat> baseline,
                                          Map<String, Aggregate.Stat> candidate, List<Long> seeds, List<Long> searchSeeds,
                                          Map<String, Object> observed, String metric, boolean maximize, String candidateName) {
        Aggregate.Stat b = baseline.get(metric);
        Aggregate.Stat c = candidate.get(metric);
        boolean better = maximize ? c.lo() > b.hi() : c.hi() < b.lo();
        Map<String, PolicyArtifact.Result> secondary = new LinkedHashMap<>();
        for (String key : SECONDARY) {
            if (!key.equals(metric)) {
                secondary.put(key + " (baseline)", result(baselineName, baseline.get(key)));
                secondary.put(key, result(candidateName, candidate.get(key)));
            }
        }
        PolicyArtifact.Evidence evidence = new PolicyArtifact.Evidence(metric, maximize ? "maximize" : "minimize",
                seeds, searchSeeds, result(baselineName, b), result(candidateName, c), round(c.mean() / b.mean()), better,
                secondary, tailRegressions(baseline, candidate));
        String name = (Path.of(candidateName).getFileName().toString().replaceFirst("\\.java$", "") + "-" + scenario.name())
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("-+", "-");
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("glia.dev/kind", source.kind().label());
        labels.put("glia.dev/scenario", scenario.name());
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("glia.dev/sha256", source.sha256());
        Map<String, Object> profile = new LinkedHashMap<>();
        Scenario.WorkloadSpec w = scenario.workload();
        if (w.trace() != null) {
            profile.put("trace", Path.of(w.trace().path()).getFileName().toString());
        } else {
            profile.put("arrivals", w.arrivals());
            profile.put("lengths", w.lengths());
        }
        if (w.inflation() != null) {
            profile.put("inflation", w.inflation());
        }
        profile.putAll(observed);
        profile.put("cluster", scenario.cluster());
        PolicyArtifact.Spec spec = new PolicyArtifact.Spec(source.kind().label(), source.className(),
                new LinkedHashMap<>(parameters), source.sha256(), source.source(), false,
                new PolicyArtifact.Workload(scenario.name(), scenario.description(), profile), evidence);
        return new PolicyArtifact(PolicyArtifact.API_VERSION, PolicyArtifact.KIND,
                new PolicyArtifact.Metadata(name, labels, annotations), spec);
    }

    /** What the runs' workload looked like: mean prompt and output tokens drawn, and the arrival rate. */
    public static Map<String, Object> observed(Experiment.Result result) {
        double prompt = 0;
        double output = 0;
        double span = 0;
        long n = 0;
        for (Experiment.SeedRun run : result.runs()) {
            for (Request r : run.result().requests()) {
                prompt += r.promptTokens();
                output += r.outputTokens();
                span = Math.max(span, r.arrivalTime());
                n++;
            }
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("meanPromptTokens", round(prompt / Math.max(1, n)));
        p.put("meanOutputTokens", round(output / Math.max(1, n)));
        p.put("requestsPerSecond", round(n / Math.max(1e-9, span * result.runs().size())));
        return p;
    }

    /** The tails the candidate makes more than 10% worse than the baseline's, in words. */
    public static List<String> tailRegressions(Map<String, Aggregate.Stat> baseline, Map<String, Aggregate.Stat> candidate) {
        List<String> out = new ArrayList<>();
        for (String tail : TAILS) {
            double b = baseline.get(tail).mean();
            double c = candidate.get(tail).mean();
            if (c > TAIL_TOLERANCE * b) {
                out.add(String.format(Locale.ROOT, "%s: %.2f s against the baseline's %.2f s (+%.0f%%)", tail, c, b,
                        100 * (c / b - 1)));
            }
        }
        return out;
    }

    private static PolicyArtifact.Result result(String policy, Aggregate.Stat s) {
        return new PolicyArtifact.Result(policy, round(s.mean()), List.of(round(s.lo()), round(s.hi())));
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v;
    }
}
