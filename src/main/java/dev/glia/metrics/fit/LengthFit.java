package dev.glia.metrics.fit;

import dev.glia.metrics.Histogram;
import java.util.ArrayList;
import java.util.List;

/**
 * One side of the request lengths (prompt or output tokens) read from a token histogram as a quantile table,
 * with what the histogram cannot tell: each reported quantile's bucket (the resolution) and a 95% interval
 * that adds the sampling error of a quantile of n observations.
 *
 * @param metric    the histogram it came from
 * @param requests  observations in the window
 * @param mean      {@code _sum / _count}: exact, unlike the quantiles
 * @param table     tokens at probabilities 0, 1/(n − 1), ..., 1 ({@link #POINTS} of them), for
 *                  {@code distribution: quantiles}
 * @param checks    p50, p90, p99 with their bucket and interval
 */
public record LengthFit(String metric, long requests, double mean, List<Double> table, List<Quantile> checks) {
    /** Table points: every 1%. */
    public static final int POINTS = 101;

    /**
     * A quantile as estimated (linear inside its bucket), its bucket's bounds, and a 95% interval: the bucket
     * bounds of the quantiles at p ± 1.96 √(p(1 − p)/n).
     */
    public record Quantile(double p, double value, double bucketLow, double bucketHigh, double low, double high) {
        /** The bucket's width relative to the estimate: the most a reading inside it can be off by. */
        public double resolution() {
            return (bucketHigh - bucketLow) / value;
        }
    }

    public static LengthFit of(String metric, Histogram h) {
        Bins bins = Bins.of(h, 1);
        double n = bins.total();
        List<Double> table = new ArrayList<>(POINTS);
        double previous = 1;
        for (int i = 0; i < POINTS; i++) {
            double v = Math.max(previous, Math.max(1, bins.quantile(i / (double) (POINTS - 1))));
            v = Math.round(v * 10) / 10.0;
            table.add(v);
            previous = v;
        }
        List<Quantile> checks = new ArrayList<>();
        for (double p : new double[] {0.5, 0.9, 0.99}) {
            int b = bins.binOf(p);
            double delta = 1.96 * Math.sqrt(p * (1 - p) / n);
            int lo = bins.binOf(Math.max(0, p - delta));
            int hi = bins.binOf(Math.min(1, p + delta));
            checks.add(new Quantile(p, Math.max(1, bins.quantile(p)), bins.lower()[b], bins.upper()[b],
                    bins.lower()[lo], bins.upper()[hi]));
        }
        return new LengthFit(metric, Math.round(n), h.mean().orElse(Double.NaN), List.copyOf(table), List.copyOf(checks));
    }

    public Quantile check(double p) {
        return checks.stream().filter(q -> q.p() == p).findFirst().orElseThrow();
    }
}
