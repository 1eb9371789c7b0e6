package dev.glia.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.sim.Experiment;
import dev.glia.sim.engine.ClusterConfig;
import dev.glia.sim.engine.Workload;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.WorkloadFactory;
import dev.glia.sim.workload.LengthSampler;
import dev.glia.vllm.BatchFormation;
import dev.glia.vllm.EngineSettings;
import dev.glia.vllm.SchedulingPolicy;
import dev.glia.vllm.exec.LayerwiseExecutionModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
     * One saturated replica, replayed on the wall clock at time scale 10 straight into the engine,
     * without HTTP (SimulatorParityTest does it over HTTP): the KV cache runs out, requests are
     * preempted, and the simulator's mean e2e and TTFT hold within 5%.
     */
    @Test
    void oneSaturatedReplicaOnTheWallClockMatchesTheSimulatorAndPreemptsTheSameRequests() throws Exception {
        SimulatorParityTest.Parity p = replay(SimulatorParityTest.oneReplica(40, 8), 10);
        assertThat(p.simulatedPreempted()).hasSizeGreaterThan(10);
        assertThat(p.ratio("e2e.mean")).isCloseTo(1, within(0.05));
        assertThat(p.ratio("ttft.mean")).isCloseTo(1, within(0.05));
        // the same requests preempted, give or take the few whose fate a millisecond of jitter decides
        assertThat(p.preemptedInOneOnly()).hasSizeLessThanOrEqualTo(Math.max(3, p.emulatedPreempted().size() / 8));
    }

    /** Sends the scenario's requests into one engine at their arrival times (scaled), as a client would. */
    static SimulatorParityTest.Parity replay(Scenario s, double scale) throws Exception {
        Experiment experiment = new Experiment(s);
        Experiment.SeedRun simulated = experiment.runSeed(0,
                new Experiment.Policies(() -> BuiltinRouters.create("llq"), null, null));
        Workload.OpenLoop workload = (Workload.OpenLoop) WorkloadFactory.build(s, s.seed());
        ClusterConfig cluster = experiment.engine();
        Map<Integer, Recorder> clients = new TreeMap<>();
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
        assertThat(clients).hasSize(simulated.result().requests().size());
        Set<Integer> simulatedPreempted = new TreeSet<>();
        simulated.result().requests().stream().filter(r -> r.restarts() > 0)
                .forEach(r -> simulatedPreempted.add(r.index()));
        Set<Integer> preempted = new TreeSet<>();
        clients.forEach((i, c) -> {
            if (c.times.preemptions() > 0) {
                preempted.add(i);
            }
        });
        double ttft = clients.values().stream().mapToDouble(c -> c.times.firstToken() - c.times.arrived()).average()
                .orElseThrow();
        double e2e = clients.values().stream().mapToDouble(c -> c.times.finished() - c.times.arrived()).average()
                .orElseThrow();
        Map<Integer, RequestTimes> seen = new TreeMap<>();
        clients.forEach((i, c) -> seen.put(i, c.times));
        return new SimulatorParityTest.Parity(simulated.summary(), Map.of("e2e.mean", e2e, "ttft.mean", ttft), ttft,
                simulatedPreempted, preempted, SimulatorParityTest.replayed(s, seen));
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
