package dev.glia.cli;

import static dev.glia.cli.FakeOpenAiServer.call;
import static dev.glia.cli.FakeOpenAiServer.empty;
import static dev.glia.cli.FakeOpenAiServer.say;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glia.catalog.Resources;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * glia optimize --strategy glia end to end: the Researcher and the Supervisor talk to a server as
 * strict as OpenAI's through quarkus-langchain4j, with a rate limit, a stalled call, an empty
 * reply and a context-length error on the way; a refused key or an unreachable endpoint is a
 * failure with its cause, not a session that found nothing.
 */
@QuarkusMainTest
class OptimizeWithAgentsTest {
    /** A policy the scripted Researcher "writes": the bundled reference, renamed (the agents never see it). */
    static final String MY_ROUTER = Resources.read("policies/HeadroomRouter.java")
            .replace("public class HeadroomRouter", "public class MyRouter")
            .replace("boolean shortestPromptFirst = false;", "boolean shortestPromptFirst = true;");
    static final String BROKEN = MY_ROUTER.replace("int n = replicas.size();", "int n = replicas.size()");

    @TempDir
    Path dir;

    Path shortScenario() throws Exception {
        Path scenario = dir.resolve("short.yaml");
        Files.writeString(scenario, Resources.read("scenarios/glia-sharegpt-a10.yaml").replace("duration: 1000", "duration: 300"));
        return scenario;
    }

