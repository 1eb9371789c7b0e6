package dev.glia.metrics.fit;

import java.util.stream.IntStream;

/** The router's histogram buckets (RouterMetrics), as tests that hand-make its histograms need them. */
public final class RouterBuckets {
    /** Inter-arrival seconds: 10^(k/8), 1e-5 to 1e4, to 4 significant digits. */
    public static final double[] GAPS = IntStream.rangeClosed(-40, 32).mapToDouble(k -> new java.math.BigDecimal(
            Math.pow(10, k / 8.0)).round(new java.math.MathContext(4)).doubleValue()).toArray();
    /** Tokens: round(2^(k/8)), 1 to 131072, distinct. */
    public static final double[] TOKENS = IntStream.rangeClosed(0, 136).mapToDouble(k -> Math.rint(Math.pow(2, k / 8.0)))
            .distinct().toArray();

    private RouterBuckets() {
    }
}
