package dev.glia.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import dev.glia.catalog.PolicyCatalog;
import dev.glia.policy.Autoscaler;
import dev.glia.policy.AutoscalerView;
import dev.glia.policy.ReplicaView;
import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.policy.runtime.PolicyFailure;
import dev.glia.sim.engine.Request;
import dev.glia.sim.engine.RunLog;
import dev.glia.sim.engine.SimulationResult;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Replicas started by an autoscaler serve after their cold start; drained ones finish their work, then go. */
class AutoscalingTest {

    /** Load swinging 2 -> 20 -> 2 QPS over ten minutes; never fewer than the 2 initial replicas. */
    private static final String RISING_SINUSOID = """
            name: short-sinusoid
            duration: 600
            cluster: {replicas: 2, gpu: a10, model: llama-3-8b, numBlocks: 2240}
            workload:
              arrivals: {process: sinusoid, minQps: 2, maxQps: 20, period: 600}
              lengths: {table: sharegpt}
            policies: {router: llq, autoscaler: throughput}
            autoscaling: {interval: 30, coldStart: 60, minReplicas: 2, maxReplicas: 8}
            """;

    private static Scenario scenario(String yaml) {
        return ScenarioLoader.complete(ScenarioLoader.parse(yaml, "test"), "test", Path.of(""));
    }

    /** The bundled autoscaling scenario in its first five minutes, where load is at its 7.5 QPS low. */
    private static Scenario bundledAtLowLoad() {
        return ScenarioLoader.override(ScenarioLoader.load("glia-sinusoid-autoscale"), null, 300.0, null, null,
                null);
    }

    private static SimulationResult run(Scenario s, Supplier<Autoscaler> autoscaler) {
        return new Experiment(s).runSeed(0, new Experiment.Policies(() -> BuiltinRouters.create("llq"), null,
                autoscaler)).result();
    }

    /**
     * Wraps an autoscaler and records, from what it is shown and what it answers, when each replica
     * was provisioned and when each stopped accepting requests.
     */
    static final class Recorder implements Autoscaler {
        private final Autoscaler inner;
        private int nextId;
        final Map<Integer, Double> provisionedAt = new HashMap<>();
        final Map<Integer, Double> drainedAt = new HashMap<>();
        final Set<Integer> goneAfterDraining = new HashSet<>();
        private Set<Integer> acceptingAtLastTick = Set.of();
        private double lastTick = Double.NaN;
        int ticks;

        Recorder(Autoscaler inner, int initialReplicas) {
            this.inner = inner;
            this.nextId = initialReplicas;
        }

        @Override
        public int desiredReplicas(AutoscalerView view) {
            ticks++;
            Set<Integer> listed = view.replicas().stream().map(ReplicaView::id).collect(Collectors.toSet());
            Set<Integer> accepting = view.replicas().stream().filter(ReplicaView::accepting).map(ReplicaView::id)
                    .collect(Collectors.toSet());
            // a replica accepting at the last tick and not now was told to drain at the last tick
            for (int id : acceptingAtLastTick) {
                if (!accepting.contains(id)) {
                    drainedAt.putIfAbsent(id, lastTick);
                }
            }
            for (int id : drainedAt.keySet()) {
                if (!listed.contains(id)) {
                    goneAfterDraining.add(id);
                }
            }
            int desired = inner.desiredReplicas(view);
            int clamped = Math.max(view.minReplicas(), Math.min(view.maxReplicas(), desired));
            int current = view.replicas().size() - view.draining() + view.starting();
            for (int i = current; i < clamped; i++) {
                provisionedAt.put(nextId++, view.now());
            }
            acceptingAtLastTick = accepting;
            lastTick = view.now();
            return desired;
        }
    }

    /** First time each replica shows up in gs_log, which records the replicas serving at every router call. */
    private static Map<Integer, Double> firstSeen(RunLog log) {
        Map<Integer, Double> first = new HashMap<>();
        for (int row = 0; row < log.gs.rows(); row++) {
            first.putIfAbsent(log.gs.i(0, row), log.gs.d(0, row));
        }
        return first;
    }

    private static void assertEveryRequestCompletedExactlyOnceWhereItWasRouted(SimulationResult r) {
        RunLog.Columns routes = r.log().routes;
        Map<Integer, Integer> routedTo = new HashMap<>();
        for (int row = 0; row < routes.rows(); row++) {
            Integer previous = routedTo.put(routes.i(1, row), routes.i(0, row));
            assertThat(previous).as("request %d routed twice", routes.i(1, row)).isNull();
        }
        assertThat(routedTo).hasSameSizeAs(r.requests());
        for (Request q : r.requests()) {
            assertThat(q.state()).as("%s", q).isEqualTo(Request.State.DONE);
            assertThat(q.completedAt()).as("%s", q).isGreaterThanOrEqualTo(q.arrivalTime());
            assertThat(q.replicaId()).as("%s", q).isEqualTo(routedTo.get(q.index()));
        }
        assertThat(r.completed()).isEqualTo(r.requests().size());
    }

