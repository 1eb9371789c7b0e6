package dev.glia.sim.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glia.policy.BatchPriority;
import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;
import dev.glia.policy.Router;
import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.policy.runtime.PolicyFailure;
import dev.glia.sim.Experiment;
import dev.glia.sim.RunWriter;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import dev.glia.sim.scenario.WorkloadFactory;
import dev.glia.vllm.BatchFormation;
import dev.glia.vllm.EngineSettings;
import dev.glia.vllm.SchedulingPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The event loop's contract: conservation, ordering, determinism, and what routers may do. */
class SimulationTest {
    /** Two small replicas under bursty load: memory runs out and requests restart. */
    static final String TIGHT = """
            name: tight
            duration: 120
            cluster: {replicas: 2, gpu: a10, model: llama-3-8b, numBlocks: 600, maxNumBatchedTokens: 512, maxModelLen: 4096}
            workload:
              arrivals: {process: lognormal, qps: 4, sigma: 2}
              lengths: {table: sharegpt}
              inflation: {promptFraction: 0.05, outputFraction: 0.05, factor: 10, cap: 2048}
            """;

    static Scenario scenario(String yaml) {
        return ScenarioLoader.complete(ScenarioLoader.parse(yaml, "test"), "test", Path.of(""));
    }

    static SimulationResult run(Scenario s, ClusterConfig config, Router router, BatchPriority priority, long seed) {
        return new Simulation(config, WorkloadFactory.build(s, seed), router, priority, null, seed).run();
    }

    /** Wraps a router and checks the cluster's invariants every time it is invoked. */
    static final class CheckingRouter implements Router {
        final Router inner = BuiltinRouters.create("llq");
        int calls;

        @Override
        public void route(dev.glia.policy.ClusterView cluster, dev.glia.policy.Dispatch dispatch) {
            calls++;
            for (ReplicaView view : cluster.replicas()) {
                Replica r = (Replica) view;
                assertThat(r.allocatedBlocks()).isBetween(0, r.totalBlocks());
                if (!r.busy()) {
                    assertThat(r.allocatedBlocks()).isEqualTo(r.blocksHeld());
                }
                for (Request q : r.running()) {
                    assertThat(q.generatedTokens()).isLessThan(q.outputTokens());
                }
            }
            inner.route(cluster, dispatch);
        }
    }

    @Test
    void everyRequestCompletesExactlyOnceAndBlocksStayWithinCapacity() {
        Scenario s = scenario(TIGHT);
        CheckingRouter router = new CheckingRouter();
        Simulation sim = new Simulation(Experiment.engineConfig(s), WorkloadFactory.build(s, 3), router, null, null, 3);
        SimulationResult result = sim.run();
        assertThat(result.requests()).isNotEmpty().allMatch(r -> r.state() == Request.State.DONE);
        assertThat(result.requests()).anyMatch(r -> r.restarts() > 0);
        assertThat(router.calls).isGreaterThanOrEqualTo(result.requests().size());
        // each output token is generated once: restarts recompute KV but never re-emit tokens
        assertThat(result.requests()).allMatch(r -> r.generatedTokens() == r.outputTokens() && r.blocks() == 0);
    }

    @Test
    void timestampsFollowTheRequestLifecycleAndTtftNeverExceedsE2e() {
        Scenario s = scenario(TIGHT);
        SimulationResult result = run(s, Experiment.engineConfig(s), BuiltinRouters.create("llq"), null, 1);
        for (Request r : result.requests()) {
            assertThat(r.routedAt()).isGreaterThanOrEqualTo(r.arrivalTime());
            assertThat(r.scheduledAt()).isGreaterThanOrEqualTo(r.routedAt());
            assertThat(r.firstTokenAt()).isGreaterThan(r.scheduledAt());
            assertThat(r.completedAt()).isGreaterThanOrEqualTo(r.firstTokenAt());
            assertThat(r.firstTokenAt() - r.arrivalTime()).isLessThanOrEqualTo(r.completedAt() - r.arrivalTime());
        }
    }

