package dev.glia.research;

import dev.glia.catalog.Artifacts;
import dev.glia.catalog.PolicyCatalog;
import dev.glia.policy.PolicyArtifact;
import dev.glia.policy.sandbox.PolicySource;
import dev.glia.sim.Evidence;
import dev.glia.sim.IsolatedExperiments;
import dev.glia.sim.metrics.RunSummary;
import dev.glia.sim.scenario.Scenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One research session: the baseline on the search's seeds, a strategy's search, and the
 * judgement. Whatever stopped the search, the best candidate seen only on screening seeds is
 * confirmed on all of them, and the winner of the search is judged against the baseline on fresh
 * seeds that played no part in it (a reserve of the simulation budget pays for both). The results:
 * the winner as a GliaPolicy artifact built from the source that earned its evidence, a report
 * with pictures, the transcript.
 */
public final class Optimization {
    /**
     * @param baseline       the baseline as judged: on held-out seeds when a winner was judged there
     * @param best           the held-out winner, or {@code baseline} when nothing beat it
     * @param searchBaseline the baseline on the search's seeds
     * @param searchBest     the best of the search on its seeds (may be {@code searchBaseline})
     * @param heldOutSeeds   where the judgement ran, or null if there was nothing to judge
     */
    public record Outcome(String scenario, String component, String strategy, Objective objective, ResearchBudget budget,
                          Lab.Evaluation baseline, Lab.Evaluation best, Lab.Evaluation searchBaseline,
                          Lab.Evaluation searchBest, Lab.Seeds searchSeeds, Lab.Seeds heldOutSeeds,
                          List<Lab.Evaluation> history, int fullSeeds, int simulationsUsed, double usd,
                          long promptTokens, long completionTokens, int modelAnswers, double wallSeconds, Stop stop,
                          boolean library, List<String> tailRegressions, Path report, Path artifact) {
        Outcome withFiles(Path report, Path artifact) {
            return new Outcome(scenario, component, strategy, objective, budget, baseline, best, searchBaseline,
                    searchBest, searchSeeds, heldOutSeeds, history, fullSeeds, simulationsUsed, usd, promptTokens,
                    completionTokens, modelAnswers, wallSeconds, stop, library, tailRegressions, report, artifact);
        }

        public boolean improved() {
            return best != baseline;
        }

        /** The model never answered: the session measured nothing about research. */
        public boolean modelUnusable() {
            return stop.reason().modelFault() && modelAnswers == 0;
        }
    }

    /**
     * The judgement runs on twice as many fresh seeds as the search: with the paper's bursty
     * arrivals, ten seeds leave the ratio of means noisy enough that which ten decides the
     * verdict; twenty do not (BENCHMARKS.md, research sessions).
     */
    static final int HELD_OUT_FACTOR = 2;

    private final Scenario scenario;
    private final String component;
    private final Objective objective;
    private final ResearchBudget budget;
    private final int fullSeeds;
    private final Double target;
    private final Path out;
    private IsolatedExperiments isolation;
    private volatile Spend spend;

    /** @param target a value of the objective's metric that ends the search once a result on all seeds reaches it */
    public Optimization(Scenario scenario, String component, Objective objective, ResearchBudget budget, int fullSeeds,
                        Double target, Path out) {
        this.scenario = scenario;
        this.component = component;
        this.objective = objective;
        this.budget = budget;
        this.fullSeeds = fullSeeds;
        this.target = target;
        this.out = out;
    }

    /** Runs workspace candidates behind the process boundary ({@link Lab#isolate}); null runs them in this JVM. */
    public Optimization isolate(IsolatedExperiments isolation) {
        this.isolation = isolation;
        return this;
    }

    /** Dollars of LLM tokens the running (or last) session has spent so far; 0 before {@link #run}. */
    public double usdSpent() {
        Spend s = spend;
        return s == null ? 0 : s.usd();
    }

    /** Every figure an objective may name. */
    public static Set<String> metrics() {
        java.util.Set<String> names = new java.util.TreeSet<>(List.of("restartedFraction", "restartsPerRequest",
                "throughput", "outputTokensPerSecond", "gpuHours", "makespan", "peakReplicas"));
        for (String latency : RunSummary.LATENCIES) {
            for (String stat : RunSummary.STATISTICS) {
                names.add(latency + "." + stat);
            }
        }
        return names;
    }

