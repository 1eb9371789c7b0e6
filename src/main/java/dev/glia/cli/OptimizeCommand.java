package dev.glia.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glia.research.Lab;
import dev.glia.research.Objective;
import dev.glia.research.Optimization;
import dev.glia.research.ResearchBudget;
import dev.glia.research.SessionProgress;
import dev.glia.research.Strategy;
import dev.glia.research.Tuner;
import dev.glia.research.agent.Agents;
import dev.glia.research.agent.BestOfN;
import dev.glia.research.agent.Evolve;
import dev.glia.research.agent.GliaStrategy;
import dev.glia.research.agent.LlmSettings;
import dev.glia.sim.IsolatedExperiments;
import dev.glia.sim.RunWriter;
import dev.glia.sim.metrics.Aggregate;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "optimize", mixinStandardHelpOptions = true,
        description = "Run a research session: search for a better policy in the simulator, judge the winner against "
                + "the baseline on held-out seeds, and write it with its evidence and a report. Without an LLM "
                + "configured, the tuner runs. Exits 3 if the LLM could not be used at all (refused key, unreachable).")
public class OptimizeCommand implements Callable<Integer> {
    @Option(names = "--scenario", defaultValue = "glia-sharegpt-a10", paramLabel = "NAME|FILE",
            description = "Scenario (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Seconds of simulated time per run, instead "
            + "of the scenario's own duration.")
    Double duration;

    @Option(names = "--strategy", description = "tuner (no LLM), glia (Researcher + Supervisor), evolve or best-of-n. "
            + "Default: glia when an LLM is configured, else tuner.")
    String strategy;

    @Option(names = "--contexts", defaultValue = "1", description = "glia: research contexts (1 = single-context Glia; default: ${DEFAULT-VALUE}).")
    int contexts;

    @Option(names = "--parallel", description = "glia: run the contexts at once (MCG-Par-N) instead of one after another (MCG-Seq).")
    boolean parallel;

    @Option(names = "--digest", description = "glia, sequential: hand each new context a digest of what earlier ones found.")
    boolean digest;

    @Option(names = "--target", description = "Stop the search once a result on all seeds reaches this value of the "
            + "objective's metric; the agents are told it as the expected improvement (every strategy).")
    Double target;

    @Option(names = "--library", description = "LLM strategies: offer the bundled reference policies (their files and "
            + "names) to the agents. Without it they start from the baseline and the policy API only.")
    boolean library;

    @Option(names = "--max-steps", defaultValue = "60", description = "glia: Researcher steps per context (default: ${DEFAULT-VALUE}).")
    int maxSteps;

    @Option(names = "--samples", defaultValue = "8", description = "best-of-n: samples (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--llm-base-url", paramLabel = "URL", defaultValue = "${env:GLIA_LLM_BASE_URL}",
            description = "OpenAI-compatible endpoint, e.g. https://api.openai.com/v1 or http://localhost:8000/v1 (env GLIA_LLM_BASE_URL).")
    String llmBaseUrl;

    @Option(names = "--llm-api-key", paramLabel = "KEY", defaultValue = "${env:GLIA_LLM_API_KEY}",
            description = "API key (env GLIA_LLM_API_KEY; local servers take any value).")
    String llmApiKey;

    @Option(names = "--model", defaultValue = "${env:GLIA_LLM_MODEL}", description = "Model name (env GLIA_LLM_MODEL).")
    String model;

    @Option(names = "--llm-timeout", defaultValue = "120", paramLabel = "S", description = "Seconds per LLM call (default: ${DEFAULT-VALUE}).")
    int llmTimeout;

    @Option(names = "--llm-attempts", defaultValue = "4", description = "Attempts per LLM call on 429, 5xx and timeouts (default: ${DEFAULT-VALUE}).")
    int llmAttempts;

    @Option(names = "--price-input", defaultValue = "2.0", description = "USD per million prompt tokens (default: ${DEFAULT-VALUE}).")
    double priceInput;

    @Option(names = "--price-output", defaultValue = "8.0", description = "USD per million completion tokens (default: ${DEFAULT-VALUE}).")
    double priceOutput;

    @Option(names = "--component", defaultValue = "router", split = ",",
            description = "router, batchPriority or autoscaler, or several in turn (router,batchPriority): each "
                    + "later one is optimised with the earlier winners in place; the budget is shared out evenly "
                    + "(default: ${DEFAULT-VALUE}).")
    List<String> components;

    @Option(names = "--objective", paramLabel = "TEXT",
            description = "e.g. 'minimize e2e', 'maximize throughput subject to ttft.p90 <= 1.5', "
                    + "'minimize gpuHours subject to slowdown.p95 <= 5' (default: minimize e2e, or GPU-hours subject "
                    + "to p95 slowdown <= 5 for an autoscaler).")
    String objective;

