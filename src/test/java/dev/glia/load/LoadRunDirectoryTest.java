package dev.glia.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glia.cli.CompareCommand;
import dev.glia.cli.LoadCommand;
import dev.glia.cli.SimulateCommand;
import dev.glia.sim.RunDirectory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A load run writes the run directory of glia simulate: the same readers and glia compare take both. */
class LoadRunDirectoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void aLoadRunIsARunDirectoryThatCompareTakesBesideASimulatedOne() throws IOException {
        Path scenario = tmp.resolve("fixed.yaml");
        Files.writeString(scenario, """
                name: fixed
                seed: 4
                duration: 2
                workload:
                  arrivals: {process: poisson, qps: 10}
                  lengths:
                    prompt: {distribution: fixed, value: 64}
                    output: {distribution: fixed, value: 6}
                """);
        Path loaded = tmp.resolve("loaded");
        Path simulated = tmp.resolve("simulated");
        try (FakeVllmServer server = new FakeVllmServer(30, 10)
                .script((id, attempt) -> id == 2 ? new FakeVllmServer.Fault.Status(500, null) : FakeVllmServer.NONE)) {
            JsonNode load = JSON.readTree(run(new LoadCommand(), "--scenario", scenario.toString(), "--url", server.url(),
                    "--out", loaded.toString(), "--json"));
            assertThat(load.path("failed").asInt()).isEqualTo(1);
            assertThat(load.path("errorsByKind").path("server_error").asInt()).isEqualTo(1);
        }
        run(new SimulateCommand(), "--scenario", scenario.toString(), "--seeds", "1", "--out", simulated.toString(),
                "--json");

        Path seed = loaded.resolve("seed-4");
        List<String> csv = Files.readAllLines(seed.resolve("request_metrics.csv"));
        assertThat(csv.get(0)).isEqualTo(Files.readAllLines(simulated.resolve("seed-4/request_metrics.csv")).get(0));
        String[] header = csv.get(0).split(",");
        List<String> unknown = List.of("replica_id", "scheduled_at", "queue_delay", "restarts");
        for (String row : csv.subList(1, csv.size())) {
            String[] cells = row.split(",", -1);
            assertThat(cells).hasSize(header.length);
            for (int c = 0; c < header.length; c++) {
                if (unknown.contains(header[c]) || row.startsWith("2,") && !header[c].matches(
                        "request_id|arrived_at|num_prefill_tokens|num_decode_tokens")) {
                    assertThat(cells[c]).as("%s of %s", header[c], row).isEmpty();
                }
            }
        }
        assertThat(Files.readString(seed.resolve("load_log.csv"))).contains("2,").contains("server_error");

        RunDirectory read = RunDirectory.read(loaded);
        RunDirectory reference = RunDirectory.read(simulated);
        assertThat(read.scenario()).isEqualTo("fixed");
        assertThat(read.seeds()).isEqualTo(1);
        assertThat(read.e2e()).hasSize(reference.e2e().length - 1);
        assertThat(read.figures()).containsKeys(reference.figures().keySet().toArray(String[]::new))
                .containsKeys("failed", "errors.rate_limited", "itl.mean", "itl.p99", "achievedRate");
        assertThat(read.figures().get("queueDelay.mean").mean()).isNaN();

        Path plot = tmp.resolve("cdf.png");
        JsonNode compared = JSON.readTree(run(new CompareCommand(), simulated.toString(), loaded.toString(), "--json",
                "--plot", plot.toString()));
        assertThat(compared.path("figures").path("e2e.mean").path("b").asDouble()).isPositive();
        assertThat(compared.path("figures").path("ttft.p99").path("ratio").isNumber()).isTrue();
        assertThat(compared.path("figures").has("queueDelay.mean")).as("unknown to a client: left out").isFalse();
        assertThat(plot).isRegularFile();
    }

    @Test
    void theReadableSummaryShowsLatenciesErrorsAndWhereTheRunIs() throws IOException {
        Path scenario = tmp.resolve("few.yaml");
        Files.writeString(scenario, """
                name: few
                duration: 1
                workload:
                  arrivals: {process: poisson, qps: 8}
                  lengths:
                    prompt: {distribution: fixed, value: 16}
                    output: {distribution: fixed, value: 4}
                """);
        Path out = tmp.resolve("few-load");
        String printed;
        try (FakeVllmServer server = new FakeVllmServer(10, 5)
                .script((id, attempt) -> id == 0 && attempt == 1 ? new FakeVllmServer.Fault.Status(429, "0")
                        : FakeVllmServer.NONE)) {
            printed = run(new LoadCommand(), "--scenario", scenario.toString(), "--url", server.url(), "--retries", "1",
                    "--out", out.toString(), "--progress");
        }

        assertThat(printed).startsWith("few · seed 0 · model " + FakeVllmServer.MODEL).contains("(all completed)")
                .contains("ttft (s)").contains("itl (ms)").contains("1 rate_limited (1 retries)")
                .contains("run directory    " + out);
        assertThat(out.resolve("seed-0/request_metrics.csv")).isRegularFile();
    }

    /** Runs a command as `glia` would and returns what it printed; fails on a non-zero exit. */
    private static String run(Object command, String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(command).execute(args);
        } finally {
            System.setOut(original);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed).isZero();
        return printed;
    }
}
