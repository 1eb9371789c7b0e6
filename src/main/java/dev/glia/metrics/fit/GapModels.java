package dev.glia.metrics.fit;

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
        return x -> x <= 0 ? 0 : normalCdf((Math.log(x) - mu) / sigma);
    }

    /** Gamma with the given shape and scale (shape 1: exponential). */
    static DoubleUnaryOperator gamma(double shape, double scale) {
        return x -> x <= 0 ? 0 : regularizedGammaP(shape, x / scale);
    }

    static double normalCdf(double z) {
        return 0.5 * erfc(-z / Math.sqrt(2));
    }

    /** Complementary error function (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7). */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /** P(a, x), the regularized lower incomplete gamma function: a series below a + 1, a continued fraction above. */
    static double regularizedGammaP(double a, double x) {
        if (x <= 0) {
            return 0;
        }
        double lnPrefix = a * Math.log(x) - x - logGamma(a);
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

    /** ln Γ(x) for x > 0 (Lanczos, g = 7). */
    static double logGamma(double x) {
        if (x < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        double[] g = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
                -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
                1.5056327351493116e-7};
        x -= 1;
        double a = g[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) {
            a += g[i] / (x + i);
        }
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
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