    @Option(names = "--budget-sims", defaultValue = "400", description = "Simulations (one seed each) to spend at most (default: ${DEFAULT-VALUE}).")
    int budgetSims;

    @Option(names = "--budget-usd", defaultValue = "30", description = "Dollars of LLM tokens to spend at most (default: ${DEFAULT-VALUE}).")
    double budgetUsd;

    @Option(names = "--budget-seconds", defaultValue = "3600", description = "Wall-clock seconds at most (default: ${DEFAULT-VALUE}).")
    double budgetSeconds;

    @Option(names = "--seeds", defaultValue = "10", description = "Seeds of the search (default: ${DEFAULT-VALUE}); the "
            + "winner and the baseline are judged on twice as many fresh, held-out seeds.")
    int seeds;

    @Option(names = "--screen-seeds", defaultValue = "3", description = "Seeds for the tuner's first screening (default: ${DEFAULT-VALUE}).")
    int screenSeeds;

    @Option(names = "--out", paramLabel = "DIR", description = "Session folder (default: optimizations/<scenario>-<component>-<strategy>).")
    Path out;

    @Option(names = "--json", description = "Print one JSON object at the end (with the policy and the report), and "
            + "after each experiment one progress line on stderr: {\"progress\":{\"simulationsUsed\":N,"
            + "\"simulationsBudget\":N,\"usd\":D,\"usdBudget\":D}}.")
    boolean json;

    @Option(names = "--isolate", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run candidates written in the session's workspace (by a model) in a child JVM with heap, CPU "
                    + "and wall-clock limits and no environment (default: on; --no-isolate runs them in this JVM).")
    boolean isolate;

    @Option(names = "--isolate-heap", paramLabel = "SIZE", description = "Heap of the isolated experiment JVM, e.g. 4g "
            + "(default: as large as this JVM's).")
    String isolateHeap;

    @Override
    public Integer call() {
        return Cli.guard(() -> {
            Scenario s = ScenarioLoader.load(scenario);
            if (duration != null) {
                if (!(duration > 0) || duration.isInfinite()) {
                    throw new IllegalArgumentException("--duration must be a positive number of seconds, got "
                            + duration);
                }
                s = s.withDuration(duration);
            }
            String goal = objective != null ? objective
                    : components.contains("autoscaler") ? "minimize gpuHours subject to slowdown.p95 <= 5" : "minimize e2e";
            Objective o = Objective.parse(goal, Optimization.metrics());
            int n = components.size();
            ResearchBudget budget = new ResearchBudget(Math.max(1, budgetSims / n), budgetUsd / n, budgetSeconds / n);
            Path root = out != null ? out : Path.of("optimizations",
                    s.name() + "-" + String.join("-", components) + "-" + strategyName());
            List<Optimization.Outcome> outcomes = new ArrayList<>();
            IsolatedExperiments isolation = !isolate ? null : new IsolatedExperiments(isolateHeap == null
                    ? IsolatedExperiments.Limits.DEFAULT : IsolatedExperiments.Limits.DEFAULT.withHeap(isolateHeap));
            for (String component : components) {
                Strategy chosen = strategy(s);
                Path dir = n == 1 ? root : root.resolve(component);
                System.err.printf(Locale.ROOT, "optimizing the %s of %s (%s) with the %s; budget %d simulations%n",
                        component, s.name(), o, chosen.name(), budget.simulations());
                double[] best = {Double.NaN, Double.POSITIVE_INFINITY};
                int simsBefore = outcomes.stream().mapToInt(Optimization.Outcome::simulationsUsed).sum();
                double usdBefore = outcomes.stream().mapToDouble(Optimization.Outcome::usd).sum();
                AtomicInteger spent = new AtomicInteger(simsBefore);
                Optimization session = new Optimization(s, component, o, budget, seeds, target, dir).isolate(isolation);
                Optimization.Outcome outcome = session.run(chosen, e -> {
                    progress(e, o, best, budget.simulations(), seeds);
                    if (json) {
                        // for programs (the operator reads a research Job's log): totals of the whole session
                        System.err.println(new SessionProgress(spent.accumulateAndGet(simsBefore
                                + e.simulationsAfter(), Math::max), budget.simulations() * n,
                                usdBefore + session.usdSpent(), budgetUsd).line());
                    }
                });
                outcomes.add(outcome);
                if (outcome.modelUnusable()) {
                    break;
                }
                if (outcome.improved()) {
                    // the next component is optimised with this winner in place
                    s = s.withPolicies(s.policies().with(component, outcome.best().candidate().policy(),
                            outcome.best().candidate().parameters()));
                }
            }
            if (json) {
                ObjectNode result = json(outcomes.get(outcomes.size() - 1));
                result.put("isolated", isolate); // workspace candidates ran in a child JVM
                if (n > 1) {
                    result.put("component", String.join(",", components));
                    result.set("baseline", json(outcomes.get(0)).get("baseline"));
                    result.put("simulationsUsed", outcomes.stream().mapToInt(Optimization.Outcome::simulationsUsed).sum());
                    result.put("usd", outcomes.stream().mapToDouble(Optimization.Outcome::usd).sum());
                    var steps = result.putArray("steps");
                    outcomes.forEach(x -> steps.add(json(x)));
                }
                System.out.println(RunWriter.JSON.writeValueAsString(result));
            } else {
                outcomes.forEach(OptimizeCommand::print);
            }
            Optimization.Outcome last = outcomes.get(outcomes.size() - 1);
            if (last.modelUnusable()) {
                System.err.println("error: the model could not be used (" + last.stop().code() + "): " + last.stop().detail());
                return 3;
            }
            return 0;
        });
    }