    // ---- scaling up --------------------------------------------------------------------------------

    @Test
    void replicasAddedUnderLoadServeOnlyAfterTheirColdStart() {
        Scenario s = scenario(RISING_SINUSOID);
        Recorder recorder = new Recorder(throughput(), 2);
        SimulationResult r = run(s, () -> recorder);

        assertThat(recorder.provisionedAt).as("replicas started by the autoscaler").isNotEmpty();
        Map<Integer, Double> firstSeen = firstSeen(r.log());
        RunLog.Columns routes = r.log().routes;
        for (Map.Entry<Integer, Double> started : recorder.provisionedAt.entrySet()) {
            int id = started.getKey();
            double ready = started.getValue() + 60;
            assertThat(firstSeen).as("replica %d never became ready", id).containsKey(id);
            assertThat(firstSeen.get(id)).as("replica %d joins the cluster", id).isCloseTo(ready, within(1e-9));
            for (int row = 0; row < routes.rows(); row++) {
                if (routes.i(0, row) == id) {
                    assertThat(routes.d(0, row)).as("request %d routed to replica %d", routes.i(1, row), id)
                            .isGreaterThanOrEqualTo(ready);
                }
            }
        }
        // and nothing is routed to a replica nobody started
        Set<Integer> known = new HashSet<>(recorder.provisionedAt.keySet());
        known.addAll(List.of(0, 1));
        for (int row = 0; row < routes.rows(); row++) {
            assertThat(known).contains(routes.i(0, row));
        }
    }

    @Test
    void newReplicasTakeTrafficOnceReady() {
        Scenario s = scenario(RISING_SINUSOID);
        Recorder recorder = new Recorder(throughput(), 2);
        SimulationResult r = run(s, () -> recorder);

        Set<Integer> replicasUsed = r.requests().stream().map(Request::replicaId).collect(Collectors.toSet());
        assertThat(replicasUsed).containsAll(recorder.provisionedAt.keySet());
    }

    @Test
    void underRisingLoadTheClusterGrowsBeyondItsInitialSize() {
        SimulationResult r = run(scenario(RISING_SINUSOID), () -> throughput());

        assertThat(r.peakReplicas()).isGreaterThan(2).isLessThanOrEqualTo(8);
        assertEveryRequestCompletedExactlyOnceWhereItWasRouted(r);
    }

    @Test
    void scalingUpCostsMoreGpuTimeThanTheInitialClusterOverTheSameMakespan() {
        Scenario s = scenario(RISING_SINUSOID);
        SimulationResult r = run(s, () -> throughput());

        // minReplicas = initial replicas, so the cluster only ever grows
        assertThat(r.gpuSeconds()).isGreaterThan(2 * r.endTime());
        assertThat(r.gpuSeconds()).isLessThanOrEqualTo(8 * r.endTime());
    }

    @Test
    void aClusterWithoutAnAutoscalerIsBilledReplicasTimesGpusTimesMakespan() {
        String fixed = """
                duration: 120
                cluster: {replicas: 2, gpu: a10, model: llama-3-8b, tensorParallel: TP, numBlocks: 2240}
                workload:
                  arrivals: {process: sinusoid, minQps: 2, maxQps: 20, period: 600}
                  lengths: {table: sharegpt}
                """;
        Scenario oneGpuEach = scenario(fixed.replace("TP", "1"));
        Scenario twoGpusEach = scenario(fixed.replace("TP", "2"));
        assertThat(oneGpuEach.autoscaling()).isNull();

        SimulationResult a = run(oneGpuEach, null);
        SimulationResult b = run(twoGpusEach, null);

        assertThat(a.peakReplicas()).isEqualTo(2);
        assertThat(a.gpuSeconds()).isCloseTo(2 * a.endTime(), within(1e-9));
        assertThat(b.gpuSeconds()).isCloseTo(2 * 2 * b.endTime(), within(1e-9));
    }

    // ---- scaling down ------------------------------------------------------------------------------

    @Test
    void underLightLoadTheClusterShrinksAndCostsLessThanItsInitialSize() {
        Scenario s = bundledAtLowLoad();
        int initial = s.cluster().replicas();
        Recorder recorder = new Recorder(throughput(), initial);
        SimulationResult r = run(s, () -> recorder);

        assertThat(initial).isEqualTo(6);
        assertThat(recorder.drainedAt).as("replicas drained").isNotEmpty();
        assertThat(recorder.provisionedAt).as("replicas started").isEmpty();
        assertThat(r.peakReplicas()).isEqualTo(initial);
        assertThat(r.gpuSeconds()).isLessThan(initial * r.endTime());
    }

