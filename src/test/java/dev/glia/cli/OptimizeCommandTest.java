package dev.glia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glia.catalog.Resources;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** glia optimize without an LLM: the tuner, one component or several in turn. */
@QuarkusMainTest
class OptimizeCommandTest {
    @TempDir
    Path dir;

    @Test
    void withoutAnLlmTheTunerOptimisesComponentsInTurnWithEarlierWinnersInPlace(QuarkusMainLauncher launcher)
            throws Exception {
        Path scenario = dir.resolve("short.yaml");
        Files.writeString(scenario, Resources.read("scenarios/glia-sharegpt-a10.yaml").replace("duration: 1000", "duration: 400"));
        Path out = dir.resolve("session");
        LaunchResult result = launcher.launch("optimize", "--scenario", scenario.toString(), "--component",
                "router,batchPriority", "--seeds", "3", "--screen-seeds", "1", "--budget-sims", "200", "--out",
                out.toString(), "--json");
        assertThat(result.exitCode()).as(result.getErrorOutput()).isZero();
        assertThat(result.getErrorOutput()).contains("optimizing the router").contains("sims]");
        JsonNode json = new ObjectMapper().readTree(result.getOutput());
        assertThat(json.path("strategy").asText()).isEqualTo("tuner");
        assertThat(json.path("steps")).hasSize(2);
        JsonNode router = json.path("steps").path(0);
        JsonNode priority = json.path("steps").path(1);
        assertThat(router.path("best").path("policy").asText()).startsWith("HeadroomRouter");
        // the batch-priority step starts from the router step's winner (compared on the search's seeds)
        assertThat(priority.path("search").path("baseline").path("e2e").path("mean").asDouble())
                .isEqualTo(router.path("search").path("best").path("e2e").path("mean").asDouble());
        assertThat(router.path("stopReason").asText()).isEqualTo("finished");
        assertThat(router.path("heldOutSeeds").toString()).isEqualTo("[3,4,5,6,7,8]");
        assertThat(json.path("simulationsUsed").asInt()).isLessThanOrEqualTo(200);
        assertThat(out.resolve("router/report.md")).exists();
        assertThat(out.resolve("batchPriority/report.md")).exists();
        assertThat(out.resolve("router/policy.glia-policy.yaml")).exists();
    }

    @Test
    void anUnknownStrategyOrMetricIsAClearError(QuarkusMainLauncher launcher) {
        LaunchResult strategy = launcher.launch("optimize", "--strategy", "genius", "--out", dir.toString());
        assertThat(strategy.exitCode()).isEqualTo(2);
        assertThat(strategy.getErrorOutput()).contains("unknown strategy 'genius'").contains("tuner, glia, evolve, best-of-n");
        LaunchResult metric = launcher.launch("optimize", "--objective", "minimize latency", "--out", dir.toString());
        assertThat(metric.exitCode()).isEqualTo(2);
        assertThat(metric.getErrorOutput()).contains("unknown metric 'latency'");
        LaunchResult noModel = launcher.launch("optimize", "--strategy", "glia", "--llm-base-url", "http://localhost:1/v1",
                "--out", dir.toString());
        assertThat(noModel.exitCode()).isEqualTo(2);
        assertThat(noModel.getErrorOutput()).contains("no model name");
    }
}
