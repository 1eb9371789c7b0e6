package dev.glia.research;

import dev.glia.catalog.PolicyCatalog;
import dev.glia.policy.sandbox.PolicySource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Glia's research method without an LLM: diagnose the baseline, pick the policy families the
 * diagnosis points at (the reference policies and their knobs), screen every candidate on a few
 * seeds, confirm the front-runners on all the search's seeds, then refine the winner's parameters one knob at
 * a time until nothing improves or the budget runs out. Each step is written to the notebook with
 * the reason for it.
 */
public final class Tuner implements Strategy {
    private final int screenSeeds;
    private final int fullSeeds;

    public Tuner(int screenSeeds, int fullSeeds) {
        this.screenSeeds = screenSeeds;
        this.fullSeeds = fullSeeds;
    }

    @Override
    public String name() {
        return "tuner";
    }

    @Override
    public boolean library() {
        return true;
    }

    @Override
    public Stop search(Lab lab, Objective objective, Lab.Evaluation baseline, Notebook notebook) {
        Diagnosis d = Diagnosis.of(baseline);
        notebook.add(Notebook.Kind.OBSERVATION, "Where the baseline's time goes", String.join("\n", d.findings()));
        List<Lab.Candidate> candidates = families(lab.component(), d, notebook);
        notebook.add(Notebook.Kind.EXPERIMENT, "Screen " + candidates.size() + " candidates on " + screenSeeds + " seeds",
                "A few seeds separate clear losers cheaply; front-runners get all " + fullSeeds + " seeds next.");
        List<Lab.Evaluation> screened = new ArrayList<>();
        for (Lab.Candidate c : candidates) {
            Lab.Evaluation e = lab.evaluate(c, screenSeeds, name());
            if (e.failed()) {
                notebook.add(Notebook.Kind.ERROR, c.label() + " failed", e.failure());
            } else {
                screened.add(e);
            }
        }
        screened.sort(Comparator.comparingDouble(e -> objective.loss(e.figures())));
        int keep = Math.max(3, screened.size() / 5);
        List<Lab.Evaluation> front = screened.subList(0, Math.min(keep, screened.size()));
        notebook.add(Notebook.Kind.FINDING, "Front-runners after screening", describe(front, objective));
        Lab.Evaluation best = baseline;
        for (Lab.Evaluation e : front) {
            Lab.Evaluation full = lab.evaluate(e.candidate(), fullSeeds, name());
            if (!full.failed() && objective.loss(full.figures()) < objective.loss(best.figures())) {
                best = full;
            }
        }
        if (best == baseline) {
            notebook.add(Notebook.Kind.FINDING, "Nothing beat the baseline on all seeds",
                    "Every front-runner was worse than or infeasible against " + baseline.candidate().label() + ".");
            return Stop.of(Stop.Reason.FINISHED, "no front-runner beat the baseline");
        }
        notebook.add(Notebook.Kind.FINDING, "Best so far: " + best.candidate().label(), describe(List.of(best), objective));
        refine(lab, objective, best, notebook);
        return Stop.of(Stop.Reason.FINISHED, "refinement converged");
    }

    /** Coordinate search: each numeric knob ×0.75 and ×1.25 (or ± a step from zero), kept if better. */
    private void refine(Lab lab, Objective objective, Lab.Evaluation start, Notebook notebook) {
        Lab.Evaluation best = start;
        if (!isSource(best.candidate().policy())) {
            return;
        }
        PolicySource source = PolicyCatalog.source(best.candidate().policy());
        for (int round = 1; round <= 3; round++) {
            Lab.Evaluation roundStart = best;
            for (PolicySource.Parameter p : source.parameters()) {
                if (p.type().equals("boolean")) {
                    continue;
                }
                double current = roundStart.candidate().parameters().getOrDefault(p.name(), p.defaultValue());
                for (double v : new double[] {neighbour(current, 0.75, p), neighbour(current, 1.25, p)}) {
                    if (v == current) {
                        continue;
                    }
                    Map<String, Double> params = new LinkedHashMap<>(best.candidate().parameters());
                    params.put(p.name(), v);
                    Lab.Candidate c = Lab.Candidate.of(best.candidate().policy(), params);
                    Lab.Evaluation e = lab.evaluate(c, fullSeeds, name());
                    if (!e.failed() && objective.loss(e.figures()) < objective.loss(best.figures())) {
                        best = e;
                    }
                }
            }
            double gain = 1 - objective.loss(best.figures()) / objective.loss(roundStart.figures());
            notebook.add(Notebook.Kind.DECISION, String.format(Locale.ROOT, "Refinement round %d: %s", round,
                    best == roundStart ? "no knob helped" : "kept " + best.candidate().label()),
                    String.format(Locale.ROOT, "Relative gain this round: %.1f%%.", 100 * gain));
            if (best == roundStart || Math.abs(gain) < 0.005) {
                return;
            }
        }
    }