    @Test
    void scaleDownDrainsBeforeRemovingSoEveryRequestCompletesExactlyOnce() {
        Scenario s = bundledAtLowLoad();
        Recorder recorder = new Recorder(throughput(), s.cluster().replicas());
        SimulationResult r = run(s, () -> recorder);

        assertThat(recorder.drainedAt).isNotEmpty();
        assertEveryRequestCompletedExactlyOnceWhereItWasRouted(r);
        // nothing is routed to a replica after it was told to drain, and drained replicas do go away
        RunLog.Columns routes = r.log().routes;
        for (int row = 0; row < routes.rows(); row++) {
            Double drained = recorder.drainedAt.get(routes.i(0, row));
            if (drained != null) {
                assertThat(routes.d(0, row)).as("request %d routed to draining replica %d", routes.i(1, row),
                        routes.i(0, row)).isLessThanOrEqualTo(drained);
            }
        }
        assertThat(recorder.goneAfterDraining).containsExactlyInAnyOrderElementsOf(recorder.drainedAt.keySet());
    }

    @Test
    void aRequestRoutedToAReplicaThatThenDrainsStillCompletesThere() {
        Scenario s = bundledAtLowLoad();
        Recorder recorder = new Recorder(throughput(), s.cluster().replicas());
        SimulationResult r = run(s, () -> recorder);

        List<Request> onDrainedReplicas = r.requests().stream()
                .filter(q -> recorder.drainedAt.containsKey(q.replicaId())).toList();
        assertThat(onDrainedReplicas).isNotEmpty();
        assertThat(onDrainedReplicas).allSatisfy(q -> assertThat(q.state()).isEqualTo(Request.State.DONE));
    }

    @Test
    void withAnAutoscalerTheRunEndsAtTheLastCompletion() {
        SimulationResult r = run(bundledAtLowLoad(), () -> throughput());

        double lastCompletion = r.requests().stream().mapToDouble(Request::completedAt).max().orElseThrow();
        assertThat(r.endTime()).isEqualTo(lastCompletion);
    }

    // ---- bounds and failures -----------------------------------------------------------------------

    @Test
    void desiredCountsAreClampedToMinAndMaxReplicas() {
        Scenario s = scenario(RISING_SINUSOID.replace("duration: 600", "duration: 200"));

        SimulationResult greedy = run(s, () -> view -> 100);
        SimulationResult stingy = run(s, () -> view -> 0);

        assertThat(greedy.peakReplicas()).isEqualTo(8);
        assertThat(stingy.peakReplicas()).isEqualTo(2);
        assertThat(stingy.gpuSeconds()).isCloseTo(2 * stingy.endTime(), within(1e-9));
        assertEveryRequestCompletedExactlyOnceWhereItWasRouted(greedy);
        assertEveryRequestCompletedExactlyOnceWhereItWasRouted(stingy);
    }

    @Test
    void anAutoscalerAskingForANegativeCountFailsTheRunNamingTheAutoscaler() {
        Scenario s = scenario(RISING_SINUSOID.replace("duration: 600", "duration: 120"));

        PolicyFailure failure = catchThrowableOfType(PolicyFailure.class, () -> run(s, () -> view -> -3));

        assertThat(failure).isNotNull();
        assertThat(failure.component()).isEqualTo("autoscaler");
        assertThat(failure.time()).isEqualTo(30.0);
        assertThat(failure.getMessage())
                .startsWith("autoscaler failed at t=30.000 s")
                .contains("-3")
                .contains("cannot be negative");
    }

    @Test
    void anAutoscalerThatThrowsFailsTheRunWithItsMessage() {
        Scenario s = scenario(RISING_SINUSOID.replace("duration: 600", "duration: 120"));

        PolicyFailure failure = catchThrowableOfType(PolicyFailure.class, () -> run(s, () -> view -> {
            throw new IllegalStateException("metrics endpoint down");
        }));

        assertThat(failure).isNotNull();
        assertThat(failure.component()).isEqualTo("autoscaler");
        assertThat(failure.getMessage()).contains("IllegalStateException").contains("metrics endpoint down");
        assertThat(failure.getCause()).isInstanceOf(IllegalStateException.class);
    }

    /** The production-style baseline, as the scenarios name it. */
    static dev.glia.policy.Autoscaler throughput() {
        return PolicyCatalog.autoscaler("throughput", java.util.Map.of()).factory().get();
    }
}
