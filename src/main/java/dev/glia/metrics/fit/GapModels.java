package dev.glia.metrics.fit;

import dev.glia.metrics.SpecialFunctions;

import java.util.function.DoubleUnaryOperator;

/**
 * The distributions of gaps between arrivals that a scenario can name (exponential: Poisson; gamma; lognormal),
 * their CDFs, and their log-likelihood on binned observations. Plain numerics, no library.
 */
final class GapModels {
    private GapModels() {
    }

    /** Log-likelihood of the bins' counts under a CDF: Σ count · ln P(bin). */
    static double logLikelihood(Bins bins, DoubleUnaryOperator cdf) {
        double ll = 0;
        for (int i = 0; i < bins.size(); i++) {
            if (bins.counts()[i] <= 0) {
                continue;
            }
            double hi = Double.isInfinite(bins.upper()[i]) ? 1 : cdf.applyAsDouble(bins.upper()[i]);
            double lo = bins.lower()[i] <= 0 ? 0 : cdf.applyAsDouble(bins.lower()[i]);
            ll += bins.counts()[i] * Math.log(Math.max(hi - lo, 1e-300));
        }
        return ll;
    }

    /** Lognormal with median e^μ. */
    static DoubleUnaryOperator lognormal(double mu, double sigma) {
        return x -> x <= 0 ? 0 : SpecialFunctions.normalCdf((Math.log(x) - mu) / sigma);
    }

    /** Gamma with the given shape and scale (shape 1: exponential). */
    static DoubleUnaryOperator gamma(double shape, double scale) {
        return x -> x <= 0 ? 0 : regularizedGammaP(shape, x / scale);
    }

    /** P(a, x), the regularized lower incomplete gamma function: a series below a + 1, a continued fraction above. */
    static double regularizedGammaP(double a, double x) {
        if (x <= 0) {
            return 0;
        }
        double lnPrefix = a * Math.log(x) - x - SpecialFunctions.logGamma(a);
        if (x < a + 1) {
            double term = 1 / a;
            double sum = term;
            for (int n = 1; n < 1000; n++) {
                term *= x / (a + n);
                sum += term;
                if (Math.abs(term) < Math.abs(sum) * 1e-15) {
                    break;
                }
            }
            return Math.min(1, sum * Math.exp(lnPrefix));
        }
        // Lentz's continued fraction for Q(a, x)
        double tiny = 1e-300;
        double b = x + 1 - a;
        double c = 1 / tiny;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < 1000; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            d = Math.abs(d) < tiny ? tiny : d;
            c = b + an / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < 1e-15) {
                break;
            }
        }
        return Math.max(0, 1 - Math.exp(lnPrefix) * h);
    }

    /** The maximum of a unimodal function on [lo, hi] by golden-section search: {x, f(x)}. */
    static double[] maximize(DoubleUnaryOperator f, double lo, double hi, int iterations) {
        double r = (Math.sqrt(5) - 1) / 2;
        double a = lo;
        double b = hi;
        double c = b - r * (b - a);
        double d = a + r * (b - a);
        double fc = f.applyAsDouble(c);
        double fd = f.applyAsDouble(d);
        for (int i = 0; i < iterations; i++) {
            if (fc >= fd) {
                b = d;
                d = c;
                fd = fc;
                c = b - r * (b - a);
                fc = f.applyAsDouble(c);
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + r * (b - a);
                fd = f.applyAsDouble(d);
            }
        }
        return fc >= fd ? new double[] {c, fc} : new double[] {d, fd};
    }
}
