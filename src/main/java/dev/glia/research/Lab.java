package dev.glia.research;

import dev.glia.catalog.PolicyCatalog;
import dev.glia.catalog.Resources;
import dev.glia.policy.runtime.PolicyFailure;
import dev.glia.policy.sandbox.PolicyRejected;
import dev.glia.policy.sandbox.PolicySource;
import dev.glia.sim.ExperimentSummary;
import dev.glia.sim.IsolatedExperiments;
import dev.glia.sim.PolicySet;
import dev.glia.sim.engine.Request;
import dev.glia.sim.metrics.Aggregate;
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

    /** Consecutive workload seeds: the search's, or the held-out ones a winner is judged on. */
    public record Seeds(long first, int count) {
        public List<Long> list() {
            return java.util.stream.LongStream.range(first, first + count).boxed().toList();
        }

        @Override
        public String toString() {
            return count == 1 ? String.valueOf(first) : first + ".." + (first + count - 1);
        }
    }

    /**
     * @param by        who ran it: "baseline", a research context, "confirm", "held-out", ...
     * @param source    for a policy source, the copy of exactly what ran (under the run's folder)
     * @param sha256    that copy's hash
     * @param figures   mean and 90% CI of every figure, or null if the candidate failed
     * @param e2eSample sorted end-to-end latencies (a subsample of all seeds), for CDFs
     */
    public record Evaluation(int id, String runId, String by, Candidate candidate, Seeds seedSet, Path source,
                             String sha256, Map<String, Aggregate.Stat> figures, double[] e2eSample,
                             Map<String, Object> observed, Path runDir, int simulationsAfter, String failure) {
        public boolean failed() {
            return failure != null;
        }

        public int seeds() {
            return seedSet.count();
        }

        public boolean heldOut() {
            return "held-out".equals(by);
        }

        public double mean(String metric) {
            return figures.get(metric).mean();
        }

        /** The candidate as it ran: a policy file stands for its stored copy, so later edits cannot change it. */
        public Candidate asRun() {
            return source != null && candidate.policy().endsWith(".java")
                    ? new Candidate(candidate.label(), source.toString(), candidate.parameters()) : candidate;
        }
    }

    private final Scenario scenario;
    private final String component;
    private final Path workspace;
    private final Spend spend;
    private final int threads;
    private final List<Evaluation> history = new ArrayList<>();
    /** What each evaluation ran: the policy's name or source hash, its parameters and seeds. */
    private final List<String> fingerprints = new ArrayList<>();
    private final List<Consumer<Evaluation>> listeners = new ArrayList<>();
    /** Where candidates from the workspace run, or null to run everything in this JVM. */
    private IsolatedExperiments isolation;

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

    /**
     * Runs candidates whose source is a workspace file (what models write) in a child JVM with
     * heap, CPU and wall-clock limits and no environment; built-ins and bundled references stay in
     * this JVM.
     */
    public void isolate(IsolatedExperiments isolation) {
        this.isolation = isolation;
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

    /** The search's seeds: the scenario's seed and the next {@code count - 1}. */
    public Seeds searchSeeds(int count) {
        return new Seeds(seed(), count);
    }

    /**
     * Seeds that no search sees, where winners and the baseline are judged: {@code count} seeds
     * after the search's {@code searchCount} (a search never runs more seeds than that).
     */
    public Seeds heldOutSeeds(int searchCount, int count) {
        return new Seeds(seed() + searchCount, count);
    }

    private long seed() {
        return scenario.seed() == null ? 0 : scenario.seed();
    }

    /** Runs a candidate on the search's first {@code seeds} seeds for {@code by}. */
    public Evaluation evaluate(Candidate candidate, int seeds, String by) {
        return evaluate(candidate, searchSeeds(seeds), by);
    }

    /**
     * Runs a candidate on the given seeds, after paying for them; the result is recorded either
     * way. A policy source is copied into the run's folder first and runs from that copy; source
     * that does not compile or pass the sandbox is recorded as failed at no cost. An experiment
     * already run (same code, parameters and seeds, under any file name) is answered from the record.
     */
    public synchronized Evaluation evaluate(Candidate candidate, Seeds seeds, String by) {
        String text = sourceText(candidate.policy());
        String sha = text == null ? null : PolicySource.sha256(text);
        // a file is known by its content, whatever its name; a reference also by its name, which carries parameters
        String fingerprint = (sha == null || !candidate.policy().endsWith(".java") ? candidate.policy() + " " : "")
                + sha + " " + candidate.parameters() + " " + seeds;
        for (int i = 0; i < history.size(); i++) {
            if (fingerprints.get(i).equals(fingerprint)) {
                return history.get(i); // deterministic: the same experiment gives the same result, at no cost
            }
        }
        int id = history.size() + 1;
        String runId = String.format(Locale.ROOT, "run-%03d", id);
        Path dir = workspace.resolve("runs").resolve(runId);
        Path stored = null;
        Scenario s;
        PolicySet policies;
        try {
            Candidate run = candidate;
            if (text != null) {
                String file = candidate.policy().endsWith(".java") ? Path.of(candidate.policy()).getFileName().toString()
                        : PolicyCatalog.references().get(candidate.policy()).source();
                stored = dir.resolve(file);
                Files.createDirectories(dir);
                Files.writeString(stored, text);
                if (candidate.policy().endsWith(".java")) {
                    run = new Candidate(candidate.label(), stored.toString(), candidate.parameters());
                }
            }
            s = scenarioWith(run).withSeed(seeds.first());
            policies = PolicySet.of(s, candidate.parameters());
        } catch (PolicyRejected | IllegalArgumentException | java.io.IOException | java.io.UncheckedIOException e) {
            return record(new Evaluation(id, runId, by, candidate, seeds, stored, sha, null, new double[0], Map.of(), dir,
                    spend.simulationsUsed(), e.getMessage()), fingerprint);
        }
        spend.simulations(seeds.count());
        Evaluation evaluation;
        try {
            ExperimentSummary summary;
            if (isolation != null && stored != null && candidate.policy().endsWith(".java")) {
                // written by a model (or a person) in the workspace: run behind the process boundary too
                summary = isolation.run(s, Path.of(""), candidate.parameters(), seeds.count(), threads, dir, 1);
            } else {
                summary = ExperimentSummary.run(s, policies, seeds.count(), threads, dir, 1);
            }
            evaluation = new Evaluation(id, runId, by, candidate, seeds, stored, sha, summary.figures(),
                    summary.e2eSample(), new LinkedHashMap<>(summary.observed()), dir, spend.simulationsUsed(), null);
        } catch (PolicyFailure | PolicyRejected | IllegalArgumentException | IsolatedExperiments.IsolationFailure e) {
            evaluation = new Evaluation(id, runId, by, candidate, seeds, stored, sha, null, new double[0], Map.of(), dir,
                    spend.simulationsUsed(), e.getMessage());
        }
        return record(evaluation, fingerprint);
    }

    private Evaluation record(Evaluation evaluation, String fingerprint) {
        history.add(evaluation);
        fingerprints.add(fingerprint);
        for (Consumer<Evaluation> l : listeners) {
            l.accept(evaluation);
        }
        return evaluation;
    }

    /** The text of a policy source (a file, a bundled file or a reference name), or null for a built-in. */
    private static String sourceText(String policy) {
        if (policy.endsWith(".java")) {
            Path file = Path.of(policy);
            if (Files.isRegularFile(file)) {
                try {
                    return Files.readString(file);
                } catch (java.io.IOException e) {
                    return null;
                }
            }
            return Resources.exists("policies/" + policy) ? Resources.read("policies/" + policy) : null;
        }
        PolicyCatalog.Reference ref = PolicyCatalog.references().get(policy);
        return ref == null ? null : Resources.read("policies/" + ref.source());
    }

    public synchronized List<Evaluation> history() {
        return List.copyOf(history);
    }

    public synchronized Optional<Evaluation> run(String runId) {
        return history.stream().filter(e -> e.runId().equals(runId)).findFirst();
    }

    /** The best successful evaluation of the search with at least {@code minSeeds} seeds. */
    public synchronized Optional<Evaluation> best(Objective objective, int minSeeds) {
        return history.stream().filter(e -> !e.failed() && !e.heldOut() && e.seeds() >= minSeeds)
                .min((a, b) -> Double.compare(objective.loss(a.figures()), objective.loss(b.figures())));
    }

    /** The figures every summary of a run shows besides the objective's. */
    public static final List<String> BRIEF = List.of("e2e.mean", "e2e.p50", "e2e.p90", "e2e.p99", "ttft.mean", "ttft.p50",
            "ttft.p90", "ttft.p99", "queueDelay.mean", "restartedFraction", "slowdown.p95", "throughput", "gpuHours");

    /** Figures of an evaluation as plain numbers, for tool results and transcripts. */
    public static Map<String, Object> brief(Evaluation e, Objective objective) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runId", e.runId());
        out.put("policy", e.candidate().policy());
        out.put("parameters", e.candidate().parameters());
        out.put("seeds", e.seeds());
        out.put("by", e.by());
        if (e.failed()) {
            out.put("failed", e.failure());
            return out;
        }
        Aggregate.Stat m = e.figures().get(objective.metric());
        out.put(objective.metric(), Map.of("mean", round(m.mean()), "ci90", List.of(round(m.lo()), round(m.hi()))));
        for (String k : BRIEF) {
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
