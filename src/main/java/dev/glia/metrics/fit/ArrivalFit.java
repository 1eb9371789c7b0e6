package dev.glia.metrics.fit;

import dev.glia.metrics.SpecialFunctions;

import dev.glia.metrics.Histogram;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * The arrival process fitted to a histogram of gaps between arrivals: the rate from its exact sum and count,
 * the shape by binned maximum likelihood over the processes a scenario can name.
 *
 * <p>Gamma (its shape free, so Poisson is gamma with cv 1) and lognormal (σ free) are each fitted with their
 * scale free, by the profile likelihood of their shape parameter. Lognormal is chosen when its log-likelihood
 * beats gamma's by at least {@link #LOGNORMAL_MARGIN} (both have two parameters); otherwise gamma, called
 * Poisson when its cv lies within {@link #POISSON_CV_BAND} of 1. A decision on effect size, not on
 * significance alone: with thousands of gaps a significance test rejects Poisson for any small distortion
 * (clients, proxies, clocks), which a scenario should not turn into burstiness.
 *
 * @param process        poisson, gamma or lognormal, as the scenario names them
 * @param qps            arrivals per second of model time: gaps / (sum of gaps)
 * @param parameter      lognormal σ or gamma cv (1 for Poisson)
 * @param low            the parameter's 95% profile-likelihood interval, lower end
 * @param high           its upper end
 * @param gaps           observed gaps (arrivals − 1)
 * @param rateError      the rate's relative standard error, cv / √gaps of the chosen process
 * @param candidates     every model fitted, best log-likelihood first
 */
public record ArrivalFit(String process, double qps, double parameter, double low, double high, long gaps,
                         double rateError, List<Candidate> candidates) {

    /** Log-likelihood units by which lognormal must beat gamma to be chosen. */
    public static final double LOGNORMAL_MARGIN = 2;
    /** A gamma cv within [1/1.25, 1.25] is called Poisson. */
    public static final double POISSON_CV_BAND = 1.25;

    /** One model fitted: its shape parameter (σ or cv), 95% interval, and log-likelihood on the bins. */
    public record Candidate(String model, String parameterName, double parameter, double low, double high,
                            double logLikelihood) {
    }

    /** Fits {@code gaps}, a histogram of wall-clock seconds, to processes in model time ({@code timeScale} × wall). */
    public static ArrivalFit fit(Histogram gaps, double timeScale) {
        Bins bins = Bins.of(gaps, timeScale);
        double n = bins.total();
        double sum = gaps.sum().orElse(Double.NaN) * timeScale;
        if (!(n >= 2) || !(sum > 0)) {
            throw new IllegalArgumentException("too few gaps between arrivals to fit a process: " + n);
        }
        double qps = n / sum;
        double lnMedian = Math.log(Math.max(bins.quantile(0.5), 1e-12));

        Candidate poisson = exponential(bins, lnMedian);
        Candidate gamma = gamma(bins, lnMedian);
        Candidate lognormal = lognormal(bins, lnMedian);
        String process;
        double parameter;
        double low;
        double high;
        double cv;
        if (lognormal.logLikelihood() >= gamma.logLikelihood() + LOGNORMAL_MARGIN) {
            process = "lognormal";
            parameter = lognormal.parameter();
            low = lognormal.low();
            high = lognormal.high();
            cv = Math.sqrt(Math.expm1(parameter * parameter));
        } else if (Math.abs(Math.log(gamma.parameter())) <= Math.log(POISSON_CV_BAND)) {
            process = "poisson";
            parameter = 1;
            low = gamma.low();
            high = gamma.high();
            cv = 1;
        } else {
            process = "gamma";
            parameter = gamma.parameter();
            low = gamma.low();
            high = gamma.high();
            cv = parameter;
        }
        List<Candidate> all = new java.util.ArrayList<>(List.of(poisson, gamma, lognormal));
        all.sort((a, b) -> Double.compare(b.logLikelihood(), a.logLikelihood()));
        return new ArrivalFit(process, qps, parameter, low, high, Math.round(n), cv / Math.sqrt(n), all);
    }

    /** Shape 1, scale free. */
    private static Candidate exponential(Bins bins, double lnMedian) {
        double[] best = bestScale(bins, 1, lnMedian);
        return new Candidate("poisson", "cv", 1, 1, 1, best[1]);
    }

    /** Profile likelihood over the shape k (cv = 1/√k), cv from 0.1 to 20. */
    private static Candidate gamma(Bins bins, double lnMedian) {
        Profile p = profile(lnCv -> bestScale(bins, Math.exp(-2 * lnCv), lnMedian)[1], Math.log(0.1), Math.log(20));
        return new Candidate("gamma", "cv", Math.exp(p.best), Math.exp(p.low), Math.exp(p.high), p.logLikelihood);
    }

    /** Profile likelihood over σ from 0.05 to 5, μ free. */
    private static Candidate lognormal(Bins bins, double lnMedian) {
        Profile p = profile(lnSigma -> {
            double sigma = Math.exp(lnSigma);
            DoubleUnaryOperator ll = mu -> GapModels.logLikelihood(bins, GapModels.lognormal(mu, sigma));
            return GapModels.maximize(ll, lnMedian - 3 * sigma - 3, lnMedian + 3 * sigma + 3, 60)[1];
        }, Math.log(0.05), Math.log(5));
        return new Candidate("lognormal", "sigma", Math.exp(p.best), Math.exp(p.low), Math.exp(p.high),
                p.logLikelihood);
    }

    /** {ln scale, log-likelihood} of gamma with this shape at its best scale. */
    private static double[] bestScale(Bins bins, double shape, double lnMedian) {
        // the median of gamma(shape, 1): ≈ shape (1 − 1/(9 shape))³ above 1, (Γ(shape + 1)/2)^(1/shape) below
        double lnUnitMedian = shape >= 1 ? Math.log(shape) + 3 * Math.log(1 - 1 / (9 * shape))
                : (SpecialFunctions.logGamma(shape + 1) - Math.log(2)) / shape;
        double centre = lnMedian - lnUnitMedian;
        return GapModels.maximize(lnScale -> GapModels.logLikelihood(bins, GapModels.gamma(shape, Math.exp(lnScale))),
                centre - 6, centre + 6, 60);
    }

    private record Profile(double best, double low, double high, double logLikelihood) {
    }

    /**
     * The maximum of a profile log-likelihood over [lo, hi] (a grid of 97 points, then golden-section between
     * the best one's neighbours) and the 95% interval: where it stays within 1.92 of the maximum (χ², 1 dof).
     */
    private static Profile profile(DoubleUnaryOperator ll, double lo, double hi) {
        int n = 97;
        double[] x = new double[n];
        double[] y = new double[n];
        int best = 0;
        for (int i = 0; i < n; i++) {
            x[i] = lo + (hi - lo) * i / (n - 1);
            y[i] = ll.applyAsDouble(x[i]);
            if (y[i] > y[best]) {
                best = i;
            }
        }
        double[] refined = GapModels.maximize(ll, x[Math.max(0, best - 1)], x[Math.min(n - 1, best + 1)], 30);
        double max = Math.max(refined[1], y[best]);
        double at = refined[1] >= y[best] ? refined[0] : x[best];
        int l = best;
        while (l > 0 && y[l - 1] >= max - 1.92) {
            l--;
        }
        int h = best;
        while (h < n - 1 && y[h + 1] >= max - 1.92) {
            h++;
        }
        // the interval reaches to the first grid point outside it (conservative by one grid step)
        return new Profile(at, x[Math.max(0, l - 1)], x[Math.min(n - 1, h + 1)], max);
    }
}
