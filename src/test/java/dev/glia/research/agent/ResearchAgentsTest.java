package dev.glia.research.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glia.catalog.Artifacts;
import dev.glia.catalog.Resources;
import dev.glia.policy.PolicyArtifact;
import dev.glia.policy.sandbox.PolicySource;
import dev.glia.research.Lab;
import dev.glia.research.Objective;
import dev.glia.research.Optimization;
import dev.glia.research.ResearchBudget;
import dev.glia.research.Stop;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.model.chat.ChatModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Researcher and Supervisor, driven by scripted models that speak langchain4j's chat API:
 * realistic trajectories, budgets, transient failures, parallel and sequential contexts, hostile
 * code, and the ways a weak model goes wrong.
 */
class ResearchAgentsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Policies the scripted Researcher "writes": bundled references, renamed (the agents never see them). */
    static final String MY_ROUTER = Resources.read("policies/HeadroomRouter.java")
            .replace("public class HeadroomRouter", "public class MyRouter")
            .replace("boolean shortestPromptFirst = false;", "boolean shortestPromptFirst = true;");
    static final String ROUND_ROBIN = Resources.read("policies/RoundRobinRouter.java")
            .replace("public class RoundRobinRouter", "public class MyRouter");
    static final String BROKEN = MY_ROUTER.replace("int n = replicas.size();", "int n = replicas.size()");

    @TempDir
    Path dir;

    static Scenario scenario() {
        return ScenarioLoader.load("glia-sharegpt-a10").withDuration(300);
    }

    static String json(Object... keyValues) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        try {
            return JSON.writeValueAsString(m);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Agents agents(Map<String, ChatModel> byRole, double pricePerMillion, boolean library) {
        LlmSettings settings = new LlmSettings("http://scripted/v1", "EMPTY", "scripted", Duration.ofSeconds(5), 3,
                pricePerMillion, pricePerMillion);
        return new Agents(role -> byRole.getOrDefault(role, byRole.get(role.replaceFirst(":.*", ""))), settings, 1,
                library, null);
    }

    static ScriptedModel supervisor() {
        return new ScriptedModel(() -> AiMessage.from("What do the logs say about where the time goes? "
                + "Recall what your earlier experiments showed."));
    }

    static GliaStrategy single(ScriptedModel researcher, ScriptedModel supervisor, boolean library, int steps) {
        return new GliaStrategy(agents(Map.of("researcher", researcher, "supervisor", supervisor), 1.0, library),
                GliaStrategy.Mode.SINGLE, 1, false, 3, steps);
    }

    Optimization.Outcome run(dev.glia.research.Strategy strategy, ResearchBudget budget) {
        Optimization o = new Optimization(scenario(), "router", Objective.parse("minimize e2e", Optimization.metrics()),
                budget, 3, null, dir);
        return o.run(strategy, e -> { });
    }

    /** What the session answered to each call of a tool, as the model read it. */
    static List<String> answers(ScriptedModel model, String tool) {
        List<ChatMessage> last = model.requests.get(model.requests.size() - 1).messages();
        return last.stream().filter(m -> m instanceof ToolExecutionResultMessage t && t.toolName().equals(tool))
                .map(m -> ((ToolExecutionResultMessage) m).text()).toList();
    }

    @Test
    void theAgentsSqlReturnsRealFiguresFromTheRunLogs() throws Exception {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("Done."))
                .call("query_runs", json("run_id", "run-001", "sql",
                        "SELECT count(*) AS n, avg(e2e) AS mean_e2e, max(time) AS last FROM request_metrics, "
                                + "(SELECT max(time) AS time FROM gs_log)"))
                .call("query_runs", json("run_id", "run-001", "sql", "SELECT run_id, ran_by, seeds FROM runs"));
        run(single(researcher, supervisor(), false, 3), new ResearchBudget(100, 10, 600));

        List<String> csv = Files.readAllLines(dir.resolve("runs/run-001/seed-0/request_metrics.csv"));
        int n = csv.size() - 1;
        double mean = csv.stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[8])).average().orElseThrow();
        List<String> answers = answers(researcher, "query_runs");
        String[] header = answers.get(0).lines().findFirst().orElseThrow().split(" \\| ");
        String[] row = answers.get(0).lines().skip(1).findFirst().orElseThrow().split(" \\| ");
        assertThat(header).containsExactly("n", "mean_e2e", "last");
        assertThat(Integer.parseInt(row[0])).isEqualTo(n).isGreaterThan(100);
        assertThat(Double.parseDouble(row[1])).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(Double.parseDouble(row[2])).isPositive();
        assertThat(answers.get(1)).contains("run-001 | baseline | 3");
    }

    @Test
    void aResearcherFixesACompileErrorAnalysesLogsAndFinishesWithABetterPolicy() throws Exception {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("Done."))
                .call("describe_system", "{}")
                .call("read_file", json("path", "policies/LeastLoadedRouter.java"))
                .call("notebook", json("kind", "hypothesis", "text", "Restarts waste work; admission with room to grow "
                        + "and short prompts first should cut restarts and queueing."))
                .call("write_file", json("path", "policies/MyRouter.java", "content", BROKEN))
                .call("compile_policy", json("path", "policies/MyRouter.java"))
                .call("write_file", json("path", "policies/MyRouter.java", "content", MY_ROUTER))
                .call("compile_policy", json("path", "policies/MyRouter.java"))
                .call("run_experiment", json("policy", "policies/MyRouter.java", "parameters", Map.of("decodeToPrefillRatio", 1.0)))
                .call("finish", json("policy", "policies/MyRouter.java", "parameters", Map.of("decodeToPrefillRatio", 1.0),
                        "rationale", "Admission with room to grow avoids restarts; shortest prompt first cuts queueing."));
        Optimization.Outcome out = run(single(researcher, supervisor(), false, 40), new ResearchBudget(100, 10, 600));

        assertThat(researcher.remaining()).isZero();
        assertThat(out.stop().reason()).isEqualTo(Stop.Reason.FINISHED);
        assertThat(out.best().candidate().label()).startsWith("MyRouter");
        assertThat(out.best().mean("e2e.mean")).isLessThan(out.baseline().mean("e2e.mean"));
        String transcript = Files.readString(dir.resolve("transcript.jsonl"));
        assertThat(transcript).contains("MyRouter.java:").contains("';' expected");   // the compile error, located
        assertThat(transcript).contains("ok: router policy MyRouter");                 // and its fix
        assertThat(Files.readString(out.report())).contains("MyRouter").contains("latency-cdf.png");
        assertThat(out.artifact()).exists();
        assertThat(out.usd()).isPositive();
    }

    @Test
    void overwritingTheWinningFileAfterItsRunStillShipsTheWinningSource() throws Exception {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("Done."))
                .call("write_file", json("path", "policies/MyRouter.java", "content", MY_ROUTER))
                .call("run_experiment", json("policy", "policies/MyRouter.java"))
                .call("write_file", json("path", "policies/MyRouter.java", "content", ROUND_ROBIN))
                .call("finish", json("policy", "policies/MyRouter.java", "rationale", "it won"))
                .call("finish", json("policy", "policies/MyRouter.java", "rationale", "it won, really"));
        Optimization.Outcome out = run(single(researcher, supervisor(), false, 10), new ResearchBudget(100, 10, 600));

        PolicyArtifact artifact = Artifacts.read(out.artifact());
        assertThat(artifact.spec().source()).isEqualTo(MY_ROUTER);
        assertThat(artifact.spec().sha256()).isEqualTo(PolicySource.sha256(MY_ROUTER))
                .isEqualTo(out.best().sha256()).isEqualTo(out.searchBest().sha256());
        assertThat(Files.readString(out.best().source())).isEqualTo(MY_ROUTER);
        // the round-robin rewrite ran too (finish judges it) and lost
        assertThat(out.history()).anyMatch(e -> PolicySource.sha256(ROUND_ROBIN).equals(e.sha256()));
        String report = Files.readString(out.report());
        assertThat(report).contains(PolicySource.sha256(MY_ROUTER)).doesNotContain(PolicySource.sha256(ROUND_ROBIN) + "`.");
    }

    @Test
    void aModelWrittenCandidateRunsBehindTheProcessBoundaryWithTheSameFigures() throws Exception {
        java.util.function.Supplier<ScriptedModel> script = () -> new ScriptedModel(() -> AiMessage.from("Done."))
                .call("write_file", json("path", "policies/MyRouter.java", "content", MY_ROUTER))
                .call("run_experiment", json("policy", "policies/MyRouter.java", "seeds", 3))
                .call("finish", json("policy", "policies/MyRouter.java", "rationale", "it won"));
        Optimization.Outcome here = run(single(script.get(), supervisor(), false, 6), new ResearchBudget(100, 10, 600));
        dev.glia.sim.IsolatedExperiments child = new dev.glia.sim.IsolatedExperiments(
                new dev.glia.sim.IsolatedExperiments.Limits("512m", 300, 600));
        Optimization.Outcome isolated;
        try {
            isolated = new Optimization(scenario(), "router", Objective.parse("minimize e2e", Optimization.metrics()),
                    new ResearchBudget(100, 10, 600), 3, null, dir.resolve("isolated")).isolate(child)
                    .run(single(script.get(), supervisor(), false, 6), e -> { });
        } finally {
            child.close();
        }

        assertThat(child.experiments()).as("experiments the isolated child ran").isGreaterThanOrEqualTo(2);
        assertThat(isolated.best().candidate().label()).isEqualTo(here.best().candidate().label()).isEqualTo("MyRouter");
        assertThat(isolated.best().mean("e2e.mean")).isEqualTo(here.best().mean("e2e.mean"));
        assertThat(isolated.baseline().mean("e2e.mean")).isEqualTo(here.baseline().mean("e2e.mean"));
    }

    @Test
    void theStepLimitWithAScreenedWinnerConfirmsAndShipsIt() throws Exception {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("Still thinking."))
                .call("write_file", json("path", "policies/MyRouter.java", "content", MY_ROUTER))
                .call("run_experiment", json("policy", "policies/MyRouter.java", "seeds", 1));
        Optimization.Outcome out = run(single(researcher, supervisor(), false, 4), new ResearchBudget(100, 10, 600));

        assertThat(out.stop().reason()).isEqualTo(Stop.Reason.STEPS);
        assertThat(out.history()).anyMatch(e -> e.by().equals("confirm") && e.seeds() == 3
                && e.candidate().label().equals("MyRouter"));
        assertThat(out.best().candidate().label()).isEqualTo("MyRouter");
        assertThat(out.best().heldOut()).isTrue();
        assertThat(out.artifact()).exists();
        // the Researcher was told its step limit, and warned before the end
        String first = researcher.requests.get(0).messages().toString();
        assertThat(first).contains("you have 4 steps").contains("costing 3 simulations");
        assertThat(researcher.requests.get(2).messages().toString()).contains("3 steps left");
        assertThat(Files.readString(out.report())).contains("Stop reason: `steps`");
    }

    @Test
    void aWorkspaceHoldsTheBaselineAndThePolicyApiButNoKnownAnswer() throws Exception {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("Done."))
                .call("list_files", "{}")
                .call("run_experiment", json("policy", "hra-spf"))
                .call("read_file", json("path", "policies/HeadroomRouter.java"));
        Optimization.Outcome out = run(single(researcher, supervisor(), false, 4), new ResearchBudget(100, 10, 600));

        Path workspace = dir.resolve("contexts/ctx-1");
        try (Stream<Path> files = Files.walk(workspace)) {
            assertThat(files.filter(Files::isRegularFile).map(f -> workspace.relativize(f).toString()).sorted().toList())
                    .containsExactly("POLICY_API.md", "TASK.md", "policies/LeastLoadedRouter.java",
                            "scenarios/glia-sharegpt-a10.yaml");
        }
        String seen = researcher.requests.get(0).toString() + Files.readString(workspace.resolve("TASK.md"))
                + Files.readString(workspace.resolve("scenarios/glia-sharegpt-a10.yaml"));
        assertThat(seen.toLowerCase(Locale.ROOT)).doesNotContainPattern("\\bhra\\b").doesNotContain("headroom")
                .doesNotContain("head-room").doesNotContain("shortest-prompt").doesNotContain("admission control");
        assertThat(answers(researcher, "run_experiment").get(0)).contains("no router named 'hra-spf'");
        assertThat(answers(researcher, "read_file").get(0)).contains("no file 'policies/HeadroomRouter.java'");
        assertThat(out.library()).isFalse();
        assertThat(Files.readString(out.report())).contains("the reference library was not offered");
    }

    @Test
    void withTheLibraryTheReferencePoliciesAreOfferedAndTheReportSaysSo() throws Exception {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("Done."))
                .call("run_experiment", json("policy", "hra-spf"))
                .call("finish", json("policy", "hra-spf", "rationale", "from the library"));
        Optimization.Outcome out = run(single(researcher, supervisor(), true, 5), new ResearchBudget(100, 10, 600));
        assertThat(dir.resolve("contexts/ctx-1/policies/HeadroomRouter.java")).exists();
        assertThat(out.best().candidate().policy()).isEqualTo("hra-spf");
        assertThat(Files.readString(out.report())).contains("`--library`");
    }

    @Test
    void promptsStateTheLogTablesTheStepsTheCostOfFinishAndTheTargetAndOnlyTheToolsAModeHas() {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("Done."));
        Agents withTarget = new Agents(role -> researcher, agents(Map.of(), 1.0, false).settings(), 1, false, 30.0);
        run(new GliaStrategy(withTarget, GliaStrategy.Mode.SINGLE, 1, false, 3, 2), new ResearchBudget(100, 10, 600));
        String prompt = researcher.requests.get(0).messages().toString();
        assertThat(prompt).contains("memory_usage_percent (0-100)").contains("queue_delay (s from arrival to first scheduling)")
                .contains("you have 2 steps").contains("costing 3 simulations").contains("Target: e2e.mean <= 30.0");
        assertThat(researcher.requests.get(0).toolSpecifications().toString()).contains("num_decode_tokens (output)");

        ScriptedModel generator = new ScriptedModel(() -> AiMessage.from("no code"));
        Agents blackBox = new Agents(role -> generator, agents(Map.of(), 1.0, false).settings(), 1, false, 30.0);
        run(new BestOfN(blackBox, 1, 3), new ResearchBudget(100, 10, 600));
        run(new Evolve(blackBox, 2, 2, 2, 3, 0), new ResearchBudget(100, 10, 600));
        for (var request : generator.requests) {
            assertThat(request.messages().toString()).contains("Target: e2e.mean <= 30.0")
                    .doesNotContain("run_experiment").doesNotContain("query_runs").doesNotContain("finish");
        }
    }

    @Test
    void budgetIsSpentOnlyOnExperimentsThatRunAndOnlyOnce() throws Exception {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("Done."))
                .call("write_file", json("path", "policies/Broken.java", "content", BROKEN))
                .call("run_experiment", json("policy", "policies/Broken.java"))
                .call("write_file", json("path", "policies/MyRouter.java", "content", MY_ROUTER))
                .call("write_file", json("path", "policies/SameAgain.java", "content", MY_ROUTER))
                .call("run_experiment", json("policy", "policies/MyRouter.java", "seeds", 2))
                .call("run_experiment", json("policy", "policies/SameAgain.java", "seeds", 2))
                .say("A very long thought. " + "x".repeat(300_000));
        Optimization.Outcome out = run(single(researcher, supervisor(), false, 8), new ResearchBudget(100, 10, 600));
        List<String> runs = answers(researcher, "run_experiment");
        assertThat(runs.get(0)).contains("\"failed\"").contains("\"simulationsLeft\" : 82");   // 100 - 3 - 15 reserved
        assertThat(runs.get(1)).contains("\"runId\" : \"run-003\"").contains("\"simulationsLeft\" : 80");
        assertThat(runs.get(2)).contains("\"runId\" : \"run-003\"").contains("\"simulationsLeft\" : 80");
        assertThat(Files.size(out.report())).isLessThan(60_000);
        assertThat(Files.size(dir.resolve("transcript.jsonl"))).isLessThan(150_000);

        ScriptedModel generator = new ScriptedModel(() -> AiMessage.from("I would rather explain the idea in words."));
        Path evolveDir = dir.resolve("evolve");
        Optimization.Outcome evolve = new Optimization(scenario(), "router", Objective.parse("minimize e2e",
                Optimization.metrics()), new ResearchBudget(100, 1000, 600), 3, null, evolveDir)
                .run(new Evolve(agents(Map.of("generator", generator), 1.0, false), 2, 2, 2, 3, 0), e -> { });
        assertThat(evolve.stop().reason()).isEqualTo(Stop.Reason.MODEL_UNPRODUCTIVE);
        assertThat(generator.requests).hasSize(8);
    }

    @Test
    void theSupervisorStaysQuietDuringProgressAndWhenCalledSeesFiguresFindingsAndTheBestSoFar() {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("Done."))
                .call("notebook", json("kind", "finding", "text", "Replica 2 carries a third of all prompt tokens "
                        + "during bursts, which explains the p99 of queueing."))
                .call("describe_system", "{}")
                .call("list_files", "{}")
                .call("read_file", json("path", "POLICY_API.md"))
                .call("read_file", json("path", "TASK.md"))
                .call("run_experiment", json("policy", "round-robin", "seeds", 1))
                .call("run_experiment", json("policy", "round-robin", "seeds", 2))
                .call("run_experiment", json("policy", "round-robin", "seeds", 3));
        ScriptedModel supervisor = supervisor();
        run(single(researcher, supervisor, false, 9), new ResearchBudget(100, 10, 600));
        assertThat(supervisor.requests).hasSize(1); // the stall, nothing on a schedule
        String brief = supervisor.requests.get(0).messages().toString();
        assertThat(brief).contains("Progress has stalled: 3 experiments")
                .contains("Replica 2 carries a third of all prompt tokens during bursts")   // session findings, whole
                .contains("run-003 round-robin, 2 seeds: e2e.mean")                          // each experiment's figures
                .contains("e2e p50/p99").contains("## Best so far");
        assertThat(researcher.requests.get(researcher.requests.size() - 1).messages().toString()).contains("[Supervisor]");
    }

    @Test
    void theSupervisorStepsInWhenTheResearcherLosesFocus() {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("..."));
        for (int i = 0; i < 8; i++) {
            researcher.call("list_files", "{}");
        }
        ScriptedModel supervisor = supervisor();
        run(single(researcher, supervisor, false, 9), new ResearchBudget(100, 10, 600));
        assertThat(supervisor.requests).hasSize(1);
        assertThat(supervisor.requests.get(0).messages().toString()).contains("lost focus: 8 steps without an experiment");
    }

    @Test
    void inParallelEachContextsStallIsItsOwn() {
        ScriptedModel stalling = new ScriptedModel(() -> AiMessage.from("..."))
                .call("run_experiment", json("policy", "round-robin", "seeds", 1))
                .call("run_experiment", json("policy", "round-robin", "seeds", 2))
                .call("run_experiment", json("policy", "round-robin", "seeds", 3));
        ScriptedModel improving = new ScriptedModel(() -> AiMessage.from("..."))
                .call("write_file", json("path", "policies/MyRouter.java", "content", MY_ROUTER))
                .call("run_experiment", json("policy", "policies/MyRouter.java"))
                .call("finish", json("policy", "policies/MyRouter.java", "rationale", "clearly better"));
        ScriptedModel supervisor1 = supervisor();
        ScriptedModel supervisor2 = supervisor();
        Agents agents = agents(Map.of("researcher:ctx-1", stalling, "researcher:ctx-2", improving,
                "supervisor:ctx-1", supervisor1, "supervisor:ctx-2", supervisor2), 1.0, false);
        Optimization.Outcome out = run(new GliaStrategy(agents, GliaStrategy.Mode.PARALLEL, 2, false, 3, 4),
                new ResearchBudget(100, 10, 600));
        assertThat(out.strategy()).isEqualTo("glia-mcg-par-2");
        assertThat(supervisor1.requests).hasSize(1);
        String brief = supervisor1.requests.get(0).messages().toString();
        assertThat(brief.substring(brief.indexOf("Experiments of this context (ctx-1)"), brief.indexOf("## Best so far")))
                .contains("round-robin, 3 seeds").doesNotContain("MyRouter");
        assertThat(supervisor2.requests).isEmpty();
        assertThat(out.history()).extracting(Lab.Evaluation::by).contains("ctx-1", "ctx-2");
        assertThat(out.best().candidate().label()).isEqualTo("MyRouter");
    }

    @Test
    void aSequentialDigestCarriesWholeFindingsAndTheBestSourceToTheNextContext() throws Exception {
        String finding = "Restarts cluster on replicas whose KV cache is above 90% when a burst arrives; requests "
                + "admitted then are preempted within seconds and recomputed, which is where the mean goes. ".repeat(2);
        ScriptedModel first = new ScriptedModel(() -> AiMessage.from("..."))
                .call("notebook", json("kind", "finding", "text", finding))
                .call("write_file", json("path", "policies/MyRouter.java", "content", MY_ROUTER))
                .call("run_experiment", json("policy", "policies/MyRouter.java"))
                .call("finish", json("policy", "policies/MyRouter.java", "rationale", "better"));
        ScriptedModel second = new ScriptedModel(() -> AiMessage.from("..."))
                .call("read_file", json("path", "policies/from-ctx-1/MyRouter.java"));
        Agents agents = agents(Map.of("researcher:ctx-1", first, "researcher:ctx-2", second, "supervisor", supervisor()),
                1.0, false);
        Optimization.Outcome out = run(new GliaStrategy(agents, GliaStrategy.Mode.SEQUENTIAL, 2, true, 3, 3),
                new ResearchBudget(100, 10, 600));
        String task = second.requests.get(0).messages().toString();
        assertThat(task).contains("finding, ctx-1: " + finding.strip())
                .contains("its source is in your workspace at policies/from-ctx-1/MyRouter.java");
        assertThat(answers(second, "read_file").get(0)).isEqualTo(MY_ROUTER);
        assertThat(Files.readString(out.report())).contains("| ctx-1 | MyRouter |");
    }

    @Test
    void aResearcherWhoWantsToStopEarlyIsQuestionedOnceByTheSupervisor() {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("Done."))
                .call("finish", json("policy", "llq", "rationale", "LLQ is fine."))
                .call("run_experiment", json("policy", "hra-spf"))
                .call("finish", json("policy", "hra-spf", "rationale", "It cuts restarts and queueing."));
        ScriptedModel supervisor = supervisor();
        Optimization.Outcome out = run(single(researcher, supervisor, true, 20), new ResearchBudget(100, 10, 600));
        assertThat(supervisor.requests).hasSize(1);
        assertThat(supervisor.requests.get(0).messages().toString()).contains("wants to stop");
        assertThat(out.best().candidate().policy()).isEqualTo("hra-spf");
    }

    @Test
    void whenTheSimulationBudgetRunsOutTheSessionStopsCleanlyAndJudgesTheBestSoFar() {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("..."))
                .call("run_experiment", json("policy", "hra-spf"))
                .call("run_experiment", json("policy", "lor"))
                .call("run_experiment", json("policy", "least-kv"));
        Optimization.Outcome out = run(single(researcher, supervisor(), true, 20), new ResearchBudget(22, 10, 600));
        assertThat(out.stop().reason()).isEqualTo(Stop.Reason.BUDGET_SIMULATIONS);
        assertThat(out.simulationsUsed()).isLessThanOrEqualTo(22);
        assertThat(out.best().candidate().policy()).isEqualTo("hra-spf");
        assertThat(out.best().heldOut()).isTrue();
        assertThat(out.report()).exists();
    }

    @Test
    void whenTheDollarBudgetRunsOutTheSessionStopsBeforeTheNextCall() {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("thinking"))
                .call("run_experiment", json("policy", "hra-spf"))
                .call("describe_system", "{}")
                .call("describe_system", "{}");
        // $100 per million tokens: each scripted call uses 1,200 tokens, $0.12
        Optimization.Outcome out = run(new GliaStrategy(agents(Map.of("researcher", researcher, "supervisor", supervisor()),
                100, true), GliaStrategy.Mode.SINGLE, 1, false, 3, 20), new ResearchBudget(100, 0.25, 600));
        assertThat(out.stop().reason()).isEqualTo(Stop.Reason.BUDGET_DOLLARS);
        assertThat(out.usd()).isLessThanOrEqualTo(0.25);
        assertThat(out.best().candidate().policy()).isEqualTo("hra-spf");
    }

    @Test
    void rateLimitsAndTimeoutsAreRetriedWithBackoffAndTheSessionGoesOn() throws Exception {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("..."))
                .fail(new RateLimitException("429 Too Many Requests"))
                .fail(new TimeoutException("request timed out"))
                .call("run_experiment", json("policy", "hra-spf"))
                .call("finish", json("policy", "hra-spf", "rationale", "fewer restarts"));
        Optimization.Outcome out = run(single(researcher, supervisor(), true, 20), new ResearchBudget(100, 10, 600));
        assertThat(out.best().candidate().policy()).isEqualTo("hra-spf");
        String transcript = Files.readString(dir.resolve("transcript.jsonl"));
        assertThat(transcript).contains("RateLimitException: 429").contains("TimeoutException").contains("retry 1 of 2");
    }

    @Test
    void aModelThatNeverAnswersIsReportedAsUnusable() {
        ScriptedModel researcher = new ScriptedModel(() -> {
            throw new RateLimitException("429 Too Many Requests");
        });
        Optimization.Outcome out = run(single(researcher, supervisor(), false, 20), new ResearchBudget(100, 10, 600));
        assertThat(out.best()).isSameAs(out.baseline());
        assertThat(out.stop().reason()).isEqualTo(Stop.Reason.MODEL_UNAVAILABLE);
        assertThat(out.modelUnusable()).isTrue();
        assertThat(out.report()).exists();
    }

    @Test
    void malformedAndUnknownToolCallsComeBackAsMessagesTheAgentCanActOn() throws Exception {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("..."))
                .call("launch_rockets", "{}")
                .call("read_file", "{not json")
                .call("read_file", json("path", "../../etc/passwd"))
                .call("write_file", json("path", "/tmp/escape.java", "content", "x"))
                .call("run_experiment", json("policy", "policies/Nope.java"))
                .call("query_runs", json("run_id", "run-001", "sql", "DROP TABLE request_metrics"))
                .call("query_runs", json("run_id", "run-001", "sql", "SELECT FILE_READ('/etc/passwd') FROM runs"))
                .call("finish", json("policy", "llq", "rationale", "nothing to do"));
        run(single(researcher, supervisor(), false, 20), new ResearchBudget(100, 10, 600));
        String transcript = Files.readString(dir.resolve("transcript.jsonl"));
        assertThat(transcript).contains("unknown tool 'launch_rockets'").contains("not valid JSON")
                .contains("leads outside the workspace").contains("absolute paths are outside the workspace")
                .contains("no file 'policies/Nope.java'").contains("only SELECT").contains("Admin rights are required");
        assertThat(transcript).doesNotContain("root:x:");
    }

    @Test
    void aHostilePolicyWrittenByTheAgentIsContainedAndReportedBackToIt() throws Exception {
        String hostile = MY_ROUTER.replace("List<? extends RequestView> queue = cluster.queue();",
                "List<? extends RequestView> queue = cluster.queue(); System.exit(3);");
        String looping = MY_ROUTER.replace("List<? extends RequestView> queue = cluster.queue();",
                "List<? extends RequestView> queue = cluster.queue(); while (queue.size() >= 0) { }");
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("..."))
                .call("write_file", json("path", "policies/MyRouter.java", "content", hostile))
                .call("run_experiment", json("policy", "policies/MyRouter.java"))
                .call("write_file", json("path", "policies/MyRouter.java", "content", looping))
                .call("run_experiment", json("policy", "policies/MyRouter.java"))
                .call("run_experiment", json("policy", "hra-spf"))
                .call("finish", json("policy", "hra-spf", "rationale", "the safe one"));
        Optimization.Outcome out = run(single(researcher, supervisor(), true, 20), new ResearchBudget(100, 10, 600));
        String transcript = Files.readString(dir.resolve("transcript.jsonl"));
        assertThat(transcript).contains("java.lang.System.exit").contains("step budget exceeded");
        assertThat(out.history()).filteredOn(Lab.Evaluation::failed).hasSize(2);
        assertThat(out.best().candidate().policy()).isEqualTo("hra-spf");
    }

    @Test
    void bestOfNJudgesEverySampleAndSurvivesGarbage() {
        ScriptedModel generator = new ScriptedModel(() -> AiMessage.from("I cannot help with that."))
                .say("Here you go:\n```java\n" + MY_ROUTER + "```")
                .say("no code at all")
                .say("```java\npublic class Broken implements dev.glia.policy.Router {```");
        Optimization.Outcome out = run(new BestOfN(agents(Map.of("generator", generator), 1.0, false), 3, 3),
                new ResearchBudget(100, 10, 600));
        assertThat(out.best().candidate().label()).isEqualTo("Sample1");
        assertThat(out.history()).filteredOn(Lab.Evaluation::failed).hasSize(1);
    }

    @Test
    void evolutionShowsProgramsAndScoresOnly() {
        ScriptedModel generator = new ScriptedModel(() -> AiMessage.from("```java\n" + MY_ROUTER + "```"));
        Optimization.Outcome out = run(new Evolve(agents(Map.of("generator", generator), 1.0, false), 2, 2, 2, 3, 0),
                new ResearchBudget(24, 10, 600));
        assertThat(out.simulationsUsed()).isLessThanOrEqualTo(24);
        assertThat(out.best().candidate().label()).startsWith("Gen");
        String prompt = generator.requests.get(generator.requests.size() - 1).messages().toString();
        assertThat(prompt).contains("e2e.mean =").doesNotContain("request_metrics");
    }
}
