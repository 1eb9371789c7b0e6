package dev.glia.cli;

import static dev.glia.cli.FakeOpenAiServer.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glia.sim.io.Resources;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * glia optimize --strategy glia end to end: the Researcher and the Supervisor talk to an
 * OpenAI-compatible server through quarkus-langchain4j, with a rate limit and a stalled call on
 * the way, and the session ends with a better policy, its artifact, report and transcript.
 */
@QuarkusMainTest
class OptimizeWithAgentsTest {
    static final String HRA = Resources.read("policies/HeadroomRouter.java");
    static final String MY_ROUTER = HRA.replace("public class HeadroomRouter", "public class MyRouter")
            .replace("boolean shortestPromptFirst = false;", "boolean shortestPromptFirst = true;");
    static final String BROKEN = MY_ROUTER.replace("int n = replicas.size();", "int n = replicas.size()");

    @TempDir
    Path dir;

    @Test
    void theResearcherAndSupervisorFindABetterRouterThroughAnOpenAiCompatibleEndpoint(QuarkusMainLauncher launcher)
            throws Exception {
        Path scenario = dir.resolve("short.yaml");
        Files.writeString(scenario, Resources.read("scenarios/glia-sharegpt-a10.yaml").replace("duration: 1000", "duration: 300"));
        List<Map<String, Object>> trajectory = List.of(
                call("describe_system", Map.of()),
                call("read_file", Map.of("path", "policies/HeadroomRouter.java")),
                call("query_runs", Map.of("run_id", "run-001", "sql",
                        "SELECT avg(e2e) AS e2e, avg(CASE WHEN restarts > 0 THEN 1.0 ELSE 0 END) AS restarted FROM request_metrics")),
                call("notebook", Map.of("kind", "hypothesis", "text", "Restarts from KV exhaustion cost latency; head-room admission should remove them.")),
                call("write_file", Map.of("path", "policies/MyRouter.java", "content", BROKEN)),
                call("compile_policy", Map.of("path", "policies/MyRouter.java")),
                call("write_file", Map.of("path", "policies/MyRouter.java", "content", MY_ROUTER)),
                call("compile_policy", Map.of("path", "policies/MyRouter.java")),
                call("run_experiment", Map.of("policy", "policies/MyRouter.java", "parameters", Map.of("decodeToPrefillRatio", 1.0))),
                call("finish", Map.of("policy", "policies/MyRouter.java", "parameters", Map.of("decodeToPrefillRatio", 1.0),
                        "rationale", "Admission with head-room removes restarts; shortest prompt first removes queueing.")));
        try (FakeOpenAiServer llm = new FakeOpenAiServer(trajectory,
                "Why do restarts persist? Is something structural making them hard to avoid?")
                .rateLimitFirst(1).stallOnce(3, 2500)) {
            Path out = dir.resolve("session");
            LaunchResult result = launcher.launch("optimize", "--strategy", "glia", "--scenario", scenario.toString(),
                    "--seeds", "3", "--budget-sims", "60", "--llm-base-url", llm.baseUrl(), "--model", "fake-o3",
                    "--llm-api-key", "EMPTY", "--llm-timeout", "1", "--out", out.toString(), "--json");
            assertThat(result.exitCode()).as(result.getErrorOutput()).isZero();
            JsonNode json = new ObjectMapper().readTree(result.getOutput());
            assertThat(json.path("strategy").asText()).isEqualTo("glia-scg");
            assertThat(json.path("best").path("policy").asText()).startsWith("MyRouter");
            assertThat(json.path("best").path("e2e").path("mean").asDouble())
                    .isLessThan(json.path("baseline").path("e2e").path("mean").asDouble());
            assertThat(json.path("usd").asDouble()).isPositive();
            assertThat(Path.of(json.path("reportPath").asText())).exists();
            assertThat(out.resolve("policy.glia-policy.yaml")).exists();

            assertThat(llm.rateLimited).isEqualTo(1);
            assertThat(llm.supervisorCalls).isPositive();
            JsonNode first = llm.requests.get(0);
            assertThat(first.path("model").asText()).isEqualTo("fake-o3");
            assertThat(first.path("tools").toString()).contains("run_experiment").contains("query_runs");
            String transcript = Files.readString(out.resolve("transcript.jsonl"));
            assertThat(transcript).contains("';' expected").contains("ok: router policy MyRouter")
                    .contains("\"kind\":\"SUPERVISOR\"").contains("retry 1 of 3");
        }
    }
}
