package dev.glia.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.sim.metrics.Aggregate;
import dev.glia.sim.scenario.ScenarioLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The regimes of the Glia paper's §5 setup, which every policy result is judged against. */
class RegimeTest {
    static Map<String, Aggregate.Stat> simulate(String scenario, String router, int seeds) {
        Experiment experiment = new Experiment(ScenarioLoader.load(scenario));
        return experiment.run(seeds, new Experiment.Policies(() -> BuiltinRouters.create(router), null, null),
                Runtime.getRuntime().availableProcessors(), n -> { }).aggregate();
    }

    @Test
    void llqOnTheGliaSetupQueuesHeavilyAndRestartsAFifthOfRequests() {
        Map<String, Aggregate.Stat> llq = simulate("glia-sharegpt-a10", "llq", 10);
        assertThat(llq.get("completed").mean()).isEqualTo(llq.get("requests").mean());
        assertThat(llq.get("e2e.mean").mean()).isBetween(30.0, 55.0);
        assertThat(llq.get("restartedFraction").mean()).isBetween(0.15, 0.35);
        assertThat(llq.get("queueDelay.mean").mean() / llq.get("e2e.mean").mean()).isGreaterThan(0.4);
        assertThat(llq.get("e2eRestarted.mean").mean()).isGreaterThan(llq.get("e2eNotRestarted.mean").mean());
    }

    @Test
    void atLowLoadTheDecodeFloorSetsLatencyAndNothingRestarts() {
        Map<String, Aggregate.Stat> low = simulate("low-load", "llq", 10);
        assertThat(low.get("e2e.mean").mean()).isBetween(10.0, 20.0);
        assertThat(low.get("restartedFraction").mean()).isLessThan(0.01);
    }

    @Test
    void roundRobinAndRandomAreWorseThanLlqAtPaperLoad() {
        double llq = simulate("glia-sharegpt-a10", "llq", 10).get("e2e.mean").mean();
        assertThat(simulate("glia-sharegpt-a10", "round-robin", 10).get("e2e.mean").mean()).isGreaterThan(llq);
        assertThat(simulate("glia-sharegpt-a10", "random", 10).get("e2e.mean").mean()).isGreaterThan(llq);
    }
}
