package dev.glia.router;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The buckets workload fitting relies on (docs/fitting.md): fine enough for 10% on length quantiles. */
class RouterMetricsTest {

    @Test
    void tokenBucketsAreNinePercentApartAndOneTokenForRounding() {
        double[] b = RouterMetrics.TOKEN_BUCKETS;
        assertThat(b[0]).isEqualTo(1);
        assertThat(b[b.length - 1]).isEqualTo(131072);
        for (int i = 1; i < b.length; i++) {
            // 2^(1/8) = 1.0905 apart before rounding to whole tokens
            assertThat(b[i] - b[i - 1]).as("%s -> %s", b[i - 1], b[i]).isLessThanOrEqualTo(0.0906 * b[i - 1] + 1.05);
        }
    }

    @Test
    void interArrivalBucketsSpanTenMicrosecondsToThreeHoursEightPerDecade() {
        double[] b = RouterMetrics.INTERARRIVAL_BUCKETS;
        assertThat(b[0]).isEqualTo(1e-5);
        assertThat(b[b.length - 1]).isEqualTo(1e4);
        assertThat(b).hasSize(73);
        String scrape = new RouterMetrics().scrape();
        assertThat(scrape).contains("# TYPE glia_router_request_interarrival_seconds histogram")
                .contains("glia_router_request_interarrival_seconds_count 0.0");
    }
}
