package dev.glia.research.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glia.research.Objective;
import dev.glia.research.Optimization;
import dev.glia.research.ResearchBudget;
import dev.glia.sim.io.Resources;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.model.chat.ChatModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Researcher and Supervisor, driven by scripted models that speak langchain4j's chat API:
 * realistic trajectories, budgets, transient failures, parallel contexts, hostile code.
 */
class ResearchAgentsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String HRA = Resources.read("policies/HeadroomRouter.java");
    static final String MY_ROUTER = HRA.replace("public class HeadroomRouter", "public class MyRouter")
            .replace("boolean shortestPromptFirst = false;", "boolean shortestPromptFirst = true;");
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

    static Agents agents(Map<String, ChatModel> byRole, double pricePerMillion) {
        LlmSettings settings = new LlmSettings("http://scripted/v1", "EMPTY", "scripted", Duration.ofSeconds(5), 3,
                pricePerMillion, pricePerMillion);
        return new Agents(role -> byRole.getOrDefault(role, byRole.get(role.replaceFirst(":.*", ""))), settings, 1);
    }

    static ScriptedModel supervisor() {
        return new ScriptedModel(() -> AiMessage.from("It seems we have been unable to reduce the number of restarts. "
                + "Why is that? Is something structural making them hard to avoid? Recall that shortest-prompt-first helped."));
    }

    Optimization.Outcome run(GliaStrategy strategy, ResearchBudget budget) {
        Optimization o = new Optimization(scenario(), "router", Objective.parse("minimize e2e", Optimization.metrics()),
                budget, 3, dir);
        return o.run(strategy, e -> { });
    }

    @Test
    void aResearcherReadsTheBaselineFixesACompileErrorAnalysesLogsAndFinishesWithABetterPolicy() throws Exception {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("Done."))
                .call("describe_system", "{}")
                .call("read_file", json("path", "policies/HeadroomRouter.java"))
                .call("query_runs", json("run_id", "run-001", "sql",
                        "SELECT count(*) AS n, avg(e2e) AS e2e, avg(CASE WHEN restarts > 0 THEN 1.0 ELSE 0 END) AS restarted, "
                                + "avg(queue_delay) AS queueing FROM request_metrics"))
                .call("notebook", json("kind", "hypothesis", "text", "Restarts waste work; admission with head-room and "
                        + "shortest prompt first should cut restarts and queueing."))
                .call("write_file", json("path", "policies/MyRouter.java", "content", BROKEN))
                .call("compile_policy", json("path", "policies/MyRouter.java"))
                .call("write_file", json("path", "policies/MyRouter.java", "content", MY_ROUTER))
                .call("compile_policy", json("path", "policies/MyRouter.java"))
                .call("run_experiment", json("policy", "policies/MyRouter.java", "parameters", Map.of("decodeToPrefillRatio", 1.0)))
                .call("query_runs", json("run_id", "run-002", "sql", "SELECT replica_id, count(*) AS n FROM request_metrics GROUP BY replica_id ORDER BY replica_id"))
                .call("finish", json("policy", "policies/MyRouter.java", "parameters", Map.of("decodeToPrefillRatio", 1.0),
                        "rationale", "Head-room admission avoids restarts; shortest prompt first cuts queueing."));
        ScriptedModel supervisor = supervisor();
        Agents agents = agents(Map.of("researcher", researcher, "supervisor", supervisor), 1.0);
        Optimization.Outcome out = run(new GliaStrategy(agents, GliaStrategy.Mode.SINGLE, 1, false, null, 3, 40),
                new ResearchBudget(100, 10, 600));

        assertThat(researcher.remaining()).isZero();
        assertThat(out.best().candidate().label()).startsWith("MyRouter");
        assertThat(out.best().mean("e2e.mean")).isLessThan(out.baseline().mean("e2e.mean"));
        String transcript = Files.readString(dir.resolve("transcript.jsonl"));
        assertThat(transcript).contains("MyRouter.java:").contains("';' expected");   // the compile error, located
        assertThat(transcript).contains("ok: router policy MyRouter");                 // and its fix
        assertThat(transcript).contains("restarted").contains("queueing");             // the SQL answer
        assertThat(transcript).contains("\"kind\":\"SUPERVISOR\"").contains("\"kind\":\"HYPOTHESIS\"");
        // the supervisor saw the researcher's work, never the workspace tools
        assertThat(supervisor.requests).isNotEmpty();
        assertThat(supervisor.requests.get(0).toolSpecifications()).isEmpty();
        assertThat(supervisor.requests.get(0).messages().toString()).contains("compile_policy");
        // the researcher heard the supervisor
        assertThat(researcher.requests.get(researcher.requests.size() - 1).messages().toString()).contains("[Supervisor]");
        assertThat(Files.readString(out.report())).contains("MyRouter").contains("latency-cdf.png");
        assertThat(out.artifact()).exists();
        assertThat(out.usd()).isPositive();
    }

    @Test
    void aResearcherWhoWantsToStopEarlyIsQuestionedOnceByTheSupervisor() {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("Done."))
                .call("finish", json("policy", "llq", "rationale", "LLQ is fine."))
                .call("run_experiment", json("policy", "hra-spf"))
                .call("finish", json("policy", "hra-spf", "rationale", "HRA with SPF cuts restarts and queueing."));
        ScriptedModel supervisor = supervisor();
        Optimization.Outcome out = run(new GliaStrategy(agents(Map.of("researcher", researcher, "supervisor", supervisor), 1.0),
                GliaStrategy.Mode.SINGLE, 1, false, null, 3, 20), new ResearchBudget(100, 10, 600));
        assertThat(supervisor.requests).hasSize(1);
        assertThat(supervisor.requests.get(0).messages().toString()).contains("wants to stop");
        assertThat(out.best().candidate().policy()).isEqualTo("hra-spf");
    }

    @Test
    void whenTheSimulationBudgetRunsOutTheSessionStopsCleanlyWithTheBestSoFar() {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("..."))
                .call("run_experiment", json("policy", "hra-spf"))
                .call("run_experiment", json("policy", "lor"))
                .call("run_experiment", json("policy", "least-kv"));
        Optimization.Outcome out = run(new GliaStrategy(agents(Map.of("researcher", researcher, "supervisor", supervisor()), 1.0),
                GliaStrategy.Mode.SINGLE, 1, false, null, 3, 20), new ResearchBudget(7, 10, 600));
        assertThat(out.stopReason()).contains("simulation budget");
        assertThat(out.simulationsUsed()).isLessThanOrEqualTo(7);
        assertThat(out.best().candidate().policy()).isEqualTo("hra-spf");
        assertThat(out.report()).exists();
    }

    @Test
    void whenTheDollarBudgetRunsOutTheSessionStopsBeforeTheNextCall() {
        ScriptedModel researcher = new ScriptedModel(() -> AiMessage.from("thinking"))
                .call("run_experiment", json("policy", "hra-spf"))
                .call("describe_system", "{}")
                .call("describe_system", "{}");
        // $100 per million tokens: each scripted call uses 1,200 tokens, $0.12
        Optimization.Outcome out = run(new GliaStrategy(agents(Map.of("researcher", researcher, "supervisor", supervisor()), 100),
                GliaStrategy.Mode.SINGLE, 1, false, null, 3, 20), new ResearchBudget(100, 0.25, 600));
        assertThat(out.stopReason()).contains("dollar budget");
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
        Optimization.Outcome out = run(new GliaStrategy(agents(Map.of("researcher", researcher, "supervisor", supervisor()), 1.0),
                GliaStrategy.Mode.SINGLE, 1, false, null, 3, 20), new ResearchBudget(100, 10, 600));
        assertThat(out.best().candidate().policy()).isEqualTo("hra-spf");
        String transcript = Files.readString(dir.resolve("transcript.jsonl"));
        assertThat(transcript).contains("RateLimitException: 429").contains("TimeoutException").contains("retry 1 of 2");
    }

    @Test
    void aModelThatKeepsFailingEndsTheContextButNotTheSession() {
        ScriptedModel researcher = new ScriptedModel(() -> {
            throw new RateLimitException("429 Too Many Requests");
        });
        Optimization.Outcome out = run(new GliaStrategy(agents(Map.of("researcher", researcher, "supervisor", supervisor()), 1.0),
                GliaStrategy.Mode.SINGLE, 1, false, null, 3, 20), new ResearchBudget(100, 10, 600));
        assertThat(out.best()).isSameAs(out.baseline());
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
        run(new GliaStrategy(agents(Map.of("researcher", researcher, "supervisor", supervisor()), 1.0),
                GliaStrategy.Mode.SINGLE, 1, false, null, 3, 20), new ResearchBudget(100, 10, 600));
        String transcript = Files.readString(dir.resolve("transcript.jsonl"));
        assertThat(transcript).contains("unknown tool 'launch_rockets'").contains("not valid JSON")
                .contains("leads outside the workspace").contains("absolute paths are outside the workspace")
                .contains("only SELECT").contains("SQL error");
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
        Optimization.Outcome out = run(new GliaStrategy(agents(Map.of("researcher", researcher, "supervisor", supervisor()), 1.0),
                GliaStrategy.Mode.SINGLE, 1, false, null, 3, 20), new ResearchBudget(100, 10, 600));
        String transcript = Files.readString(dir.resolve("transcript.jsonl"));
        assertThat(transcript).contains("java.lang.System.exit").contains("step budget exceeded");
        assertThat(out.history()).filteredOn(e -> e.failed()).hasSize(2);
        assertThat(out.best().candidate().policy()).isEqualTo("hra-spf");
    }

    @Test
    void parallelContextsShareTheBudgetAndTheBestResultWins() {
        ScriptedModel weak = new ScriptedModel(() -> AiMessage.from("..."))
                .call("run_experiment", json("policy", "lor"))
                .call("finish", json("policy", "lor", "rationale", "balanced"));
        ScriptedModel strong = new ScriptedModel(() -> AiMessage.from("..."))
                .call("run_experiment", json("policy", "hra-spf"))
                .call("finish", json("policy", "hra-spf", "rationale", "head-room"));
        Agents agents = agents(Map.of("researcher:ctx-1", weak, "researcher:ctx-2", strong, "supervisor", supervisor()), 1.0);
        Optimization.Outcome out = run(new GliaStrategy(agents, GliaStrategy.Mode.PARALLEL, 2, false, null, 3, 20),
                new ResearchBudget(100, 10, 600));
        assertThat(out.strategy()).isEqualTo("glia-mcg-par-2");
        assertThat(out.history()).extracting(e -> e.candidate().policy()).contains("lor", "hra-spf");
        assertThat(out.best().candidate().policy()).isEqualTo("hra-spf");
    }

    @Test
    void bestOfNJudgesEverySampleAndSurvivesGarbage() {
        ScriptedModel generator = new ScriptedModel(() -> AiMessage.from("I cannot help with that."))
                .say("Here you go:\n```java\n" + MY_ROUTER + "```")
                .say("no code at all")
                .say("```java\npublic class Broken implements dev.glia.policy.Router {```");
        Agents agents = agents(Map.of("generator", generator), 1.0);
        Optimization o = new Optimization(scenario(), "router", Objective.parse("minimize e2e", Optimization.metrics()),
                new ResearchBudget(100, 10, 600), 3, dir);
        Optimization.Outcome out = o.run(new BestOfN(agents, 3, 3), e -> { });
        assertThat(out.best().candidate().label()).isEqualTo("Sample1");
        assertThat(out.history()).filteredOn(e -> e.failed()).hasSize(1);
    }

    @Test
    void evolutionSpendsTheBudgetOnScoredProgramsOnly() throws Exception {
        ScriptedModel generator = new ScriptedModel(() -> AiMessage.from("```java\n" + MY_ROUTER + "```"));
        Agents agents = agents(Map.of("generator", generator), 1.0);
        Optimization o = new Optimization(scenario(), "router", Objective.parse("minimize e2e", Optimization.metrics()),
                new ResearchBudget(12, 10, 600), 3, dir);
        Optimization.Outcome out = o.run(new Evolve(agents, 2, 2, 2, 3, 0), e -> { });
        assertThat(out.simulationsUsed()).isLessThanOrEqualTo(12);
        assertThat(out.best().candidate().label()).startsWith("Gen");
        // score-only feedback: the prompt shows programs and scores, never run logs
        String prompt = generator.requests.get(generator.requests.size() - 1).messages().toString();
        assertThat(prompt).contains("e2e.mean =").doesNotContain("request_metrics");
    }
}
