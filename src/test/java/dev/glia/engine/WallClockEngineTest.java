package dev.glia.engine;

import dev.glia.vllm.SchedulingPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.sim.Experiment;
import dev.glia.sim.engine.ClusterConfig;
import dev.glia.sim.engine.Request;
import dev.glia.sim.engine.Workload;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import dev.glia.sim.scenario.WorkloadFactory;
import dev.glia.sim.workload.LengthSampler;
import dev.glia.vllm.BatchFormation;
import dev.glia.vllm.EngineSettings;
import dev.glia.vllm.exec.LayerwiseExecutionModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The engine model on the wall clock: the simulator's timing, token by token, in real time. */
class WallClockEngineTest {
    /** 10 ms per iteration, whatever the batch. */
    static final LayerwiseExecutionModel TEN_MS = new LayerwiseExecutionModel("10 ms a step", 1,
            new int[] {1, 100_000}, new double[] {10, 10}, 0, 0, 0, 0, 0);
    static final EngineSettings SMALL = new EngineSettings(1000, 16, 128, 8192, BatchFormation.CHUNKED_PREFILL,
            SchedulingPolicy.FCFS, false);

    /** What a client hears. */
    static final class Recorder implements GenerationListener {
        final List<Double> tokenTimes = new ArrayList<>();
        final AtomicInteger tokens = new AtomicInteger();
        final AtomicReference<String> reason = new AtomicReference<>();
        final AtomicReference<String> error = new AtomicReference<>();
        volatile RequestTimes times;
        final CountDownLatch done = new CountDownLatch(1);

        @Override
        public void onTokens(int count, double modelSeconds, long emittedNanos) {
            tokenTimes.add(modelSeconds);
            tokens.addAndGet(count);
        }

        @Override
        public void onFinish(String reason, RequestTimes times) {
            this.reason.set(reason);
            this.times = times;
            done.countDown();
        }

        @Override
        public void onError(String message) {
            error.set(message);
            done.countDown();
        }
    }

