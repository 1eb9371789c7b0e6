package dev.glia.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.control.CanaryCriteria.Guardrail;
import dev.glia.control.CanaryCriteria.Objective;
import dev.glia.control.CanaryVerdict.Decision;
import dev.glia.control.CanaryVerdict.Verdict;
import dev.glia.sim.Experiment;
import dev.glia.sim.PolicySet;
import dev.glia.sim.engine.ClusterConfig;
import dev.glia.sim.engine.Request;
import dev.glia.sim.engine.Simulation;
import dev.glia.sim.engine.Workload;
import dev.glia.sim.metrics.RequestOutcome;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import dev.glia.sim.scenario.WorkloadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The canary verdict on the paper's load (glia-sharegpt-a10): each pool's requests come from the simulator, their
 * latencies binned into the router's own buckets minute by minute as Prometheus would have them, the canary taking
 * 25 % of arrivals by the router's own rule. The verdict is asked after every slice (30 s), as a reconciler would; the
 * deadline is the end of the scenario's arrivals (1000 s, about a 15-minute canary).
 */
class SimulatedCanaryTest {
    private static final double SHARE = 0.25;
    /** Slices of 30 s: the step of the operator's range queries (docs/adaptation.md). */
    private static final double SLICE = 30;
    /** The scenario's arrivals span 1000 s: 33 whole slices. */
    private static final double DURATION = 1000;
    private static final CanaryCriteria CRITERIA = CanaryCriteria.of(new Objective("e2e.mean", Evidence.Goal.MINIMIZE),
            List.of(Guardrail.ratio("ttft.p99", 1.2), Guardrail.ratio("e2e.p99", 1.2)));

    private static List<RequestOutcome> run(String router, long seedIndex) {
        Scenario s = ScenarioLoader.override(ScenarioLoader.load("glia-sharegpt-a10"), null, null, router, null, null);
        Experiment.SeedRun run = new Experiment(s).runSeed(seedIndex, PolicySet.of(s, Map.of()).factories());
        List<RequestOutcome> out = new ArrayList<>();
        for (Request r : run.result().requests()) {
            out.add(RequestOutcome.of(r));
        }
        return out;
    }

    /**
     * One pool of a canary as the router runs it: its own engines and its share of the same arrivals (the canary's by
     * the router's rule, the stable pool's the rest), simulated apart, as two pools with their own global queues are.
     * Requests keep their index among all arrivals.
     */
    private static List<RequestOutcome> pool(String router, boolean canary, int engines) {
        Scenario s = ScenarioLoader.override(ScenarioLoader.load("glia-sharegpt-a10"), null, null, router, null, null);
        Workload.OpenLoop all = (Workload.OpenLoop) WorkloadFactory.build(s, s.seed());
        List<Integer> mine = new ArrayList<>();
        for (int k = 0; k < all.size(); k++) {
            if (toCanary(k) == canary) {
                mine.add(k);
            }
        }
        double[] arrivals = new double[mine.size()];
        int[] prompts = new int[mine.size()];
        int[] outputs = new int[mine.size()];
        for (int i = 0; i < mine.size(); i++) {
            arrivals[i] = all.arrivals()[mine.get(i)];
            prompts[i] = all.prompts()[mine.get(i)];
            outputs[i] = all.outputs()[mine.get(i)];
        }
        ClusterConfig cluster = Experiment.engineConfig(s);
        ClusterConfig pool = new ClusterConfig(engines, cluster.engine(), cluster.model(), cluster.gpusPerReplica(),
                null, cluster.logs(), cluster.scrapeInterval());
        Experiment.Policies p = PolicySet.of(s, Map.of()).factories();
        List<RequestOutcome> out = new ArrayList<>();
        for (Request r : new Simulation(pool, new Workload.OpenLoop(arrivals, prompts, outputs), p.router().get(),
                p.batchPriority().get(), null, s.seed()).run().requests()) {
            RequestOutcome x = RequestOutcome.of(r);
            out.add(new RequestOutcome(mine.get(x.index()), x.replicaId(), x.arrival(), x.promptTokens(),
                    x.outputTokens(), x.completed(), x.scheduledAt(), x.firstTokenAt(), x.completedAt(), x.restarts(),
                    x.wastedTokens()));
        }
        return out;
    }

    /** The router's canary rule: arrival k goes to the canary when the share accrued over arrivals passes a whole one. */
    private static boolean toCanary(int k) {
        return Math.floor((k + 1) * SHARE) > Math.floor(k * SHARE);
    }