    LaunchResult optimize(QuarkusMainLauncher launcher, String baseUrl, String key, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("optimize", "--strategy", "glia", "--scenario", shortScenario().toString(),
                "--seeds", "3", "--budget-sims", "60", "--llm-base-url", baseUrl, "--model", "fake-o3",
                "--llm-api-key", key, "--llm-timeout", "1", "--out", dir.resolve("session").toString(), "--json"));
        args.addAll(List.of(more));
        return launcher.launch(args.toArray(String[]::new));
    }

    @Test
    void theResearcherAndSupervisorFindABetterRouterThroughAnOpenAiCompatibleEndpoint(QuarkusMainLauncher launcher)
            throws Exception {
        List<Map<String, Object>> trajectory = List.of(
                call("describe_system", Map.of()),
                call("read_file", Map.of("path", "policies/LeastLoadedRouter.java")),
                call("query_runs", Map.of("run_id", "run-001", "sql",
                        "SELECT avg(e2e) AS e2e, avg(CASE WHEN restarts > 0 THEN 1.0 ELSE 0 END) AS restarted FROM request_metrics")),
                call("notebook", Map.of("kind", "hypothesis", "text", "Restarts from KV exhaustion cost latency; admission with room to grow should remove them.")),
                call("write_file", Map.of("path", "policies/MyRouter.java", "content", BROKEN)),
                call("compile_policy", Map.of("path", "policies/MyRouter.java")),
                call("write_file", Map.of("path", "policies/MyRouter.java", "content", MY_ROUTER)),
                call("compile_policy", Map.of("path", "policies/MyRouter.java")),
                call("run_experiment", Map.of("policy", "policies/MyRouter.java", "parameters", Map.of("decodeToPrefillRatio", 1.0))),
                call("finish", Map.of("policy", "policies/MyRouter.java", "parameters", Map.of("decodeToPrefillRatio", 1.0),
                        "rationale", "Admission with room to grow removes restarts; shortest prompt first removes queueing.")));
        try (FakeOpenAiServer llm = new FakeOpenAiServer(trajectory, "What do the logs say about the slowest requests?")
                .rateLimitFirst(1).stallOnce(3, 2500)) {
            LaunchResult result = optimize(launcher, llm.baseUrl(), FakeOpenAiServer.KEY);
            assertThat(result.exitCode()).as(result.getErrorOutput()).isZero();
            JsonNode json = new ObjectMapper().readTree(result.getOutput());
            assertThat(json.path("strategy").asText()).isEqualTo("glia-scg");
            assertThat(json.path("stopReason").asText()).isEqualTo("finished");
            assertThat(json.path("best").path("policy").asText()).startsWith("MyRouter");
            assertThat(json.path("best").path("e2e").path("mean").asDouble())
                    .isLessThan(json.path("baseline").path("e2e").path("mean").asDouble());
            // judged on seeds the search never saw, and both sets named
            assertThat(json.path("searchSeeds").toString()).isEqualTo("[0,1,2]");
            assertThat(json.path("heldOutSeeds").toString()).isEqualTo("[3,4,5,6,7,8]");
            assertThat(json.path("best").path("seeds")).isEqualTo(json.path("heldOutSeeds"));
            assertThat(json.path("baseline").path("seeds")).isEqualTo(json.path("heldOutSeeds"));
            assertThat(json.path("usd").asDouble()).isPositive();
            assertThat(Path.of(json.path("reportPath").asText())).exists();
            assertThat(dir.resolve("session/policy.glia-policy.yaml")).exists();

            assertThat(llm.rateLimited).isEqualTo(1);
            assertThat(llm.invalidRequests).isZero();
            // the SQL came back with figures from the baseline's logs, not an error
            String answer = llm.requests.get(llm.requests.size() - 1).path("messages").findValues("content").stream()
                    .map(JsonNode::asText).filter(c -> c.startsWith("e2e | restarted\n")).findFirst().orElseThrow();
            String[] row = answer.lines().skip(1).findFirst().orElseThrow().split(" \\| ");
            assertThat(Double.parseDouble(row[0])).isPositive();
            assertThat(Double.parseDouble(row[1])).isBetween(0.0, 1.0);
            JsonNode first = llm.requests.get(0);
            assertThat(first.path("model").asText()).isEqualTo("fake-o3");
            assertThat(first.path("tools").toString()).contains("run_experiment").contains("query_runs");
            String transcript = Files.readString(dir.resolve("session/transcript.jsonl"));
            assertThat(transcript).contains("';' expected").contains("ok: router policy MyRouter").contains("retry 1 of 3");
        }
    }

    @Test
    void anEmptyReplyAndAContextLengthErrorDoNotEndTheContext(QuarkusMainLauncher launcher) throws Exception {
        List<Map<String, Object>> trajectory = List.of(
                call("describe_system", Map.of()),
                empty(),
                call("read_file", Map.of("path", "POLICY_API.md")),
                say("Let me think aloud. " + "The queue grows when bursts arrive. ".repeat(8_000)),
                call("read_file", Map.of("path", "policies/LeastLoadedRouter.java")),
                call("write_file", Map.of("path", "policies/MyRouter.java", "content", MY_ROUTER)),
                call("run_experiment", Map.of("policy", "policies/MyRouter.java")),
                call("finish", Map.of("policy", "policies/MyRouter.java", "rationale", "fewer restarts")),
                call("finish", Map.of("policy", "policies/MyRouter.java", "rationale", "fewer restarts, as measured")));
        try (FakeOpenAiServer llm = new FakeOpenAiServer(trajectory, "Is the result clearly better than the baseline?")
                .contextTokens(5_000)) {
            LaunchResult result = optimize(launcher, llm.baseUrl(), FakeOpenAiServer.KEY);
            assertThat(result.exitCode()).as(result.getErrorOutput()).isZero();
            JsonNode json = new ObjectMapper().readTree(result.getOutput());
            assertThat(llm.invalidRequests).as("an empty assistant message was sent").isZero();
            assertThat(llm.contextLengthErrors).isPositive();
            assertThat(json.path("stopReason").asText()).isEqualTo("finished");
            assertThat(json.path("best").path("policy").asText()).startsWith("MyRouter");
            String transcript = Files.readString(dir.resolve("session/transcript.jsonl"));
            assertThat(transcript).contains("empty reply").contains("older turns summarised");
            // the summary that replaced older turns carries what they established
            assertThat(llm.requests.toString()).contains("Summary of your earlier work");
            // a 300 KB reply is quoted, not copied
            assertThat(Files.size(dir.resolve("session/report.md"))).isLessThan(60_000);
        }
    }

    @Test
    void aRefusedKeyIsAFailureThatNamesItsCause(QuarkusMainLauncher launcher) throws Exception {
        try (FakeOpenAiServer llm = new FakeOpenAiServer(List.of(), "")) {
            LaunchResult result = optimize(launcher, llm.baseUrl(), "sk-wrong");
            assertThat(result.exitCode()).isEqualTo(3);
            assertThat(result.getErrorOutput()).contains("the model could not be used (auth-failed)")
                    .contains("refused the API key");
            assertThat(new ObjectMapper().readTree(result.getOutput()).path("stopReason").asText()).isEqualTo("auth-failed");
            assertThat(llm.unauthorized).isEqualTo(1); // not retried
        }
    }

    @Test
    void anUnreachableEndpointIsAFailureThatNamesItsCause(QuarkusMainLauncher launcher) throws Exception {
        LaunchResult result = optimize(launcher, "http://127.0.0.1:1/v1", FakeOpenAiServer.KEY, "--llm-attempts", "1");
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.getErrorOutput()).contains("the model could not be used (model-unavailable)")
                .contains("cannot reach the model at http://127.0.0.1:1/v1");
    }
}
