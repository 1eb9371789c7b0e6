package dev.glia.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.glia.sim.Experiment;
import dev.glia.sim.PolicySet;
import dev.glia.sim.engine.Request;
import dev.glia.sim.engine.Workload;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import dev.glia.sim.scenario.WorkloadFactory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code glia load} against a strict fake of vLLM's streaming API. Timing bounds are loose on
 * purpose: a loaded two-core machine may be late, never early, so lower bounds are exact and upper
 * bounds generous.
 */
class LoadGeneratorTest {
    @TempDir
    Path tmp;

    /** An open loop of {@code qps} for {@code seconds}, every prompt 32 tokens and every output 8. */
    Scenario openLoop(double qps, double seconds) throws IOException {
        return scenario("""
                name: fixed-open
                seed: 3
                duration: %s
                workload:
                  arrivals: {process: poisson, qps: %s}
                  lengths:
                    prompt: {distribution: fixed, value: 32}
                    output: {distribution: fixed, value: 8}
                """.formatted(seconds, qps));
    }

    Scenario scenario(String yaml) throws IOException {
        Path file = tmp.resolve("scenario-" + Math.abs(yaml.hashCode()) + ".yaml");
        Files.writeString(file, yaml);
        return ScenarioLoader.load(file.toString());
    }

    static LoadOptions options(FakeVllmServer server, int retries, double timeout) {
        return new LoadOptions(URI.create(server.url()), null, Endpoint.COMPLETIONS, 1, 1024, retries, timeout);
    }

    static LoadRun run(LoadOptions options, RequestPlan plan) {
        try (LoadGenerator generator = new LoadGenerator(options)) {
            return generator.run(plan, options.model() != null ? options.model() : generator.firstModel());
        }
    }

