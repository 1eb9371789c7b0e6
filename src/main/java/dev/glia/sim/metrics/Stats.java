package dev.glia.sim.metrics;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Small statistics over double arrays: means, interpolated percentiles, bootstrap intervals. */
public final class Stats {
    private Stats() {
    }

    public static double mean(double[] values, int n) {
        if (n == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += values[i];
        }
        return sum / n;
    }

    /** Percentile p in [0, 100] of the first n values, sorted in place; linear interpolation (numpy's default). */
    public static double percentile(double[] sorted, int n, double p) {
        if (n == 0) {
            return Double.NaN;
        }
        double rank = p / 100 * (n - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, n - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }

    /**
     * 90% bootstrap confidence interval of the mean: 5th and 95th percentiles of the means of
     * 2,000 resamples, with a fixed generator so that the interval is reproducible.
     */
    public static double[] bootstrapMean90(double[] values) {
        int n = values.length;
        if (n == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        if (n == 1) {
            return new double[] {values[0], values[0]};
        }
        int resamples = 2000;
        double[] means = new double[resamples];
        SplittableRandom random = new SplittableRandom(0x61AL);
        for (int b = 0; b < resamples; b++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += values[random.nextInt(n)];
            }
            means[b] = sum / n;
        }
        Arrays.sort(means);
        return new double[] {percentile(means, resamples, 5), percentile(means, resamples, 95)};
    }
}
