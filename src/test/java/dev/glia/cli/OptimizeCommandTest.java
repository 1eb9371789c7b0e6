package dev.glia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glia.catalog.Resources;
import dev.glia.research.SessionProgress;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
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
        // the last step's report rides in the result; one progress line per experiment on stderr, for programs
        assertThat(json.path("report").asText()).isEqualTo(Files.readString(out.resolve("batchPriority/report.md")));
        List<SessionProgress> progress = result.getErrorOutput().lines().map(SessionProgress::parse)
                .flatMap(Optional::stream).toList();
        assertThat(progress).isNotEmpty().allSatisfy(p -> assertThat(p.simulationsBudget()).isEqualTo(200));
        assertThat(progress.get(progress.size() - 1).simulationsUsed())
                .isGreaterThan(router.path("simulationsUsed").asInt())
                .isLessThanOrEqualTo(json.path("simulationsUsed").asInt());
        assertThat(progress.get(progress.size() - 1).usdBudget()).isEqualTo(30.0);
    }

    @Test
    void durationOverridesTheScenariosSimulatedSecondsAndMustBePositive(QuarkusMainLauncher launcher)
            throws Exception {
        for (String bad : new String[] {"0", "-5", "NaN"}) {
            LaunchResult refused = launcher.launch("optimize", "--duration", bad, "--out", dir.toString());
            assertThat(refused.exitCode()).as(bad).isEqualTo(2);
            assertThat(refused.getErrorOutput()).contains("--duration must be a positive number of seconds");
        }
        Path out = dir.resolve("short");
        LaunchResult result = launcher.launch("optimize", "--duration", "300", "--seeds", "3", "--screen-seeds", "1",
                "--budget-sims", "40", "--out", out.toString(), "--json");
        assertThat(result.exitCode()).as(result.getErrorOutput()).isZero();
        try (var configs = Files.walk(out.resolve("runs"))) {
            assertThat(configs.filter(f -> f.getFileName().toString().equals("config.json")).toList()).isNotEmpty()
                    .allSatisfy(f -> assertThat(Files.readString(f)).contains("\"duration\" : 300.0"));
        }
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