    private String strategyName() {
        return strategy != null ? strategy : llmBaseUrl != null && !llmBaseUrl.isBlank() ? "glia" : "tuner";
    }

    private Strategy strategy(Scenario s) {
        String name = strategyName();
        if (name.equals("tuner")) {
            return new Tuner(Math.max(1, Math.min(screenSeeds, seeds)), seeds);
        }
        if (!java.util.List.of("glia", "evolve", "best-of-n").contains(name)) {
            throw new IllegalArgumentException("unknown strategy '" + name + "'; available: tuner, glia, evolve, best-of-n");
        }
        LlmSettings settings = new LlmSettings(llmBaseUrl, llmApiKey == null || llmApiKey.isBlank() ? "EMPTY" : llmApiKey,
                model, java.time.Duration.ofSeconds(llmTimeout), llmAttempts, priceInput, priceOutput);
        Agents agents = new Agents(role -> OpenAiChatModel.builder().baseUrl(settings.baseUrl()).apiKey(settings.apiKey())
                .modelName(settings.model()).timeout(settings.timeout()).maxRetries(0).build(), settings, 1000, library,
                target);
        return switch (name) {
            case "glia" -> new GliaStrategy(agents, contexts <= 1 ? GliaStrategy.Mode.SINGLE
                    : parallel ? GliaStrategy.Mode.PARALLEL : GliaStrategy.Mode.SEQUENTIAL, contexts, digest, seeds, maxSteps);
            case "evolve" -> new Evolve(agents, 3, 3, 5, seeds, s.seed());
            default -> new BestOfN(agents, samples, seeds);
        };
    }

    /** One line per experiment on stderr: simulations spent, who ran what, its figure, the best on all seeds so far. */
    private static void progress(Lab.Evaluation e, Objective o, double[] best, int budget, int fullSeeds) {
        String figure;
        if (e.failed()) {
            figure = "failed: " + e.failure().lines().findFirst().orElse("");
        } else {
            double v = e.mean(o.metric());
            if (!e.heldOut() && (e.seeds() >= fullSeeds || Double.isNaN(best[0]))) {
                double loss = o.loss(e.figures());
                if (loss < best[1]) {
                    best[1] = loss;
                    best[0] = v;
                }
            }
            figure = String.format(Locale.ROOT, "%s %.3f  (best so far %.3f)", o.metric(), v, best[0]);
        }
        System.err.printf(Locale.ROOT, "[%4d/%d sims] %s %-9s %-50s %2d seeds  %s%n", e.simulationsAfter(), budget,
                e.runId(), e.by(), e.candidate().label(), e.seeds(), figure);
    }