    public Outcome run(Strategy strategy, Consumer<Lab.Evaluation> progress) {
        Spend spend = new Spend(budget);
        this.spend = spend;
        Notebook notebook = new Notebook(out.resolve("transcript.jsonl"));
        Lab lab = new Lab(scenario, component, out, spend, Runtime.getRuntime().availableProcessors());
        lab.isolate(isolation);
        lab.onEvaluation(progress);
        lab.onEvaluation(e -> {
            if (target != null && !e.failed() && !e.heldOut() && !e.by().equals("baseline") && e.seeds() >= fullSeeds
                    && reached(e)) {
                spend.halt(Stop.of(Stop.Reason.TARGET_REACHED, String.format(Locale.ROOT, "%s reached %s = %.3f "
                        + "(target %s)", e.candidate().label(), objective.metric(), e.mean(objective.metric()), target)));
            }
        });
        Lab.Seeds searchSeeds = lab.searchSeeds(fullSeeds);
        Lab.Seeds heldOutSeeds = lab.heldOutSeeds(fullSeeds, HELD_OUT_FACTOR * fullSeeds);
        notebook.add(Notebook.Kind.TASK, String.format(Locale.ROOT, "Optimise the %s of %s: %s", component, scenario.name(),
                objective), String.format(Locale.ROOT, "Strategy %s; budget %d simulations, $%.2f, %.0f s; the search "
                + "runs on seeds %s, the winner and the baseline are judged on held-out seeds %s with 90%% bootstrap "
                + "confidence intervals.%s", strategy.name(), budget.simulations(), budget.usd(), budget.wallSeconds(),
                searchSeeds, heldOutSeeds, target == null ? "" : " Target: " + objective.metric() + " " + target + "."));
        Lab.Evaluation baseline = lab.evaluate(lab.baselineCandidate(), searchSeeds, "baseline");
        if (baseline.failed()) {
            throw new IllegalArgumentException("the baseline " + baseline.candidate().label() + " failed: " + baseline.failure());
        }
        notebook.add(Notebook.Kind.EXPERIMENT, "Baseline " + baseline.candidate().label() + " (" + baseline.runId() + ")",
                describe(baseline));
        // confirm a screened candidate; judge winner and baseline on held-out seeds
        spend.reserve(fullSeeds + 2 * HELD_OUT_FACTOR * fullSeeds);
        Stop stop;
        try {
            stop = strategy.search(lab, objective, baseline, notebook);
        } catch (SessionStopped e) {
            stop = e.stop();
        } catch (RuntimeException e) {
            stop = Stop.of(Stop.Reason.STRATEGY_FAILED, "the " + strategy.name() + " strategy failed: " + e);
        }
        notebook.add(stop.reason() == Stop.Reason.FINISHED ? Notebook.Kind.DECISION : Notebook.Kind.ERROR,
                "The search stopped: " + stop.code(), stop.detail() == null ? "" : stop.detail());
        spend.close();
        confirmScreened(lab, baseline, notebook);
        Lab.Evaluation searchBest = lab.best(objective, fullSeeds).filter(b -> loss(b) < loss(baseline)).orElse(baseline);
        Lab.Evaluation judgedBaseline = baseline;
        Lab.Evaluation best = baseline;
        Lab.Seeds judgedOn = null;
        if (searchBest != baseline) {
            judgedOn = heldOutSeeds;
            judgedBaseline = lab.evaluate(lab.baselineCandidate(), heldOutSeeds, "held-out");
            Lab.Evaluation judged = lab.evaluate(searchBest.asRun(), heldOutSeeds, "held-out");
            boolean holds = !judged.failed() && loss(judged) < loss(judgedBaseline);
            best = holds ? judged : judgedBaseline;
            notebook.add(Notebook.Kind.DECISION, holds ? "Choose " + judged.candidate().label()
                    : "Keep the baseline: " + searchBest.candidate().label() + " did not hold on held-out seeds",
                    String.format(Locale.ROOT, "On the search's seeds %s: %s. On held-out seeds %s: %s against the "
                            + "baseline's %s.", searchSeeds, describe(searchBest), heldOutSeeds,
                            judged.failed() ? "failed" : describe(judged), describe(judgedBaseline)));
        } else {
            notebook.add(Notebook.Kind.DECISION, "Keep the baseline", "No candidate beat it on the search's seeds "
                    + searchSeeds + ".");
        }
        List<String> regressions = best == judgedBaseline ? List.of() : Evidence.tailRegressions(judgedBaseline.figures(), best.figures());
        if (!regressions.isEmpty()) {
            notebook.add(Notebook.Kind.FINDING, "The winner makes a tail worse", String.join("\n", regressions));
        }
        Outcome outcome = new Outcome(scenario.name(), component, strategy.name(), objective, budget, judgedBaseline,
                best, baseline, searchBest, searchSeeds, judgedOn, lab.history(), fullSeeds, spend.simulationsUsed(),
                spend.usd(), spend.promptTokens(), spend.completionTokens(), spend.modelAnswers(), spend.wallSeconds(),
                stop, strategy.library(), regressions, null, null);
        Path artifact = best != judgedBaseline && best.source() != null ? writeArtifact(outcome) : null;
        outcome = outcome.withFiles(null, artifact);
        Path report = Report.write(out, outcome, notebook);
        return outcome.withFiles(report, artifact);
    }

