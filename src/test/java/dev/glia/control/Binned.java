package dev.glia.control;

import dev.glia.metrics.Histogram;
import dev.glia.metrics.RouterHistograms;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/** Latencies binned as the router's histograms bin them (its own bounds), as {@code increase(..._bucket[w])} returns. */
final class Binned {
    private static final double[] BOUNDS = RouterHistograms.latencyBounds();

    private final double[] counts = new double[BOUNDS.length + 1];
    private double sum;
    private long n;

    void observe(double seconds) {
        int i = 0;
        while (i < BOUNDS.length && seconds > BOUNDS[i]) {
            i++;
        }
        counts[i]++;
        sum += seconds;
        n++;
    }

    long count() {
        return n;
    }

    Histogram histogram() {
        TreeMap<Double, Double> cumulative = new TreeMap<>();
        double running = 0;
        for (int i = 0; i < BOUNDS.length; i++) {
            running += counts[i];
            cumulative.put(BOUNDS[i], running);
        }
        cumulative.put(Double.POSITIVE_INFINITY, running + counts[BOUNDS.length]);
        return new Histogram(Map.of(), cumulative, OptionalDouble.of(sum), OptionalDouble.of(n));
    }
}