    static ObjectNode json(Optimization.Outcome o) {
        ObjectNode root = RunWriter.JSON.createObjectNode();
        root.put("strategy", o.strategy());
        root.put("scenario", o.scenario());
        root.put("component", o.component());
        root.put("objective", o.objective().toString());
        root.set("baseline", result(o.baseline(), "name"));
        root.set("best", result(o.best(), "policy"));
        root.put("improved", o.improved());
        root.put("significant", o.improved() && o.objective().clearlyBetter(o.best().figures(), o.baseline().figures()));
        root.set("searchSeeds", RunWriter.JSON.valueToTree(o.searchSeeds().list()));
        root.set("heldOutSeeds", RunWriter.JSON.valueToTree(o.heldOutSeeds() == null ? List.of() : o.heldOutSeeds().list()));
        ObjectNode search = root.putObject("search");
        search.set("baseline", result(o.searchBaseline(), "name"));
        search.set("best", result(o.searchBest(), "policy"));
        root.set("tailRegressions", RunWriter.JSON.valueToTree(o.tailRegressions()));
        root.put("library", o.library());
        root.put("simulationsUsed", o.simulationsUsed());
        root.put("usd", o.usd());
        root.put("promptTokens", o.promptTokens());
        root.put("completionTokens", o.completionTokens());
        root.put("wallSeconds", Math.round(o.wallSeconds() * 100) / 100.0);
        root.put("stopReason", o.stop().code());
        root.put("stopDetail", o.stop().detail());
        root.put("reportPath", o.report().toString());
        if (java.nio.file.Files.exists(o.report())) {
            try {
                // the report itself: a research Job's operator keeps it in a ConfigMap
                root.put("report", java.nio.file.Files.readString(o.report()));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        if (o.artifact() != null) {
            root.put("artifactPath", o.artifact().toString());
            try {
                // the policy itself: a research Job hands its result back through this line of its log
                root.put("policy", java.nio.file.Files.readString(o.artifact()));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return root;
    }

    private static ObjectNode result(Lab.Evaluation e, String nameField) {
        ObjectNode n = RunWriter.JSON.createObjectNode();
        n.put(nameField, e.candidate().label());
        n.put("runId", e.runId());
        n.set("parameters", RunWriter.JSON.valueToTree(e.candidate().parameters()));
        n.set("seeds", RunWriter.JSON.valueToTree(e.seedSet().list()));
        if (e.sha256() != null) {
            n.put("sha256", e.sha256());
        }
        for (String key : new String[] {"e2e", "ttft", "queueDelay", "slowdown"}) {
            Aggregate.Stat m = e.figures().get(key + ".mean");
            ObjectNode f = n.putObject(key);
            f.put("mean", Math.round(m.mean() * 1e4) / 1e4);
            f.putArray("ci90").add(Math.round(m.lo() * 1e4) / 1e4).add(Math.round(m.hi() * 1e4) / 1e4);
            for (String p : new String[] {"p50", "p90", "p99"}) {
                f.put(p, Math.round(e.figures().get(key + "." + p).mean() * 1e4) / 1e4);
            }
        }
        n.put("restartedFraction", Math.round(e.mean("restartedFraction") * 1e4) / 1e4);
        n.put("throughput", Math.round(e.mean("throughput") * 1e4) / 1e4);
        n.put("gpuHours", Math.round(e.mean("gpuHours") * 1e4) / 1e4);
        return n;
    }

    private static void print(Optimization.Outcome o) {
        Objective obj = o.objective();
        Aggregate.Stat b = o.baseline().figures().get(obj.metric());
        Aggregate.Stat w = o.best().figures().get(obj.metric());
        System.out.printf(Locale.ROOT, "%n%s · %s · %s · %d simulations · %.0f s · stop: %s%n", o.scenario(), o.component(),
                o.strategy(), o.simulationsUsed(), o.wallSeconds(), o.stop());
        System.out.printf(Locale.ROOT, "  search on seeds %s; judged on held-out seeds %s%n", o.searchSeeds(),
                o.heldOutSeeds() == null ? "(nothing to judge)" : o.heldOutSeeds());
        System.out.printf(Locale.ROOT, "  baseline  %-60s %s %.3f [%.3f, %.3f]%n", o.baseline().candidate().label(), obj.metric(),
                b.mean(), b.lo(), b.hi());
        if (!o.improved()) {
            System.out.println(o.searchBest() == o.searchBaseline() ? "  nothing beat the baseline"
                    : "  " + o.searchBest().candidate().label() + " won the search but not on held-out seeds");
        } else {
            System.out.printf(Locale.ROOT, "  winner    %-60s %s %.3f [%.3f, %.3f]  (%.2fx%s)%n", o.best().candidate().label(),
                    obj.metric(), w.mean(), w.lo(), w.hi(), w.mean() / b.mean(),
                    obj.clearlyBetter(o.best().figures(), o.baseline().figures()) ? ", intervals apart" : ", intervals overlap");
            System.out.printf(Locale.ROOT, "  restarts  %.1f%% -> %.1f%% of requests%n", 100 * o.baseline().mean("restartedFraction"),
                    100 * o.best().mean("restartedFraction"));
            o.tailRegressions().forEach(t -> System.out.println("  tail worse: " + t));
        }
        System.out.printf(Locale.ROOT, "%n  report    %s%n", o.report());
        if (o.artifact() != null) {
            System.out.printf(Locale.ROOT, "  policy    %s (review, set spec.approved: true, kubectl apply -f)%n", o.artifact());
        }
    }
}
