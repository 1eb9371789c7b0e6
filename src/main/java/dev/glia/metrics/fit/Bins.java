package dev.glia.metrics.fit;

import dev.glia.metrics.Histogram;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A histogram's buckets as disjoint bins: each bin's lower and upper bound and its count (the first bin
 * starts at 0; the last may end at +Inf). Counts repaired to be non-decreasing as PromQL does, bounds
 * multiplied by {@code scale} (seconds of wall clock to seconds of model time).
 */
record Bins(double[] lower, double[] upper, double[] counts, double total) {

    static Bins of(Histogram h, double scale) {
        List<double[]> bins = new ArrayList<>();
        double previousBound = 0;
        double previousCount = 0;
        for (Map.Entry<Double, Double> e : h.buckets().entrySet()) {
            double cumulative = Math.max(previousCount, e.getValue());
            double bound = e.getKey() * scale;
            bins.add(new double[] {previousBound, bound, cumulative - previousCount});
            previousBound = bound;
            previousCount = cumulative;
        }
        int n = bins.size();
        double[] lower = new double[n];
        double[] upper = new double[n];
        double[] counts = new double[n];
        for (int i = 0; i < n; i++) {
            lower[i] = bins.get(i)[0];
            upper[i] = bins.get(i)[1];
            counts[i] = bins.get(i)[2];
        }
        return new Bins(lower, upper, counts, previousCount);
    }

    int size() {
        return counts.length;
    }

    /** The bin holding the q-quantile's rank (q in [0, 1]): the first whose cumulative count reaches q · total. */
    int binOf(double q) {
        double rank = q * total;
        double cumulative = 0;
        int lastNonEmpty = -1;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                lastNonEmpty = i;
            }
            cumulative += counts[i];
            if (counts[i] > 0 && cumulative >= rank) {
                return i;
            }
        }
        return lastNonEmpty;
    }

    /**
     * The q-quantile as {@code histogram_quantile} estimates it: linear interpolation inside its bin; in a bin
     * that ends at +Inf, that bin's lower bound (the highest finite bound). q = 0 is the lowest non-empty bin's
     * lower bound.
     */
    double quantile(double q) {
        int b = binOf(q);
        if (b < 0) {
            return Double.NaN;
        }
        if (Double.isInfinite(upper[b])) {
            return lower[b];
        }
        double before = 0;
        for (int i = 0; i < b; i++) {
            before += counts[i];
        }
        double within = Math.max(0, Math.min(1, (q * total - before) / counts[b]));
        return lower[b] + (upper[b] - lower[b]) * within;
    }
}
