package dev.glia.sim.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Figures over K seeds: the mean of each per-seed figure with its 90% bootstrap confidence interval. */
public final class Aggregate {
    /** One figure over seeds. */
    public record Stat(double mean, double lo, double hi, double[] perSeed) {
        public boolean overlaps(Stat other) {
            return lo <= other.hi && other.lo <= hi;
        }
    }

    private Aggregate() {
    }

    public static Map<String, Stat> of(List<Map<String, Double>> seeds) {
        Map<String, Stat> out = new LinkedHashMap<>();
        if (seeds.isEmpty()) {
            return out;
        }
        for (String key : seeds.get(0).keySet()) {
            double[] v = new double[seeds.size()];
            int n = 0;
            for (Map<String, Double> seed : seeds) {
                double x = seed.get(key);
                if (!Double.isNaN(x)) {
                    v[n++] = x;
                }
            }
            double[] values = java.util.Arrays.copyOf(v, n);
            double[] ci = Stats.bootstrapMean90(values);
            out.put(key, new Stat(Stats.mean(values, n), ci[0], ci[1], v));
        }
        return out;
    }
}