    @Test
    void theSameSeedGivesByteIdenticalRequestMetrics() {
        Scenario s = scenario(TIGHT);
        ClusterConfig config = Experiment.engineConfig(s);
        String first = RunWriter.requestMetrics(run(s, config, BuiltinRouters.create("llq"), null, 7), config.model(), 512);
        String second = RunWriter.requestMetrics(run(s, config, BuiltinRouters.create("llq"), null, 7), config.model(), 512);
        String other = RunWriter.requestMetrics(run(s, config, BuiltinRouters.create("llq"), null, 8), config.model(), 512);
        assertThat(second).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void decodeRunsGiveExactlyTheResultsOfSteppingOneIterationAtATime() {
        for (String yaml : List.of(TIGHT, TIGHT.replace("maxNumBatchedTokens: 512", "scheduler: vllm, maxNumBatchedTokens: 4096"))) {
            Scenario s = scenario(yaml);
            ClusterConfig config = Experiment.engineConfig(s);
            BatchPriority shortestPromptFirst = (request, cluster) -> request.promptTokens();
            for (boolean priority : new boolean[] {false, true}) {
                ClusterConfig c = priority ? config.withPriorityScheduling() : config;
                SimulationResult stepped = run(s, c.withDecodeRuns(false), BuiltinRouters.create("llq"),
                        shortestPromptFirst, 5);
                SimulationResult runs = run(s, c.withDecodeRuns(true), BuiltinRouters.create("llq"),
                        shortestPromptFirst, 5);
                assertThat(RunWriter.requestMetrics(runs, c.model(), 512))
                        .isEqualTo(RunWriter.requestMetrics(stepped, c.model(), 512));
                assertThat(runs.events()).isLessThan(stepped.events());
                assertThat(stepped.requests()).anyMatch(r -> r.restarts() > 0);
            }
        }
    }


    @Test
    void theRouterIsInvokedOnCompletionsSoItCanHoldRequestsBack() {
        Scenario s = scenario(TIGHT);
        // admission control: at most two requests in each replica at any time
        AtomicInteger holds = new AtomicInteger();
        Router admission = (cluster, dispatch) -> {
            List<ReplicaView> replicas = new ArrayList<>(cluster.replicas());
            int[] load = new int[replicas.size()];
            for (int i = 0; i < load.length; i++) {
                load[i] = replicas.get(i).outstanding();
            }
            for (RequestView r : cluster.queue()) {
                int target = -1;
                for (int i = 0; i < load.length; i++) {
                    if (load[i] < 2 && (target < 0 || load[i] < load[target])) {
                        target = i;
                    }
                }
                if (target < 0) {
                    holds.incrementAndGet();
                    return;
                }
                dispatch.send(r, replicas.get(target));
                load[target]++;
            }
        };
        SimulationResult result = run(s, Experiment.engineConfig(s), admission, null, 2);
        assertThat(holds.get()).isPositive();
        assertThat(result.requests()).allMatch(r -> r.state() == Request.State.DONE);
        assertThat(result.requests()).allMatch(r -> r.restarts() == 0);
        assertThat(result.requests()).anyMatch(r -> r.routedAt() > r.arrivalTime());
    }

    @Test
    void aRequestSentTwiceInOneCallStopsTheRunWithTheReason() {
        Scenario s = scenario(TIGHT);
        Router twice = (cluster, dispatch) -> {
            for (RequestView r : cluster.queue()) {
                dispatch.send(r, cluster.replicas().get(0));
                dispatch.send(r, cluster.replicas().get(1));
            }
        };
        assertThatThrownBy(() -> run(s, Experiment.engineConfig(s), twice, null, 0))
                .isInstanceOf(PolicyFailure.class)
                .hasMessageContaining("router failed at t=")
                .hasMessageContaining("twice in one routing call");
    }

    @Test
    void aRouterThatThrowsOrInventsAReplicaIsStoppedWithTheReason() {
        Scenario s = scenario(TIGHT);
        Router throwing = (cluster, dispatch) -> {
            throw new ArithmeticException("/ by zero");
        };
        assertThatThrownBy(() -> run(s, Experiment.engineConfig(s), throwing, null, 0))
                .isInstanceOf(PolicyFailure.class)
                .hasMessageContaining("ArithmeticException: / by zero");
        ReplicaView stranger = new Replica(7, new EngineSettings(10, 16, 8, 64, BatchFormation.CHUNKED_PREFILL,
                SchedulingPolicy.FCFS, true), Experiment.engineConfig(s).model(), 0);
        Router inventing = (cluster, dispatch) -> dispatch.send(cluster.queue().get(0), stranger);
        assertThatThrownBy(() -> run(s, Experiment.engineConfig(s), inventing, null, 0))
                .isInstanceOf(PolicyFailure.class)
                .hasMessageContaining("unknown replica");
    }

    @Test
    void requestsLeftInTheGlobalQueueAreReportedAsNotCompleted() {
        Scenario s = scenario(TIGHT);
        Router never = (cluster, dispatch) -> { };
        SimulationResult result = run(s, Experiment.engineConfig(s), never, null, 0);
        assertThat(result.completed()).isZero();
        assertThat(result.requests()).allMatch(r -> r.state() == Request.State.QUEUED);
    }
}