    /** A candidate that looked best on a few seeds is run on all the search's seeds, so no win is lost. */
    private void confirmScreened(Lab lab, Lab.Evaluation baseline, Notebook notebook) {
        Optional<Lab.Evaluation> screened = lab.history().stream()
                .filter(e -> !e.failed() && !e.heldOut() && e.seeds() < fullSeeds)
                .min(Comparator.comparingDouble(this::loss));
        double bestFull = lab.best(objective, fullSeeds).map(this::loss).orElse(loss(baseline));
        if (screened.isEmpty() || loss(screened.get()) >= Math.min(bestFull, loss(baseline))) {
            return;
        }
        Lab.Evaluation e = lab.evaluate(screened.get().asRun(), fullSeeds, "confirm");
        notebook.add(Notebook.Kind.EXPERIMENT, "Confirm " + e.candidate().label() + " on all the search's seeds ("
                + e.runId() + ")", e.failed() ? "failed: " + e.failure() : describe(e));
    }

    private boolean reached(Lab.Evaluation e) {
        double v = e.mean(objective.metric());
        return objective.feasible(e.figures()) && (objective.maximize() ? v >= target : v <= target);
    }

    private double loss(Lab.Evaluation e) {
        return objective.loss(e.figures());
    }

    private String describe(Lab.Evaluation e) {
        var m = e.figures().get(objective.metric());
        return String.format(Locale.ROOT, "%s %s = %.3f [%.3f, %.3f] on %d seeds (%s)", e.candidate().label(),
                objective.metric(), m.mean(), m.lo(), m.hi(), e.seeds(), e.runId());
    }

    /** The GliaPolicy, from the winning run's stored source after checking it is what earned the evidence. */
    private Path writeArtifact(Outcome o) {
        Lab.Evaluation best = o.best();
        String text;
        try {
            text = Files.readString(best.source());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the winning source " + best.source() + ": " + e.getMessage(), e);
        }
        if (!PolicySource.sha256(text).equals(best.sha256()) || !best.sha256().equals(o.searchBest().sha256())) {
            throw new IllegalStateException("the winning source " + best.source() + " is not the one that earned its "
                    + "evidence (sha256 " + PolicySource.sha256(text) + ", ran " + best.sha256() + ")");
        }
        String policy = best.candidate().policy();
        String name = policy.endsWith(".java") ? best.source().toString() : policy;
        PolicyArtifact a = Evidence.artifact(PolicyCatalog.source(name),
                PolicyCatalog.parametersAsRun(name, best.candidate().parameters()), scenario,
                o.baseline().candidate().label(), o.baseline().figures(), best.figures(), o.heldOutSeeds().list(),
                o.searchSeeds().list(), best.observed(), objective.metric(), objective.maximize(),
                best.candidate().label());
        Path artifact = out.resolve("policy.glia-policy.yaml");
        Artifacts.write(artifact, a);
        return artifact;
    }
}