    @Test
    void withIgnoreEosARequestStreamsExactlyMaxTokensOneIterationApart() throws Exception {
        try (WallClockEngine engine = new WallClockEngine(0, SMALL, TEN_MS, 1, LengthSampler.fixed(1), 0, null)) {
            Recorder client = new Recorder();
            engine.submit(new GenerationRequest("a", 100, 20, 0, true, 0), client);
            assertThat(client.done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(client.tokens.get()).isEqualTo(20);
            assertThat(client.reason.get()).isEqualTo("length");
            // prefill and first token in one iteration, then 19 decode iterations of 10 ms each
            assertThat(client.times.finished() - client.times.firstToken()).isCloseTo(0.19, within(1e-9));
            for (int i = 1; i < client.tokenTimes.size(); i++) {
                assertThat(client.tokenTimes.get(i) - client.tokenTimes.get(i - 1)).isCloseTo(0.010, within(1e-9));
            }
            assertThat(engine.timing().tokens()).isEqualTo(20);
        }
    }

    @Test
    void withoutIgnoreEosTheModelEndsTheSequenceWithinMinAndMaxTokens() throws Exception {
        try (WallClockEngine engine = new WallClockEngine(0, SMALL, TEN_MS, 10, LengthSampler.fixed(5), 0, null)) {
            Recorder stops = new Recorder();
            Recorder capped = new Recorder();
            Recorder floored = new Recorder();
            engine.submit(new GenerationRequest("stops", 10, 50, 0, false, 0), stops);
            engine.submit(new GenerationRequest("capped", 10, 3, 0, false, 0), capped);
            engine.submit(new GenerationRequest("floored", 10, 50, 8, false, 0), floored);
            for (Recorder r : List.of(stops, capped, floored)) {
                assertThat(r.done.await(10, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(stops.tokens.get()).isEqualTo(5);
            assertThat(stops.reason.get()).isEqualTo("stop");
            assertThat(capped.tokens.get()).isEqualTo(3);
            assertThat(capped.reason.get()).isEqualTo("length");
            assertThat(floored.tokens.get()).isEqualTo(8);
        }
    }

    @Test
    void aClientThatGoesAwayFreesItsBlocksAndHearsNothingMore() throws Exception {
        try (WallClockEngine engine = new WallClockEngine(0, SMALL, TEN_MS, 1, LengthSampler.fixed(1), 0, null)) {
            Recorder client = new Recorder();
            Generation g = engine.submit(new GenerationRequest("gone", 1000, 10_000, 0, true, 0), client);
            waitFor(() -> client.tokens.get() >= 3);
            assertThat(engine.stats().kvCacheUsage()).isGreaterThan(0);
            g.abort();
            waitFor(() -> engine.stats().running() == 0);
            int heard = client.tokens.get();
            assertThat(engine.stats().kvCacheUsage()).isZero();
            Thread.sleep(100);
            assertThat(client.tokens.get()).isEqualTo(heard);
            assertThat(client.done.getCount()).isEqualTo(1);
        }
    }

    @Test
    void aKilledEngineFailsWhatItHoldsAndWhatComesLater() throws Exception {
        try (WallClockEngine engine = new WallClockEngine(0, SMALL, TEN_MS, 1, LengthSampler.fixed(1), 0, null)) {
            Recorder inFlight = new Recorder();
            engine.submit(new GenerationRequest("a", 10, 10_000, 0, true, 0), inFlight);
            waitFor(() -> inFlight.tokens.get() > 0);
            engine.kill("injected fault: engine killed");
            assertThat(inFlight.done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(inFlight.error.get()).isEqualTo("injected fault: engine killed");
            Recorder later = new Recorder();
            engine.submit(new GenerationRequest("b", 10, 10, 0, true, 0), later);
            assertThat(later.done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(later.error.get()).contains("killed");
            assertThat(engine.stats().alive()).isFalse();
        }
    }

    @Test
    void aStalledEngineMakesNoProgressUntilTheStallEnds() throws Exception {
        try (WallClockEngine engine = new WallClockEngine(0, SMALL, TEN_MS, 1, LengthSampler.fixed(1), 0, null)) {
            Recorder client = new Recorder();
            engine.submit(new GenerationRequest("a", 10, 100_000, 0, true, 0), client);
            waitFor(() -> client.tokens.get() > 0);
            engine.stall(0.5);
            Thread.sleep(50); // the iteration in flight may still end
            int atStall = client.tokens.get();
            Thread.sleep(300);
            assertThat(client.tokens.get()).isEqualTo(atStall);
            waitFor(() -> client.tokens.get() > atStall + 5);
        }
    }

    /**
     * One replica of low-load, replayed on the wall clock at time scale 10 straight into the engine:
     * the same mean e2e and TTFT as the simulator, within 5%.
     */
    @Test
    void oneReplicaOfLowLoadOnTheWallClockMatchesTheSimulator() throws Exception {
        Comparison c = replay(ONE_REPLICA.formatted(40, 0.75), 10);
        assertThat(c.e2e).isCloseTo(c.simE2e, within(0.05 * c.simE2e));
        assertThat(c.ttft).isCloseTo(c.simTtft, within(0.05 * c.simTtft));
    }

    /** Saturated: the KV cache runs out, requests are preempted, and still the timing holds. */
    @Test
    void oneSaturatedReplicaOnTheWallClockMatchesTheSimulatorAndPreemptsTheSameRequests() throws Exception {
        Comparison c = replay(ONE_REPLICA.formatted(40, 8), 10);
        assertThat(c.simRestarted).hasSizeGreaterThan(10);
        assertThat(c.e2e).isCloseTo(c.simE2e, within(0.05 * c.simE2e));
        assertThat(c.ttft).isCloseTo(c.simTtft, within(0.05 * c.simTtft));
        // the same requests preempted, give or take the few whose fate a millisecond of jitter decides
        java.util.Set<Integer> differ = new java.util.TreeSet<>(c.simRestarted);
        differ.addAll(c.restarted);
        java.util.Set<Integer> both = new java.util.TreeSet<>(c.simRestarted);
        both.retainAll(c.restarted);
        differ.removeAll(both);
        assertThat(differ.size()).as("requests preempted in one run only: %s", differ)
                .isLessThanOrEqualTo(Math.max(3, c.simRestarted.size() / 8));
    }

    static final String ONE_REPLICA = """
            name: one-replica
            seed: 0
            duration: %d
            cluster: {replicas: 1, gpu: a10, model: llama-3-8b, numBlocks: 2240, maxNumSeqs: 128,
                      maxNumBatchedTokens: 8192, maxModelLen: 8192}
            workload:
              arrivals: {process: lognormal, qps: %s, sigma: 2}
              lengths: {table: sharegpt}
            policies: {router: llq}
            """;

    record Comparison(double simE2e, double e2e, double simTtft, double ttft, java.util.Set<Integer> simRestarted,
                      java.util.Set<Integer> restarted) {
    }

    static Comparison replay(String yaml, double scale) throws Exception {
        Scenario s = ScenarioLoader.complete(ScenarioLoader.parse(yaml, "test"), "test", Path.of(""));
        Experiment experiment = new Experiment(s);
        List<Request> simulated = experiment.runSeed(0,
                new Experiment.Policies(() -> BuiltinRouters.create("llq"), null, null)).result().requests();
        Workload.OpenLoop workload = (Workload.OpenLoop) WorkloadFactory.build(s, s.seed());
        ClusterConfig cluster = experiment.engine();
        ConcurrentHashMap<Integer, Recorder> clients = new ConcurrentHashMap<>();
        try (WallClockEngine engine = new WallClockEngine(0, cluster.engine(), cluster.model(), scale,
                LengthSampler.fixed(1), 0, null)) {
            long start = System.nanoTime();
            for (int i = 0; i < workload.size(); i++) {
                awaitNanos(start + (long) (workload.arrivals()[i] / scale * 1e9));
                Recorder client = new Recorder();
                clients.put(i, client);
                engine.submit(new GenerationRequest(Integer.toString(i), workload.prompts()[i], workload.outputs()[i],
                        0, true, 0), client);
            }
            for (Recorder client : clients.values()) {
                assertThat(client.done.await(120, TimeUnit.SECONDS)).isTrue();
            }
        }
        assertThat(clients).hasSize(simulated.size());
        java.util.Set<Integer> simRestarted = new java.util.TreeSet<>();
        java.util.Set<Integer> restarted = new java.util.TreeSet<>();
        simulated.stream().filter(r -> r.restarts() > 0).forEach(r -> simRestarted.add(r.index()));
        clients.forEach((i, c) -> {
            if (c.times.preemptions() > 0) {
                restarted.add(i);
            }
        });
        return new Comparison(
                simulated.stream().mapToDouble(r -> r.completedAt() - r.arrivalTime()).average().orElseThrow(),
                clients.values().stream().mapToDouble(c -> c.times.finished() - c.times.arrived()).average().orElseThrow(),
                simulated.stream().mapToDouble(r -> r.firstTokenAt() - r.arrivalTime()).average().orElseThrow(),
                clients.values().stream().mapToDouble(c -> c.times.firstToken() - c.times.arrived()).average().orElseThrow(),
                simRestarted, restarted);
    }

    /**
     * Until {@code due}: parks, then spins the last 200 µs. At time scale 10 a millisecond of wall
     * clock is 10 ms of model time, a twentieth of a low-load TTFT; parking alone overshoots by
     * that much on a busy machine.
     */
    static void awaitNanos(long due) {
        long wait;
        while ((wait = due - System.nanoTime()) > 200_000) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait - 200_000);
        }
        while (System.nanoTime() < due) {
            Thread.onSpinWait();
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
