package dev.glia.research;

import dev.glia.policy.PolicyArtifact;
import dev.glia.sim.catalog.Artifacts;
import dev.glia.sim.catalog.PolicyCatalog;
import dev.glia.sim.metrics.RunSummary;
import dev.glia.sim.scenario.Scenario;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.LongStream;

/**
 * One research session: the baseline on all seeds, a strategy's search, and the results — the
 * best policy as a GliaPolicy artifact with its evidence, a report with pictures, the transcript.
 * A budget that runs out, or a strategy that fails, ends the search; the best so far is kept.
 */
public final class Optimization {
    public record Outcome(String scenario, String component, String strategy, Objective objective, ResearchBudget budget,
                          Lab.Evaluation baseline, Lab.Evaluation best, List<Lab.Evaluation> history, int fullSeeds,
                          int simulationsUsed, double usd, long promptTokens, long completionTokens,
                          double wallSeconds, String stopReason, Path report, Path artifact) {
        Outcome withFiles(Path report, Path artifact) {
            return new Outcome(scenario, component, strategy, objective, budget, baseline, best, history, fullSeeds,
                    simulationsUsed, usd, promptTokens, completionTokens, wallSeconds, stopReason, report, artifact);
        }
    }

    private final Scenario scenario;
    private final String component;
    private final Objective objective;
    private final ResearchBudget budget;
    private final int fullSeeds;
    private final Path out;

    public Optimization(Scenario scenario, String component, Objective objective, ResearchBudget budget, int fullSeeds,
                        Path out) {
        this.scenario = scenario;
        this.component = component;
        this.objective = objective;
        this.budget = budget;
        this.fullSeeds = fullSeeds;
        this.out = out;
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
        Notebook notebook = new Notebook(out.resolve("transcript.jsonl"));
        Lab lab = new Lab(scenario, component, out, spend, Runtime.getRuntime().availableProcessors());
        lab.onEvaluation(progress);
        notebook.add(Notebook.Kind.TASK, String.format(Locale.ROOT, "Optimise the %s of %s: %s", component, scenario.name(),
                objective), String.format(Locale.ROOT, "Strategy %s; budget %d simulations, $%.2f, %.0f s; "
                + "results judged on %d seeds with 90%% bootstrap confidence intervals.", strategy.name(),
                budget.simulations(), budget.usd(), budget.wallSeconds(), fullSeeds));
        Lab.Evaluation baseline = lab.evaluate(lab.baselineCandidate(), fullSeeds);
        if (baseline.failed()) {
            throw new IllegalArgumentException("the baseline " + baseline.candidate().label() + " failed: " + baseline.failure());
        }
        notebook.add(Notebook.Kind.EXPERIMENT, "Baseline " + baseline.candidate().label() + " (" + baseline.runId() + ")",
                String.format(Locale.ROOT, "%s = %.3f [%.3f, %.3f]", objective.metric(), baseline.mean(objective.metric()),
                        baseline.figures().get(objective.metric()).lo(), baseline.figures().get(objective.metric()).hi()));
        String stop = null;
        try {
            strategy.search(lab, objective, baseline, notebook);
        } catch (BudgetExhausted e) {
            stop = e.getMessage();
            notebook.add(Notebook.Kind.DECISION, "Budget exhausted; keeping the best so far", e.getMessage());
        } catch (RuntimeException e) {
            stop = "the " + strategy.name() + " strategy failed: " + e;
            notebook.add(Notebook.Kind.ERROR, "Strategy failed; keeping the best so far", String.valueOf(e));
        }
        Lab.Evaluation best = lab.best(objective, fullSeeds).orElse(baseline);
        if (objective.loss(best.figures()) >= objective.loss(baseline.figures())) {
            best = baseline;
        }
        notebook.add(Notebook.Kind.DECISION, best == baseline ? "Keep the baseline" : "Choose " + best.candidate().label(),
                best == baseline ? "No candidate beat it on all seeds." : String.format(Locale.ROOT,
                        "%s = %.3f against the baseline's %.3f on the same %d seeds.", objective.metric(),
                        best.mean(objective.metric()), baseline.mean(objective.metric()), fullSeeds));
        Outcome outcome = new Outcome(scenario.name(), component, strategy.name(), objective, budget, baseline, best,
                lab.history(), fullSeeds, spend.simulationsUsed(), spend.usd(), spend.promptTokens(),
                spend.completionTokens(), spend.wallSeconds(), stop, null, null);
        Path artifact = null;
        String policy = best.candidate().policy();
        if (best != baseline && (policy.endsWith(".java") || PolicyCatalog.references().containsKey(policy))) {
            PolicyArtifact a = Artifacts.of(PolicyCatalog.source(policy), PolicyCatalog.parametersAsRun(policy, best.candidate().parameters()),
                    scenario, baseline.candidate().label(), baseline.figures(), best.figures(),
                    LongStream.range(0, fullSeeds).map(k -> scenario.seed() + k).boxed().toList(), best.observed(),
                    objective.metric(), objective.maximize(), best.candidate().label());
            artifact = out.resolve("policy.glia-policy.yaml");
            Artifacts.write(artifact, a);
        }
        outcome = outcome.withFiles(null, artifact);
        Path report = Report.write(out, outcome, notebook);
        return outcome.withFiles(report, artifact);
    }
}
