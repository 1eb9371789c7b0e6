package dev.glia.control;

import dev.glia.metrics.SpecialFunctions;

/** Student's t distribution's tails, for the canary's paired test (no statistics library in the build). */
final class StudentT {
    private StudentT() {
    }

    /** P(T &gt; t) for T with {@code df} degrees of freedom (df &ge; 1). */
    static double upperTail(double t, double df) {
        if (Double.isNaN(t)) {
            return Double.NaN;
        }
        if (t == Double.POSITIVE_INFINITY) {
            return 0;
        }
        if (t == Double.NEGATIVE_INFINITY) {
            return 1;
        }
        double half = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
        return t > 0 ? half : 1 - half;
    }

    /** The regularized incomplete beta function I_x(a, b), by its continued fraction (Numerical Recipes' betai). */
    static double regularizedBeta(double x, double a, double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        double front = Math.exp(SpecialFunctions.logGamma(a + b) - SpecialFunctions.logGamma(a)
                - SpecialFunctions.logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
        if (x < (a + 1) / (a + b + 2)) {
            return front * continuedFraction(x, a, b) / a;
        }
        return 1 - front * continuedFraction(1 - x, b, a) / b;
    }

    private static double continuedFraction(double x, double a, double b) {
        final double tiny = 1e-300;
        double qab = a + b;
        double qap = a + 1;
        double qam = a - 1;
        double c = 1;
        double d = 1 - qab * x / qap;
        d = Math.abs(d) < tiny ? tiny : d;
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= 300; m++) {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = 1 + aa / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = 1 + aa / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < 1e-15) {
                break;
            }
        }
        return h;
    }
}
