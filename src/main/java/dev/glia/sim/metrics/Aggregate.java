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
            // per seed in seed order (NaN where a figure is undefined, e.g. no request restarted);
            // the mean and interval over the seeds where it is defined
            double[] perSeed = seeds.stream().mapToDouble(seed -> seed.get(key)).toArray();
            double[] defined = java.util.Arrays.stream(perSeed).filter(x -> !Double.isNaN(x)).toArray();
            double[] ci = Stats.bootstrapMean90(defined);
            out.put(key, new Stat(Stats.mean(defined, defined.length), ci[0], ci[1], perSeed));
        }
        return out;
    }
}
