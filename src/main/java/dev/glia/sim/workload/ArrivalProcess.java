package dev.glia.sim.workload;

import java.util.random.RandomGenerator;

/** Open-loop arrival times: each call gives the next arrival after {@code now}. */
@FunctionalInterface
public interface ArrivalProcess {
    double next(double now, RandomGenerator random);

    static ArrivalProcess poisson(double qps) {
        return (now, random) -> now - Math.log(1 - random.nextDouble()) / qps;
    }

    /** Lognormal gaps with mean 1/qps: mu = ln(1/qps) − σ²/2 (σ = 2 gives CV ≈ 7.3, the Glia setup). */
    static ArrivalProcess lognormal(double qps, double sigma) {
        double mu = Math.log(1 / qps) - sigma * sigma / 2;
        return (now, random) -> now + Math.exp(mu + sigma * random.nextGaussian());
    }

    /** Gamma gaps with mean 1/qps and coefficient of variation cv (shape 1/cv²). */
    static ArrivalProcess gamma(double qps, double cv) {
        double shape = 1 / (cv * cv);
        double scale = 1 / (qps * shape);
        return (now, random) -> now + gammaSample(shape, random) * scale;
    }

    /**
     * A Poisson process whose rate swings between minQps and maxQps with the given period,
     * starting at minQps; sampled by thinning.
     */
    static ArrivalProcess sinusoid(double minQps, double maxQps, double period) {
        double mid = (minQps + maxQps) / 2;
        double amplitude = (maxQps - minQps) / 2;
        return (now, random) -> {
            double t = now;
            while (true) {
                t -= Math.log(1 - random.nextDouble()) / maxQps;
                double rate = mid - amplitude * Math.cos(2 * Math.PI * t / period);
                if (random.nextDouble() * maxQps <= rate) {
                    return t;
                }
            }
        };
    }

    /** Marsaglia–Tsang; for shape < 1 boosted by U^(1/shape). */
    private static double gammaSample(double shape, RandomGenerator random) {
        if (shape < 1) {
            double u = random.nextDouble();
            return gammaSample(shape + 1, random) * Math.pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = random.nextGaussian();
            double v = 1 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = random.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }
}
