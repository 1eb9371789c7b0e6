package dev.glia.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.sim.metrics.Aggregate;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The regimes of the Glia paper's §5 setup, which every policy result is judged against. */
class RegimeTest {
    static Map<String, Aggregate.Stat> simulate(String scenario, String router, int seeds) {
        Scenario s = ScenarioLoader.override(ScenarioLoader.load(scenario), null, null, router, null, null);
        return new Experiment(s).run(seeds, PolicySet.of(s, Map.of()).factories(),
                Runtime.getRuntime().availableProcessors(), n -> { }).aggregate();
    }

    /**
     * Paper (Vidur): LLQ ≈ 40 s, 26% restarted, 37.4 s never restarted / 48.1 s restarted, queueing
     * ≈ half of e2e. Here (10 seeds): 39.2 s, 17.7%, 36.5 / 51.2 s (49.7 s and 19.5% before the A10
     * streamed at its own fitted efficiency; the paper's trace replayed gives 44.0 s; docs/fidelity.md).
     * The restarted fraction stays short of the paper's, which no timing change explains, so its band is wide.
     */
    @Test
    void llqOnTheGliaSetupQueuesHeavilyAndRestartsAFifthOfRequests() {
        Map<String, Aggregate.Stat> llq = simulate("glia-sharegpt-a10", "llq", 10);
        assertThat(llq.get("completed").mean()).isEqualTo(llq.get("requests").mean());
        assertThat(llq.get("e2e.mean").mean()).isBetween(35.0, 45.0);
        assertThat(llq.get("restartedFraction").mean()).isBetween(0.15, 0.30);
        assertThat(llq.get("queueDelay.mean").mean() / llq.get("e2e.mean").mean()).isGreaterThan(0.4);
        assertThat(llq.get("e2eNotRestarted.mean").mean()).isBetween(32.0, 42.0);
        assertThat(llq.get("e2eRestarted.mean").mean()).isBetween(44.0, 58.0);
    }

    /** Paper: HRA + shortest-prompt-first ≈ 23 s with restarts almost gone. Here: 23.2 s, 2.6% (26.2 s before). */
    @Test
    void headroomRoutingWithShortestPromptFirstNearlyHalvesE2e() {
        Map<String, Aggregate.Stat> hra = simulate("glia-sharegpt-a10", "hra-spf", 10);
        assertThat(hra.get("e2e.mean").mean()).isBetween(20.0, 26.0);
        assertThat(hra.get("restartedFraction").mean()).isLessThan(0.05);
    }

    /**
     * SIMULATOR.md: ≈ 15 s at 3 QPS with no restarts. This is the one figure the CPU step overhead
     * was calibrated on (15.04 s here; 15.60 s before), so the band is tight.
     */
    @Test
    void atLowLoadTheDecodeFloorSetsLatencyAndNothingRestarts() {
        Map<String, Aggregate.Stat> low = simulate("low-load", "llq", 10);
        assertThat(low.get("e2e.mean").mean()).isBetween(14.5, 15.5);
        assertThat(low.get("restartedFraction").mean()).isLessThan(0.01);
    }

    @Test
    void roundRobinAndRandomAreWorseThanLlqAtPaperLoad() {
        double llq = simulate("glia-sharegpt-a10", "llq", 10).get("e2e.mean").mean();
        assertThat(simulate("glia-sharegpt-a10", "round-robin", 10).get("e2e.mean").mean()).isGreaterThan(llq);
        assertThat(simulate("glia-sharegpt-a10", "random", 10).get("e2e.mean").mean()).isGreaterThan(llq);
    }
}