    @Test
    void anOpenLoopReplayMeasuresTheServersFirstTokenDelayAndTokenGaps() throws IOException {
        Scenario s = openLoop(20, 1);
        RequestPlan plan = RequestPlan.of(s, 3, Integer.MAX_VALUE);
        try (FakeVllmServer server = new FakeVllmServer(80, 20)) {
            LoadRun run = run(options(server, 0, 30), plan);

            assertThat(server.invalid).isEmpty();
            assertThat(run.exchanges()).hasSize(plan.size()).allSatisfy(x -> {
                assertThat(x.completed).as("request %d: %s", x.index, x.reason).isTrue();
                // on the wall clock at start + arrival: late on a busy machine, never early
                assertThat(x.sentAt).isGreaterThanOrEqualTo(x.plannedAt);
                assertThat(x.plannedAt).isEqualTo(Math.round(plan.arrival(x.index) * 1e9));
                assertThat(x.received()).isEqualTo(8);
                assertThat(x.interTokenLatencies()).hasSize(7);
            });
            // the server saw each planned prompt exactly, with its index as X-Request-Id
            assertThat(server.seen).extracting(FakeVllmServer.Seen::requestId)
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, plan.size()).boxed().toList());
            assertThat(server.seen).allSatisfy(seen -> {
                assertThat(seen.promptTokens()).isEqualTo(32);
                assertThat(seen.maxTokens()).isEqualTo(8);
            });
            Map<String, Double> f = run.summary(Experiment.engineConfig(s).model(), 512);
            assertThat(f.get("completed")).isEqualTo(plan.size());
            assertThat(f.get("failed")).isZero();
            assertThat(f.get("ttft.mean")).isBetween(0.080, 2.0);
            assertThat(f.get("itl.p50")).isBetween(0.015, 1.0);
            assertThat(f.get("e2e.p50")).isGreaterThanOrEqualTo(0.080 + 7 * 0.018);
            assertThat(f.get("tpot.mean")).isEqualTo(f.get("itl.mean"), within(1e-9));
            assertThat(f.get("queueDelay.mean")).as("unknown to a client").isNaN();
            assertThat(f.get("restartedFraction")).as("unknown to a client").isNaN();
        }
    }

    @Test
    void timeScaleSendsFasterAndReportsLatenciesInModelTime() throws IOException {
        Scenario s = openLoop(10, 2);
        RequestPlan plan = RequestPlan.of(s, 3, Integer.MAX_VALUE);
        try (FakeVllmServer server = new FakeVllmServer(60, 10)) {
            LoadOptions x4 = new LoadOptions(URI.create(server.url()), FakeVllmServer.MODEL, Endpoint.COMPLETIONS, 4,
                    1024, 0, 30);
            LoadRun run = run(x4, plan);

            // arrivals 4x faster on the wall clock...
            double lastArrival = plan.arrival(plan.size() - 1);
            assertThat(run.wallSeconds()).isLessThan(lastArrival / 4 + 1.5);
            // ...and the server's 60 ms to first token read as 240 ms of model time
            Map<String, Double> f = run.summary(Experiment.engineConfig(s).model(), 512);
            assertThat(f.get("ttft.mean")).isGreaterThanOrEqualTo(4 * 0.060);
            assertThat(f.get("achievedRate")).isBetween(5.0, 20.0);
        }
    }

    @Test
    void severalServersShareTheLoadByRequestsInFlightAndAWarmUpIsNotMeasured() throws IOException {
        RequestPlan plan = RequestPlan.of(openLoop(10, 2), 3, Integer.MAX_VALUE);
        try (FakeVllmServer a = new FakeVllmServer(50, 20); FakeVllmServer b = new FakeVllmServer(50, 20);
             LoadGenerator generator = new LoadGenerator(new LoadOptions(
                     List.of(URI.create(a.url()), URI.create(b.url())), FakeVllmServer.MODEL, Endpoint.COMPLETIONS, 1,
                     1024, 0, 30))) {
            generator.warmUp(8, FakeVllmServer.MODEL);
            assertThat(a.seen).hasSize(4);
            assertThat(b.seen).hasSize(4);
            LoadRun run = generator.run(plan, FakeVllmServer.MODEL);
            assertThat(run.outcomes()).hasSize(plan.size());
            assertThat(a.seen.size() + b.seen.size()).isEqualTo(8 + plan.size());
            // the first of two idle servers takes a request, the other the next one sent while it runs
            assertThat(a.seen.size() - 4).isPositive();
            assertThat(b.seen.size() - 4).isPositive();
        }
    }

    @Test
    void everyKindOfErrorIsCountedAndNoFailedRequestIsDropped() throws IOException {
        RequestPlan plan = RequestPlan.of(openLoop(50, 1), 3, 10);
        FakeVllmServer.Fault[] faults = {new FakeVllmServer.Fault.Status(429, "1"),
                new FakeVllmServer.Fault.Status(503, null), new FakeVllmServer.Fault.Status(500, null),
                new FakeVllmServer.Fault.Status(400, null), new FakeVllmServer.Fault.ResetAfter(2),
                new FakeVllmServer.Fault.MalformedChunk(), new FakeVllmServer.Fault.Stall(5_000)};
        try (FakeVllmServer server = new FakeVllmServer(20, 5)
                .script((id, attempt) -> id < faults.length ? faults[id] : FakeVllmServer.NONE)) {
            LoadRun run = run(options(server, 0, 1.5), plan);

            assertThat(run.errors()).containsExactlyInAnyOrderEntriesOf(Map.of(ErrorKind.RATE_LIMITED, 1,
                    ErrorKind.UNAVAILABLE, 1, ErrorKind.SERVER_ERROR, 1, ErrorKind.CLIENT_ERROR, 1,
                    ErrorKind.CONNECTION, 1, ErrorKind.MALFORMED, 1, ErrorKind.TIMEOUT, 1));
            assertThat(run.exchanges()).hasSize(10);
            assertThat(run.exchanges().subList(0, 7)).allSatisfy(x -> {
                assertThat(x.completed).isFalse();
                assertThat(x.reason).isNotBlank();
            });
            assertThat(run.exchanges().get(0).status).isEqualTo(429);
            assertThat(run.exchanges().get(0).reason).contains("429");
            assertThat(run.exchanges().get(4).error).isEqualTo(ErrorKind.CONNECTION);
            assertThat(run.exchanges().get(5).error).isEqualTo(ErrorKind.MALFORMED);
            assertThat(run.exchanges().get(6).error).isEqualTo(ErrorKind.TIMEOUT);
            assertThat(run.exchanges().subList(7, 10)).allSatisfy(x -> assertThat(x.completed).isTrue());
            Map<String, Double> f = run.summary(Experiment.engineConfig(openLoop(50, 1)).model(), 512);
            assertThat(f.get("failed")).isEqualTo(7);
            assertThat(f.get("completed")).isEqualTo(3);
            assertThat(f.get("errors.rate_limited")).isEqualTo(1);
            assertThat(f.get("errors.timeout")).isEqualTo(1);
        }
    }

    @Test
    void retriesWaitAsRetryAfterSaysAndThenSucceed() throws IOException {
        RequestPlan plan = RequestPlan.of(openLoop(50, 1), 3, 2);
        try (FakeVllmServer server = new FakeVllmServer(10, 5).script((id, attempt) -> switch (id) {
            case 0 -> attempt <= 2 ? new FakeVllmServer.Fault.Status(429, "1") : FakeVllmServer.NONE;
            default -> attempt == 1 ? new FakeVllmServer.Fault.Status(503, null) : FakeVllmServer.NONE;
        })) {
            LoadRun run = run(options(server, 3, 30), plan);

            Exchange limited = run.exchanges().get(0);
            assertThat(limited.completed).isTrue();
            assertThat(limited.attempts).isEqualTo(3);
            // two Retry-After: 1 waits, counted from the first send
            assertThat((limited.lastTokenAt - limited.sentAt) / 1e9).isGreaterThanOrEqualTo(2.0);
            Exchange unavailable = run.exchanges().get(1);
            assertThat(unavailable.completed).isTrue();
            assertThat(unavailable.attempts).isEqualTo(2);
            // no Retry-After: the first back-off is half a second
            assertThat((unavailable.lastTokenAt - unavailable.sentAt) / 1e9).isGreaterThanOrEqualTo(0.5);
            assertThat(run.errors()).containsExactlyInAnyOrderEntriesOf(Map.of(ErrorKind.RATE_LIMITED, 2,
                    ErrorKind.UNAVAILABLE, 1));
            assertThat(run.retries()).isEqualTo(3);
        }
    }

    @Test
    void aServerThatStopsBeforeMaxTokensIsNamedAsShortOutputs() throws IOException {
        Scenario s = openLoop(50, 1);
        RequestPlan plan = RequestPlan.of(s, 3, 4);
        try (FakeVllmServer server = new FakeVllmServer(10, 5)
                .script((id, attempt) -> id == 1 ? new FakeVllmServer.Fault.StopAfter(3) : FakeVllmServer.NONE)) {
            LoadRun run = run(options(server, 0, 30), plan);

            assertThat(run.exchanges().get(1).completed).isTrue();
            assertThat(run.exchanges().get(1).received()).isEqualTo(3);
            Map<String, Double> f = run.summary(Experiment.engineConfig(s).model(), 512);
            assertThat(f.get("shortOutputs")).isEqualTo(1);
        }
    }

    @Test
    void aClosedLoopKeepsAtMostItsUsersInFlight() throws IOException {
        Scenario s = scenario("""
                name: fixed-closed
                seed: 0
                duration: 1.5
                workload:
                  arrivals: {process: closed-loop, users: 3, thinkTime: 0.05}
                  lengths:
                    prompt: {distribution: uniform, min: 8, max: 64}
                    output: {distribution: uniform, min: 2, max: 6}
                """);
        RequestPlan plan = RequestPlan.of(s, 0, Integer.MAX_VALUE);
        try (FakeVllmServer server = new FakeVllmServer(20, 10)) {
            LoadRun run = run(options(server, 0, 30), plan);

            assertThat(server.maxStreaming.get()).isBetween(1, 3);
            assertThat(run.exchanges()).hasSizeGreaterThan(3).allSatisfy(x -> {
                assertThat(x.completed).isTrue();
                assertThat(x.promptTokens).isEqualTo(plan.promptTokens(x.index));
                assertThat(x.received()).isEqualTo(plan.outputTokens(x.index));
            });
        }
    }

    @Test
    void theChatEndpointStreamsDeltasAndCountsTheirTokens() throws IOException {
        RequestPlan plan = RequestPlan.of(openLoop(20, 1), 3, 3);
        try (FakeVllmServer server = new FakeVllmServer(10, 5)) {
            LoadRun run = run(new LoadOptions(URI.create(server.url() + "/v1"), null, Endpoint.CHAT, 1, 8, 0, 30), plan);

            assertThat(server.invalid).isEmpty();
            assertThat(run.exchanges()).allSatisfy(x -> {
                assertThat(x.completed).as(x.reason).isTrue();
                assertThat(x.received()).isEqualTo(8);
            });
            assertThat(server.seen).allSatisfy(seen -> assertThat(seen.promptTokens()).isEqualTo(32));
        }
    }

    @Test
    void fiveHundredConcurrentStreamsUseAHandfulOfThreads() throws Exception {
        RequestPlan plan = RequestPlan.of(openLoop(5_000, 0.2), 3, 500);
        try (FakeVllmServer server = new FakeVllmServer(100, 150)) {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            int before = threads.getThreadCount();
            int[] peak = {before};
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak[0] = Math.max(peak[0], threads.getThreadCount());
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            LoadRun run = run(new LoadOptions(URI.create(server.url()), FakeVllmServer.MODEL, Endpoint.COMPLETIONS, 1,
                    500, 0, 60), plan);
            sampler.interrupt();
            sampler.join();

            assertThat(run.exchanges()).hasSize(500).allSatisfy(x -> assertThat(x.completed).as(x.reason).isTrue());
            assertThat(server.maxStreaming.get()).as("streams open at once").isGreaterThan(250);
            assertThat(peak[0] - before).as("threads the load generator added").isLessThanOrEqualTo(10);
        }
    }

    @Test
    void theRequestPlanIsTheSimulatorsWorkloadAndTheSameForTheSameSeed() throws IOException {
        Scenario s = openLoop(5, 10);
        RequestPlan a = RequestPlan.of(s, 11, Integer.MAX_VALUE);
        RequestPlan b = RequestPlan.of(s, 11, Integer.MAX_VALUE);
        RequestPlan other = RequestPlan.of(s, 12, Integer.MAX_VALUE);
        Workload.OpenLoop simulated =
                (Workload.OpenLoop) WorkloadFactory.build(s, 11);

        assertThat(a.size()).isEqualTo(simulated.size()).isEqualTo(b.size());
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.arrival(i)).isEqualTo(simulated.arrivals()[i]).isEqualTo(b.arrival(i));
            assertThat(a.promptTokens(i)).isEqualTo(simulated.prompts()[i]);
            assertThat(a.outputTokens(i)).isEqualTo(simulated.outputs()[i]);
            assertThat(a.promptIds(i)).isEqualTo(b.promptIds(i)).hasSize(a.promptTokens(i));
            assertThat(Arrays.stream(a.promptIds(i)).boxed())
                    .allSatisfy(id -> assertThat(id).isBetween(RequestPlan.FIRST_ID, RequestPlan.LAST_ID - 1));
        }
        assertThat(other.arrival(1)).isNotEqualTo(a.arrival(1));
        assertThat(other.promptIds(0)).isNotEqualTo(a.promptIds(0));
        assertThat(RequestPlan.of(s, 11, 4).size()).isEqualTo(4);
    }

    @Test
    void aClosedLoopPlanDrawsTheSimulatorsLengthsInOrder() throws IOException {
        Scenario s = scenario("""
                name: closed
                seed: 5
                duration: 30
                workload:
                  arrivals: {process: closed-loop, users: 4, thinkTime: 1}
                  lengths: {table: sharegpt}
                """);
        Experiment experiment = new Experiment(s);
        Experiment.SeedRun simulated = experiment.runSeed(0,
                PolicySet.of(s, Map.of()).factories());
        RequestPlan plan = RequestPlan.of(s, 5, Integer.MAX_VALUE);

        List<Request> requests = simulated.result().requests();
        assertThat(requests).hasSizeGreaterThan(4);
        for (Request r : requests) {
            assertThat(plan.promptTokens(r.index())).isEqualTo(r.promptTokens());
            assertThat(plan.outputTokens(r.index())).isEqualTo(r.outputTokens());
        }
    }
}