    /** One pool's metrics per slice: the stable pool's arrivals from {@code stable}, the canary's from {@code canary}. */
    static List<CanarySlice> slices(List<RequestOutcome> stable, List<RequestOutcome> canary) {
        // a live canary's arrivals go on; the simulated run's drain after its last arrival (only the longest requests
        // left, in each pool its own) is no part of what a canary sees
        int n = (int) Math.floor(DURATION / SLICE);
        List<CanarySlice> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            out.add(new CanarySlice(pool(stable, false, k), pool(canary, true, k)));
        }
        return out;
    }

    private static PoolMetrics pool(List<RequestOutcome> requests, boolean canary, int slice) {
        Binned e2e = bin(requests, canary, slice, RequestOutcome::completedAt, RequestOutcome::e2e);
        Binned ttft = bin(requests, canary, slice, RequestOutcome::firstTokenAt, RequestOutcome::ttft);
        Binned queue = bin(requests, canary, slice, RequestOutcome::scheduledAt, RequestOutcome::queueDelay);
        return new PoolMetrics(Map.of("e2e", e2e.histogram(), "ttft", ttft.histogram(), "queueDelay",
                queue.histogram()), e2e.count(), 0);
    }

    /** Observed when it happens, as the router observes it: each latency in the slice where its event falls. */
    private static Binned bin(List<RequestOutcome> requests, boolean canary, int slice,
            ToDoubleFunction<RequestOutcome> at, ToDoubleFunction<RequestOutcome> latency) {
        Binned b = new Binned();
        for (RequestOutcome r : requests) {
            if (r.completed() && toCanary(r.index()) == canary && (int) (at.applyAsDouble(r) / SLICE) == slice) {
                b.observe(latency.applyAsDouble(r));
            }
        }
        return b;
    }

    /** The verdict after each slice, the last at the deadline. */
    private static List<Verdict> looks(List<CanarySlice> slices) {
        List<Verdict> out = new ArrayList<>();
        for (int k = 1; k <= slices.size(); k++) {
            out.add(CanaryJudgement.judge(CRITERIA, slices.subList(0, k), k == slices.size()));
        }
        return out;
    }

    private static void print(String what, List<Verdict> looks) {
        for (int k = 0; k < looks.size(); k++) {
            System.out.printf("%s, slice %d (%.0f s): %s%n", what, k + 1, (k + 1) * SLICE, looks.get(k));
        }
    }

    @Test
    void roundRobinAgainstHraSpfUnderThePapersLoadIsRolledBack() {
        List<RequestOutcome> hraSpf = run("hra-spf", 0);
        List<RequestOutcome> roundRobin = run("round-robin", 0);
        List<Verdict> looks = looks(slices(hraSpf, roundRobin));
        print("round-robin canary vs hra-spf", looks);
        Verdict last = looks.get(looks.size() - 1);
        assertThat(last.decision()).as(last.message()).isEqualTo(Decision.ROLL_BACK);
        assertThat(looks).noneMatch(v -> v.decision() == Decision.PROMOTE);
    }

    @Test
    void hraSpfAgainstItselfOnAnotherSeedIsNeverRolledBack() {
        List<RequestOutcome> seed0 = run("hra-spf", 0);
        List<RequestOutcome> seed1 = run("hra-spf", 1);
        List<Verdict> looks = looks(slices(seed0, seed1));
        print("hra-spf seed 1 canary vs hra-spf seed 0", looks);
        assertThat(looks).noneMatch(v -> v.decision() == Decision.ROLL_BACK);
        List<Verdict> reversed = looks(slices(seed1, seed0));
        print("hra-spf seed 0 canary vs hra-spf seed 1", reversed);
        assertThat(reversed).noneMatch(v -> v.decision() == Decision.ROLL_BACK);
    }

    @Test
    void hraSpfAgainstItselfOnTheSameTrafficIsPromotedAtTheDeadline() {
        List<RequestOutcome> run = run("hra-spf", 2);
        List<Verdict> looks = looks(slices(run, run));
        print("hra-spf canary vs hra-spf, same run", looks);
        assertThat(looks).noneMatch(v -> v.decision() == Decision.ROLL_BACK);
        assertThat(looks.get(looks.size() - 1).decision()).isEqualTo(Decision.PROMOTE);
    }

    @Test
    void inPoolsOfTheirOwnRoundRobinOnOneCanaryEngineIsRolledBackAgainstHraSpfOnThree() {
        List<Verdict> looks = looks(slices(pool("hra-spf", false, 3), pool("round-robin", true, 1)));
        print("round-robin canary pool (1 engine) vs hra-spf stable pool (3 engines)", looks);
        assertThat(looks.get(looks.size() - 1).decision()).isEqualTo(Decision.ROLL_BACK);
    }

    @Test
    void theSamePolicyOnOneCanaryEngineLooksWorseThanOnThree() {
        // a pool of one engine cannot spread a burst: the same policy is slower there than on three engines at the
        // same load per engine; the verdict sees a real difference that is not the policy's (docs/adaptation.md)
        List<RequestOutcome> stable = pool("llq", false, 3);
        List<RequestOutcome> canary = pool("llq", true, 1);
        SliceComparison e2e = SliceComparison.of(SliceComparison.Statistic.parse("e2e.mean").orElseThrow(),
                slices(stable, canary));
        System.out.println("llq canary pool (1 engine) vs llq stable pool (3 engines): " + e2e.figures() + ", p(worse"
                + " by more than 5%)=" + e2e.pAbove(1.05));
        assertThat(e2e.ratio()).isGreaterThan(1.2);
        List<Verdict> hra = looks(slices(pool("hra-spf", false, 3), pool("hra-spf", true, 1)));
        print("hra-spf canary pool (1 engine) vs hra-spf stable pool (3 engines)", hra);
        assertThat(hra).noneMatch(v -> v.decision() == Decision.ROLL_BACK);
    }
}