    private static double neighbour(double v, double factor, PolicySource.Parameter p) {
        double n = v == 0 ? (factor > 1 ? Math.max(0.01, (p.max() - p.min()) / 50) : 0) : v * factor;
        if (p.type().equals("int") || p.type().equals("long")) {
            n = Math.round(n);
        }
        n = Math.max(p.min(), Math.min(p.max(), n));
        return Math.round(n * 1e6) / 1e6;
    }

    private static boolean isSource(String policy) {
        return policy.endsWith(".java") || PolicyCatalog.references().containsKey(policy);
    }

    /** The families the diagnosis points at, with the reasons written down. */
    private List<Lab.Candidate> families(String component, Diagnosis d, Notebook notebook) {
        List<Lab.Candidate> out = new ArrayList<>();
        switch (component) {
            case "router" -> {
                out.add(new Lab.Candidate("lor", "lor", Map.of()));
                out.add(new Lab.Candidate("least-kv", "least-kv", Map.of()));
                if (d.restartsMatter() || d.queueingMatters()) {
                    notebook.add(Notebook.Kind.HYPOTHESIS, "Admission control with KV head-room",
                            (d.restartsMatter() ? "Restarts waste work because replicas run out of KV blocks while "
                                    + "decoding. Holding requests in the global queue until a replica has head-room "
                                    + "for their growth should make restarts rare. " : "")
                                    + (d.queueingMatters() ? "Queueing dominates latency, so serving short prompts "
                                    + "first (shortest-job-first) should cut the mean. " : "")
                                    + "Expected evidence: a lower restarted fraction and queueing delay than the baseline.");
                    for (double spf : new double[] {1, 0}) {
                        for (double r : new double[] {0.3, 0.6, 1.0, 2.0, 3.0}) {
                            for (double m : new double[] {0.0, 0.03, 0.1}) {
                                Map<String, Double> p = new LinkedHashMap<>();
                                p.put("decodeToPrefillRatio", r);
                                p.put("safetyFraction", m);
                                p.put("shortestPromptFirst", spf);
                                out.add(Lab.Candidate.of("HeadroomRouter.java", p));
                            }
                        }
                    }
                }
            }
            case "batchPriority" -> {
                notebook.add(Notebook.Kind.HYPOTHESIS, "Shortest prompt first inside each engine",
                        "Ordering engine queues by prompt length approximates shortest-job-first, which minimises "
                                + "mean latency when queueing dominates. Expected evidence: lower queueing delay.");
                out.add(new Lab.Candidate("spf", "spf", Map.of()));
            }
            default -> {
                notebook.add(Notebook.Kind.HYPOTHESIS, "Scale on in-flight requests, not throughput",
                        "Per-instance decode throughput saturates as an instance fills up, so it stops signalling "
                                + "need exactly when capacity is short. In-flight requests per instance keep rising. "
                                + "Expected evidence: fewer GPU-hours at the same slowdown.");
                for (double target : new double[] {24, 32, 40, 48, 64}) {
                    for (double delay : new double[] {30, 120}) {
                        for (double smoothing : new double[] {0.2, 0.5}) {
                            Map<String, Double> p = new LinkedHashMap<>();
                            p.put("target", target);
                            p.put("downDelay", delay);
                            p.put("smoothing", smoothing);
                            out.add(Lab.Candidate.of("ProportionalAutoscaler.java", p));
                        }
                    }
                }
                for (double[] hl : new double[][] {{500, 250}, {650, 325}, {800, 400}}) {
                    Map<String, Double> p = new LinkedHashMap<>();
                    p.put("high", hl[0]);
                    p.put("low", hl[1]);
                    out.add(Lab.Candidate.of("ThroughputAutoscaler.java", p));
                }
            }
        }
        return out;
    }

    private static String describe(List<Lab.Evaluation> evaluations, Objective objective) {
        StringBuilder out = new StringBuilder();
        for (Lab.Evaluation e : evaluations) {
            var m = e.figures().get(objective.metric());
            out.append(String.format(Locale.ROOT, "- %s (%s, %d seeds): %s %.3f [%.3f, %.3f], restarted %.1f%%%s%n",
                    e.candidate().label(), e.runId(), e.seeds(), objective.metric(), m.mean(), m.lo(), m.hi(),
                    100 * e.mean("restartedFraction"), objective.feasible(e.figures()) ? "" : ", INFEASIBLE"));
        }
        return out.toString();
    }
}
