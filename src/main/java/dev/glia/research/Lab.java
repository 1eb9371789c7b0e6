package dev.glia.research;

import dev.glia.policy.sandbox.PolicyRejected;
import dev.glia.sim.Experiment;
import dev.glia.sim.catalog.Artifacts;
import dev.glia.sim.catalog.PolicyCatalog;
import dev.glia.sim.catalog.PolicySet;
import dev.glia.sim.engine.PolicyFailure;
import dev.glia.sim.engine.Request;
import dev.glia.sim.metrics.Aggregate;
import dev.glia.sim.metrics.RunWriter;
import dev.glia.sim.scenario.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where a research session runs its experiments: one scenario, one component under study, and a
 * workspace where every run leaves its outputs ({@code runs/run-NNN/}) for analysis. Each
 * experiment is paid for in simulations before it starts; a candidate that fails to compile or
 * breaks the sandbox is recorded with the reason, and the session goes on.
 */
public final class Lab {
    /** A policy for the component under study: a catalog name or a .java path, and parameters. */
    public record Candidate(String label, String policy, Map<String, Double> parameters) {
        public Candidate {
            parameters = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(parameters));
        }

        /** A candidate labelled by its policy's file or reference name and its parameters: {@code HeadroomRouter(r=1, ...)}. */
        public static Candidate of(String policy, Map<String, Double> parameters) {
            StringBuilder s = new StringBuilder(policy.replaceFirst("^.*/", "").replaceFirst("\\.java$", ""));
            if (!parameters.isEmpty()) {
                s.append('(');
                new java.util.TreeMap<>(parameters).forEach((k, v) -> s.append(k).append('=')
                        .append(v == Math.rint(v) ? String.valueOf(v.longValue()) : String.valueOf(v)).append(", "));
                s.setLength(s.length() - 2);
                s.append(')');
            }
            return new Candidate(s.toString(), policy, parameters);
        }
    }

    /**
     * @param figures   mean and 90% CI of every figure, or null if the candidate failed
     * @param e2eSample sorted end-to-end latencies (a subsample of all seeds), for CDFs
     */
    public record Evaluation(int id, String runId, Candidate candidate, int seeds, Map<String, Aggregate.Stat> figures,
                             double[] e2eSample, Map<String, Object> observed, Path runDir, int simulationsAfter,
                             String failure) {
        public boolean failed() {
            return failure != null;
        }

        public double mean(String metric) {
            return figures.get(metric).mean();
        }
    }

    private final Scenario scenario;
    private final String component;
    private final Path workspace;
    private final Spend spend;
    private final int threads;
    private final List<Evaluation> history = new ArrayList<>();
    /** What each evaluation ran: the policy name, or for a file its path and the hash of its content. */
    private final List<String> fingerprints = new ArrayList<>();
    private final List<Consumer<Evaluation>> listeners = new ArrayList<>();

    public Lab(Scenario scenario, String component, Path workspace, Spend spend, int threads) {
        if (!List.of("router", "batchPriority", "autoscaler").contains(component)) {
            throw new IllegalArgumentException("component must be router, batchPriority or autoscaler, got " + component);
        }
        if (component.equals("autoscaler") && scenario.autoscaling() == null) {
            throw new IllegalArgumentException("scenario " + scenario.name() + " has no autoscaling section, so there "
                    + "is no autoscaler to optimise; pick a scenario such as glia-sinusoid-autoscale");
        }
        this.scenario = scenario;
        this.component = component;
        this.workspace = workspace;
        this.spend = spend;
        this.threads = threads;
    }

    public void onEvaluation(Consumer<Evaluation> listener) {
        listeners.add(listener);
    }

    public Scenario scenario() {
        return scenario;
    }

    public String component() {
        return component;
    }

    public Path workspace() {
        return workspace;
    }

    public Spend spend() {
        return spend;
    }

    /** The policy the scenario already uses for the component: the baseline. */
    public Candidate baselineCandidate() {
        Scenario.Policies p = scenario.policies();
        String name = switch (component) {
            case "router" -> p.router();
            case "batchPriority" -> p.batchPriority();
            default -> p.autoscaler() == null ? "throughput" : p.autoscaler();
        };
        return new Candidate(name, name, Map.of());
    }

    /** The scenario with the candidate in place of the component's policy (and without that policy's knobs). */
    public Scenario scenarioWith(Candidate c) {
        Scenario.Policies p = scenario.policies();
        Map<String, Double> kept = new java.util.TreeMap<>(p.parameters());
        String replaced = p.of(component);
        if (replaced != null && (replaced.endsWith(".java") || PolicyCatalog.references().containsKey(replaced))) {
            PolicyCatalog.source(replaced).parameters().forEach(x -> kept.remove(x.name()));
        }
        Scenario.Policies next = new Scenario.Policies(p.router(), p.batchPriority(), p.autoscaler(), kept)
                .with(component, c.policy(), Map.of());
        return scenario.withPolicies(next);
    }

    /**
     * Runs a candidate on seeds 0..seeds-1, after paying for them; the result is recorded either
     * way. An experiment already run is answered from the record.
     */
    public synchronized Evaluation evaluate(Candidate candidate, int seeds) {
        String fingerprint = fingerprint(candidate);
        for (int i = 0; i < history.size(); i++) {
            Evaluation done = history.get(i);
            if (fingerprints.get(i).equals(fingerprint) && done.candidate().parameters().equals(candidate.parameters())
                    && done.seeds() == seeds) {
                return done; // deterministic: the same experiment gives the same result, at no cost
            }
        }
        spend.simulations(seeds);
        int id = history.size() + 1;
        String runId = String.format(Locale.ROOT, "run-%03d", id);
        Path dir = workspace.resolve("runs").resolve(runId);
        Evaluation evaluation;
        try {
            Scenario s = scenarioWith(candidate);
            PolicySet policies = PolicySet.of(s, candidate.parameters());
            Experiment.Result result = new Experiment(s).run(seeds, policies.factories(), threads, n -> { });
            RunWriter.write(dir, result, policies.describe(), 1);
            evaluation = new Evaluation(id, runId, candidate, seeds, result.aggregate(), sample(result),
                    Artifacts.observed(result), dir, spend.simulationsUsed(), null);
        } catch (PolicyFailure | PolicyRejected | IllegalArgumentException e) {
            evaluation = new Evaluation(id, runId, candidate, seeds, null, new double[0], Map.of(), dir,
                    spend.simulationsUsed(), e.getMessage());
        }
        history.add(evaluation);
        fingerprints.add(fingerprint);
        for (Consumer<Evaluation> l : listeners) {
            l.accept(evaluation);
        }
        return evaluation;
    }

    private static String fingerprint(Candidate c) {
        Path file = Path.of(c.policy());
        if (c.policy().endsWith(".java") && Files.isRegularFile(file)) {
            try {
                return c.policy() + "@" + dev.glia.policy.sandbox.PolicySource.sha256(Files.readString(file));
            } catch (java.io.IOException e) {
                return c.policy() + "@unreadable";
            }
        }
        return c.policy();
    }

    /** Up to 4,000 end-to-end latencies spread evenly over all seeds' completed requests, sorted. */
    private static double[] sample(Experiment.Result result) {
        List<Request> all = new ArrayList<>();
        result.runs().forEach(r -> all.addAll(r.result().requests()));
        int step = Math.max(1, all.size() / 4000);
        double[] out = new double[(all.size() + step - 1) / step];
        int n = 0;
        for (int i = 0; i < all.size(); i += step) {
            Request r = all.get(i);
            if (r.state() == Request.State.DONE) {
                out[n++] = r.completedAt() - r.arrivalTime();
            }
        }
        double[] sorted = Arrays.copyOf(out, n);
        Arrays.sort(sorted);
        return sorted;
    }

    public synchronized List<Evaluation> history() {
        return List.copyOf(history);
    }

    public synchronized Optional<Evaluation> run(String runId) {
        return history.stream().filter(e -> e.runId().equals(runId)).findFirst();
    }

    /** The best successful evaluation with at least {@code minSeeds} seeds. */
    public synchronized Optional<Evaluation> best(Objective objective, int minSeeds) {
        return history.stream().filter(e -> !e.failed() && e.seeds() >= minSeeds)
                .min((a, b) -> Double.compare(objective.loss(a.figures()), objective.loss(b.figures())));
    }

    /** Figures of an evaluation as plain numbers, for tool results and transcripts. */
    public static Map<String, Object> brief(Evaluation e, Objective objective) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runId", e.runId());
        out.put("policy", e.candidate().policy());
        out.put("parameters", e.candidate().parameters());
        out.put("seeds", e.seeds());
        if (e.failed()) {
            out.put("failed", e.failure());
            return out;
        }
        Aggregate.Stat m = e.figures().get(objective.metric());
        out.put(objective.metric(), Map.of("mean", round(m.mean()), "ci90", List.of(round(m.lo()), round(m.hi()))));
        for (String k : List.of("e2e.mean", "e2e.p90", "ttft.p90", "queueDelay.mean", "restartedFraction", "slowdown.p95",
                "throughput", "gpuHours")) {
            if (!k.equals(objective.metric())) {
                out.put(k, round(e.figures().get(k).mean()));
            }
        }
        out.put("feasible", objective.feasible(e.figures()));
        return out;
    }

    static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v;
    }
}
