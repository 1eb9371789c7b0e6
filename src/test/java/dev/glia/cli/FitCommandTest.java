package dev.glia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.glia.metrics.prometheus.FakePrometheus;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code glia fit} against a fake Prometheus that answers the fit's queries as the real one would (the fit
 * against a real Prometheus is FitFromPrometheusTest), and its errors: one clear line, exit code 2.
 */
class FitCommandTest {
    @TempDir
    Path tmp;

    record Result(int exitCode, String out, String err) {
    }

    static Result run(String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new FitCommand()).execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    /** A Prometheus that knows {@code requests} Poisson arrivals at 5/s with lognormal lengths, and two engines. */
    static HttpServer fakePrometheus(int requests, List<String> queries) throws IOException {
        return FakePrometheus.server(() -> requests, queries);
    }

    @Test
    void aFittedScenarioIsWrittenAndLoadsAsItIs() throws IOException {
        List<String> queries = new ArrayList<>();
        HttpServer server = fakePrometheus(1000, queries);
        try {
            Path file = tmp.resolve("shop.yaml");
            Result r = run("--prometheus", "http://127.0.0.1:" + server.getAddress().getPort(), "--window", "1h",
                    "--router-match", "job=\"glia-router\"", "--engine-match", "job=\"vllm\"", "--out",
                    file.toString(), "--name", "shop");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).contains("arrivals: poisson").contains("prompt tokens: 1000 requests")
                    .contains("wrote " + file);
            Scenario s = ScenarioLoader.load(file.toString());
            assertThat(s.name()).isEqualTo("shop");
            assertThat(s.cluster().replicas()).isEqualTo(2);
            assertThat(s.workload().arrivals().qps()).isBetween(4.5, 5.5);
            assertThat(s.workload().lengths().prompt().distribution()).isEqualTo("quantiles");
            assertThat(s.duration()).isEqualTo(3600.0);
            assertThat(queries).contains("sum by (le) (increase(glia_router_request_interarrival_seconds_bucket"
                    + "{job=\"glia-router\"}[3600s]))");
            String docs = java.nio.file.Files.readString(Path.of("docs/fitting.md"));
            for (String q : queries) {
                String documented = q.replace("{job=\"glia-router\"}", "{R}").replace("{job=\"vllm\"}", "{E}")
                        .replace("[3600s]", "[W]").replace("[360s]", "[W/10]");
                assertThat(docs).as("docs/fitting.md lists %s", documented).contains("`" + documented + "`");
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void tooFewRequestsIsOneClearError() throws IOException {
        HttpServer server = fakePrometheus(50, new ArrayList<>());
        try {
            Result r = run("--prometheus", "http://127.0.0.1:" + server.getAddress().getPort(), "--window", "10m",
                    "--out", tmp.resolve("x.yaml").toString());
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err()).startsWith("error: only 50 requests arrived").contains("--window")
                    .doesNotContain("\tat ");
            assertThat(tmp.resolve("x.yaml")).doesNotExist();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anUnreachablePrometheusIsOneClearErrorNamingTheQuery() {
        Result r = run("--prometheus", "http://127.0.0.1:1", "--timeout", "2");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: cannot reach Prometheus at http://127.0.0.1:1 for query sum by (le)")
                .doesNotContain("\tat ");
    }

    @Test
    void aMalformedWindowIsRefused() {
        Result r = run("--prometheus", "http://127.0.0.1:1", "--window", "an hour");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--window must be a positive duration");
        assertThat(FitCommand.duration("1h30m")).hasMinutes(90);
        assertThat(FitCommand.duration("500ms")).hasMillis(500);
    }
}
