package dev.glia.sim.workload;

import java.util.random.RandomGenerator;

/** One side (prompt or output) of a request-length distribution. */
@FunctionalInterface
public interface LengthSampler {
    int sample(RandomGenerator random);

    /** Inverse CDF over quantiles at equal probability steps, linearly interpolated, rounded half up. */
    static LengthSampler empirical(double[] quantiles) {
        int n = quantiles.length - 1;
        return random -> {
            double x = random.nextDouble() * n;
            int i = (int) x;
            double v = i >= n ? quantiles[n] : quantiles[i] + (quantiles[i + 1] - quantiles[i]) * (x - i);
            return Math.max(1, (int) Math.floor(v + 0.5));
        };
    }

    static LengthSampler lognormal(double median, double sigma) {
        double mu = Math.log(median);
        return random -> Math.max(1, (int) Math.round(Math.exp(mu + sigma * random.nextGaussian())));
    }

    static LengthSampler fixed(int value) {
        return random -> value;
    }

    static LengthSampler uniform(int min, int max) {
        return random -> min + random.nextInt(max - min + 1);
    }

    /** The Glia knob: with probability {@code fraction}, the length times {@code factor}, at most {@code cap}. */
    default LengthSampler inflated(double fraction, double factor, int cap) {
        if (fraction <= 0) {
            return this;
        }
        return random -> {
            int v = sample(random);
            return random.nextDouble() < fraction ? (int) Math.min(cap, Math.round(v * factor)) : v;
        };
    }
}
