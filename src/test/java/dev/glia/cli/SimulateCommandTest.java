package dev.glia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The `glia` command line, run as the packaged application runs it. */
@QuarkusMainTest
class SimulateCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SEED_FILES = List.of("summary.json", "request_metrics.csv", "reqs_log.csv",
            "gs_log.csv", "batch_log.csv");

    @TempDir
    Path tmp;

    @Test
    void simulateWithJsonPrintsOneSummaryObjectAndWritesTheRunDirectory(QuarkusMainLauncher launcher)
            throws IOException {
        Path out = tmp.resolve("run");

        LaunchResult result = launcher.launch("simulate", "--scenario", "low-load", "--seeds", "2",
                "--duration", "60", "--json", "--out", out.toString());

        assertThat(result.exitCode()).as(result.getErrorOutput()).isZero();
        JsonNode o = JSON.readTree(result.getOutput());
        assertThat(o.isObject()).isTrue();
        assertThat(o.get("scenario").asText()).isEqualTo("low-load");
        assertThat(o.get("seeds").asInt()).isEqualTo(2);
        // bursty 3 QPS for 60 s on two seeds, all completed
        assertThat(o.get("requests").asLong()).isPositive();
        assertThat(o.get("completed").asLong()).isEqualTo(o.get("requests").asLong());
        for (String field : List.of("mean", "p50", "p90", "p99")) {
            assertThat(o.path("e2e").path(field).isNumber()).as("e2e.%s", field).isTrue();
            assertThat(o.path("e2e").path(field).asDouble()).as("e2e.%s", field).isPositive();
        }
        JsonNode e2e = o.get("e2e");
        assertThat(e2e.get("p50").asDouble()).isLessThanOrEqualTo(e2e.get("p90").asDouble());
        assertThat(e2e.get("p90").asDouble()).isLessThanOrEqualTo(e2e.get("p99").asDouble());
        assertThat(e2e.get("ci90").isArray()).isTrue();
        assertThat(e2e.get("ci90")).hasSize(2);
        assertThat(e2e.get("ci90").get(0).asDouble()).isLessThanOrEqualTo(e2e.get("mean").asDouble());
        assertThat(e2e.get("ci90").get(1).asDouble()).isGreaterThanOrEqualTo(e2e.get("mean").asDouble());
        assertThat(o.path("ttft").path("mean").asDouble()).isPositive();
        assertThat(o.path("ttft").path("p90").asDouble()).isPositive();
        assertThat(o.path("queueDelay").path("mean").isNumber()).isTrue();
        assertThat(o.path("queueDelay").path("mean").asDouble()).isNotNegative();
        assertThat(o.path("restartedFraction").asDouble()).isBetween(0.0, 1.0);
        assertThat(o.path("restartsPerRequest").isNumber()).isTrue();
        // 4 replicas for at least 60 s, twice
        assertThat(o.path("gpuHours").asDouble()).isGreaterThanOrEqualTo(2 * 4 * 60 / 3600.0);
        assertThat(o.path("wallSeconds").isNumber()).isTrue();
        assertThat(o.path("router").asText()).isEqualTo("llq");
        assertThat(Path.of(o.path("out").asText())).isEqualTo(out);

        assertThat(out.resolve("config.json")).isRegularFile();
        assertThat(out.resolve("summary.json")).isRegularFile();
        try (Stream<Path> dirs = Files.list(out)) {
            assertThat(dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("seed-0", "seed-1");
        }
        long rows = 0;
        for (String seed : List.of("seed-0", "seed-1")) {
            for (String file : SEED_FILES) {
                assertThat(out.resolve(seed).resolve(file)).isRegularFile().isNotEmptyFile();
            }
            rows += Files.readAllLines(out.resolve(seed).resolve("request_metrics.csv")).size() - 1;
        }
        assertThat(rows).isEqualTo(o.get("requests").asLong());

        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        assertThat(config.path("scenario").path("name").asText()).isEqualTo("low-load");
        assertThat(config.path("scenario").path("duration").asDouble()).isEqualTo(60.0);
        assertThat(config.path("policies").path("router").path("name").asText()).isEqualTo("llq");
        assertThat(config.path("seeds")).hasSize(2);
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.path("seeds").asInt()).isEqualTo(2);
        assertThat(summary.path("metrics").path("e2e.mean").path("perSeed")).hasSize(2);
    }

    @Test
    void aFigureThatIsUndefinedForEverySeedIsNotReportedAsZeroPerSeed(QuarkusMainLauncher launcher)
            throws IOException {
        Path out = tmp.resolve("run");
        LaunchResult result = launcher.launch("simulate", "--scenario", "low-load", "--seeds", "2",
                "--duration", "60", "--json", "--out", out.toString());
        assertThat(result.exitCode()).isZero();
        assertThat(JSON.readTree(result.getOutput()).path("restartedFraction").asDouble()).isZero();

        JsonNode restarted = JSON.readTree(out.resolve("summary.json").toFile())
                .path("metrics").path("e2eRestarted.mean");

        assertThat(restarted.path("perSeed")).hasSize(2)
                .allSatisfy(v -> assertThat(v.isNumber() && v.asDouble() == 0.0).as("perSeed value %s", v).isFalse());
    }

    @Test
    void anIsolatedRunWritesTheSameBytesAsAnInProcessRunAndLeavesNoTemporaryFolders(QuarkusMainLauncher launcher)
            throws IOException {
        Path here = tmp.resolve("here");
        Path isolated = tmp.resolve("isolated");
        Set<String> before = gliaTemporaries();

        LaunchResult direct = launcher.launch("simulate", "--scenario", "low-load", "--seeds", "2", "--duration", "60",
                "--router", "hra-spf", "--out", here.toString());
        LaunchResult child = launcher.launch("simulate", "--scenario", "low-load", "--seeds", "2", "--duration", "60",
                "--router", "hra-spf", "--out", isolated.toString(), "--isolate", "--isolate-heap", "512m");

        assertThat(direct.exitCode()).as(direct.getErrorOutput()).isZero();
        assertThat(child.exitCode()).as(child.getErrorOutput()).isZero();
        for (String seed : List.of("seed-0", "seed-1")) {
            for (String file : List.of("request_metrics.csv", "reqs_log.csv", "gs_log.csv", "batch_log.csv")) {
                assertThat(isolated.resolve(seed).resolve(file)).as("%s/%s", seed, file)
                        .hasSameBinaryContentAs(here.resolve(seed).resolve(file));
            }
        }
        assertThat(JSON.readTree(isolated.resolve("summary.json").toFile()).path("metrics"))
                .isEqualTo(JSON.readTree(here.resolve("summary.json").toFile()).path("metrics"));
        assertThat(gliaTemporaries()).as("folders left in %s", System.getProperty("java.io.tmpdir"))
                .isSubsetOf(before);
    }

    @Test
    void comparePutsTwoRunsSideBySideWithRatiosAndDrawsTheirCdfs(QuarkusMainLauncher launcher) throws IOException {
        Path llq = tmp.resolve("llq");
        Path rr = tmp.resolve("round-robin");
        assertThat(launcher.launch("simulate", "--scenario", "low-load", "--seeds", "2", "--duration", "60",
                "--out", llq.toString()).exitCode()).isZero();
        assertThat(launcher.launch("simulate", "--scenario", "low-load", "--seeds", "2", "--duration", "60",
                "--router", "round-robin", "--out", rr.toString()).exitCode()).isZero();
        Path plot = tmp.resolve("cdf.png");

        LaunchResult result = launcher.launch("compare", llq.toString(), rr.toString(), "--plot", plot.toString(), "--json");

        assertThat(result.exitCode()).as(result.getErrorOutput()).isZero();
        JsonNode e2e = JSON.readTree(result.getOutput()).path("figures").path("e2e.mean");
        double a = JSON.readTree(llq.resolve("summary.json").toFile()).path("metrics").path("e2e.mean").path("mean").asDouble();
        double b = JSON.readTree(rr.resolve("summary.json").toFile()).path("metrics").path("e2e.mean").path("mean").asDouble();
        assertThat(e2e.path("a").asDouble()).isEqualTo(a);
        assertThat(e2e.path("b").asDouble()).isEqualTo(b);
        assertThat(e2e.path("ratio").asDouble()).isCloseTo(b / a, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Files.readAllBytes(plot)).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void comparingAFolderThatIsNotARunDirectoryExitsTwoSayingWhatToPass(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("compare", tmp.toString(), tmp.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.getErrorOutput()).contains("not a run directory").contains("summary.json").contains("--out");
    }

    private static Set<String> gliaTemporaries() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("glia"))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    @Test
    @Launch(value = {"simulate", "--scenario", "nope"}, exitCode = 2)
    void simulatingAnUnknownScenarioExitsTwoNamingTheBundledOnes(LaunchResult result) {
        assertThat(result.getErrorOutput())
                .startsWith("error:")
                .contains("nope")
                .contains("glia-sharegpt-a10", "glia-prefill-heavy-h100", "glia-sinusoid-autoscale", "low-load");
        assertThat(result.getOutput()).isEmpty();
    }

    @Test
    void simulatingAnInvalidScenarioFileExitsTwoNamingTheField(QuarkusMainLauncher launcher) throws IOException {
        Path file = tmp.resolve("bad.yaml");
        Files.writeString(file, "cluster:\n  replicaz: 2\n");

        LaunchResult result = launcher.launch("simulate", "--scenario", file.toString(), "--out",
                tmp.resolve("never").toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.getErrorOutput()).contains("cluster.replicaz").doesNotContain("\tat ");
        assertThat(tmp.resolve("never")).doesNotExist();
    }

    @Test
    void qpsOnAClosedLoopScenarioExitsTwoPointingAtUsers(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("simulate", "--scenario", "glia-prefill-heavy-h100", "--qps", "5",
                "--out", tmp.resolve("never").toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.getErrorOutput()).contains("--qps").contains("users");
    }

    @Test
    void aNegativeScrapeIntervalExitsTwoNamingTheField(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("simulate", "--scenario", "low-load", "--scrape-interval", "-1",
                "--out", tmp.resolve("never").toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.getErrorOutput()).contains("cluster.scrapeInterval").doesNotContain("\tat ");
        assertThat(tmp.resolve("never")).doesNotExist();
    }

    @Test
    @Launch("scenarios")
    void scenariosListsTheFourBundledScenarios(LaunchResult result) {
        List<String> names = result.getOutputStream().stream()
                .filter(l -> !l.isBlank() && !l.startsWith("Show one"))
                .map(l -> l.split("\\s+")[0])
                .toList();

        assertThat(names).containsExactly("glia-prefill-heavy-h100", "glia-sharegpt-a10", "glia-sinusoid-autoscale",
                "low-load");
        assertThat(result.getOutput()).contains("4x A10, Llama-3-8B");
    }

    @Test
    @Launch({"scenarios", "low-load"})
    void scenariosWithANameShowsItResolved(LaunchResult result) {
        assertThat(result.getOutput())
                .contains("name: \"low-load\"")
                .contains("numBlocks: 2240")
                .contains("router: \"llq\"")
                .contains("batchPriority: \"fcfs\"");
    }

    @Test
    @Launch({"bench", "--repeat", "1", "--warmup", "0", "--seeds", "2", "--scenario", "low-load", "--json"})
    void benchReportsThatDecodeRunsGiveTheSameOutcomeAsStepping(LaunchResult result) throws IOException {
        JsonNode o = JSON.readTree(result.getOutput());

        assertThat(o.get("scenario").asText()).isEqualTo("low-load");
        assertThat(o.get("identicalToStepping").asBoolean()).isTrue();
        assertThat(o.get("requestsPerSeed").asLong()).isPositive();
        assertThat(o.get("eventsPerSeed").asLong()).isPositive();
        assertThat(o.get("steppingEventsPerSeed").asLong()).isGreaterThanOrEqualTo(o.get("eventsPerSeed").asLong());
        assertThat(o.get("parallelSeeds").asInt()).isEqualTo(2);
        // the decision time of the router as glia router hosts it: through the shared policy runtime
        assertThat(o.get("policyDecisionMicrosThroughRuntime").asDouble()).isPositive()
                .isGreaterThanOrEqualTo(o.get("policyDecisionMicros").asDouble() * 0.5);
    }
}
