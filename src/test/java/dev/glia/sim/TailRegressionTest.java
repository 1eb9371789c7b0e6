package dev.glia.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.sim.metrics.Aggregate;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A candidate's evidence names every latency tail it makes more than 10% worse than the baseline's. */
class TailRegressionTest {
    static Map<String, Aggregate.Stat> figures(Map<String, Double> tails) {
        Map<String, Aggregate.Stat> out = new HashMap<>();
        for (String t : Evidence.TAILS) {
            double v = tails.getOrDefault(t, 1.0);
            out.put(t, new Aggregate.Stat(v, v, v, new double[] {v}));
        }
        return out;
    }

    @Test
    void aTailMoreThanTenPercentWorseIsARegressionAndTenPercentIsNot() {
        var baseline = figures(Map.of("e2e.p99", 100.0, "ttft.p99", 2.0, "ttft.p50", 1.0));
        var candidate = figures(Map.of("e2e.p99", 109.0, "ttft.p99", 2.5, "ttft.p50", 1.1));
        assertThat(Evidence.tailRegressions(baseline, candidate))
                .containsExactly("ttft.p99: 2.50 s against the baseline's 2.00 s (+25%)");
        assertThat(Evidence.tailRegressions(candidate, baseline)).isEmpty();
    }
}
