package dev.glia.control;

import dev.glia.metrics.SpecialFunctions;

import dev.glia.metrics.fit.ArrivalFit;
import dev.glia.metrics.fit.FitReport;
import dev.glia.metrics.fit.LengthFit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Has the workload moved away from the one the active policy was found for? The drift check compares two workloads
 * fitted by {@link dev.glia.metrics.fit.WorkloadFit} (the reference: what the active policy's research session was
 * fitted to; the recent one: the last {@link DriftSettings#window()}) on four distances, and decides whether to start
 * a new research session (docs/adaptation.md, "Drift"):
 *
 * <ul>
 *   <li><b>rate</b>: recent / reference arrivals per second; counts when |ln ratio| &gt; ln(1 + threshold);</li>
 *   <li><b>burstiness</b>: the ratio of the gaps' coefficients of variation (Poisson 1, gamma its cv, lognormal
 *       √(e^σ² − 1)), the same way;</li>
 *   <li><b>prompt and output lengths</b>: the Kolmogorov–Smirnov distance (the largest gap between the two CDFs)
 *       between the fitted quantile tables; counts when above {@code lengthDistance}.</li>
 * </ul>
 *
 * A distance counts only when it also passes its <b>noise floor</b>, what sampling alone reaches with probability
 * {@code alpha} at the counts observed: for the rate z·√(e₁² + e₂²) in ln units (e the fit's relative standard
 * error of each rate), for burstiness the same from each cv's 95% profile-likelihood interval, for lengths the
 * two-sample KS critical value c(alpha)·√((n + m)/(n·m)). A short window of bursty traffic therefore cannot call a
 * rate change it cannot measure, and bucket-level differences between histograms never reach a KS distance.
 *
 * <p>Then, in order: too few recent requests decide nothing ({@link Decision#INSUFFICIENT_DATA}); no distance
 * counting is {@link Decision#UNCHANGED}; a drift within the cool-down of the last drift-triggered session is
 * {@link Decision#COOLING_DOWN}; with {@code maxSessionsPerDay} sessions started in the last 24 hours
 * {@link Decision#CAP_REACHED}; otherwise {@link Decision#DRIFTED}: start a research session on the recent workload
 * (the returned history records it). A pure function of its inputs and the clock.
 */
public final class DriftCheck {

    /** What the check decided. Only {@link #DRIFTED} starts a research session. */
    public enum Decision {
        DRIFTED("Drifted"), UNCHANGED("Unchanged"), COOLING_DOWN("CoolingDown"), CAP_REACHED("CapReached"),
        INSUFFICIENT_DATA("InsufficientData");

        private final String value;

        Decision(String value) {
            this.value = value;
        }

        /** As the status writes it: {@code Drifted}, {@code Unchanged}, ... */
        public String value() {
            return value;
        }
    }

    /** The four distances, with the name the status and the messages use. */
    public enum Dimension {
        RATE("rate"), BURSTINESS("burstiness"), PROMPT_LENGTHS("promptLengths"), OUTPUT_LENGTHS("outputLengths");

        private final String value;

        Dimension(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }

    /**
     * One distance between the reference and the recent workload.
     *
     * @param dimension which
     * @param reference the reference's figure: arrivals per second, the gaps' cv, or the mean length in tokens
     * @param recent    the recent workload's
     * @param value     rate and burstiness: the ratio recent / reference; lengths: the KS distance in [0, 1]
     * @param threshold the configured threshold in the same units (a ratio 1 + threshold, or a KS distance)
     * @param noise     the noise floor in the same units, what sampling alone reaches with probability alpha
     * @param past      whether {@code value} is past both (a ratio in either direction)
     */
    public record Distance(Dimension dimension, double reference, double recent, double value, double threshold,
            double noise, boolean past) {
        /** The larger of the threshold and the noise floor: what the value had to pass. */
        public double limit() {
            return Math.max(threshold, noise);
        }

        /** Whether this is a ratio (rate, burstiness) rather than a KS distance. */
        public boolean ratio() {
            return dimension == Dimension.RATE || dimension == Dimension.BURSTINESS;
        }

        String text() {
            return switch (dimension) {
                case RATE -> String.format(Locale.ROOT, "rate %.3g → %.3g/s (×%.2f, limit ×%.2f%s)", reference, recent,
                        value, limit(), noise > threshold ? " set by noise" : "");
                case BURSTINESS -> String.format(Locale.ROOT, "burstiness cv %.2f → %.2f (×%.2f, limit ×%.2f%s)",
                        reference, recent, value, limit(), noise > threshold ? " set by noise" : "");
                case PROMPT_LENGTHS, OUTPUT_LENGTHS -> String.format(Locale.ROOT,
                        "%s KS %.3f (limit %.3f%s; mean %.0f → %.0f tokens)", dimension == Dimension.PROMPT_LENGTHS
                                ? "prompt lengths" : "output lengths", value, limit(),
                        noise > threshold ? " set by noise" : "", reference, recent);
            };
        }
    }

    /**
     * A check's answer: the decision with its CamelCase reason and a message giving the figures, every distance, the
     * requests it rests on, the settings it applied, and the history to keep (with the new session when
     * {@link Decision#DRIFTED}).
     */
    public record Result(Instant time, Decision decision, String reason, String message, List<Distance> distances,
            long requests, long outputs, DriftSettings settings, DriftHistory history) {
        public Result {
            if (decision == null || reason == null || !reason.matches("[A-Z][A-Za-z0-9]*")) {
                throw new IllegalArgumentException("a drift check needs a decision and a CamelCase reason, got "
                        + reason);
            }
            distances = List.copyOf(distances);
        }

        /** Whether the workload moved past a threshold (also when cooling down or capped). */
        public boolean drifted() {
            return decision == Decision.DRIFTED || decision == Decision.COOLING_DOWN
                    || decision == Decision.CAP_REACHED;
        }

        /** Whether to start a research session on the recent workload now. */
        public boolean startSession() {
            return decision == Decision.DRIFTED;
        }

        public Optional<Distance> distance(Dimension dimension) {
            return distances.stream().filter(d -> d.dimension() == dimension).findFirst();
        }

        /** The dimensions past their limit. */
        public List<Dimension> changed() {
            return distances.stream().filter(Distance::past).map(Distance::dimension).toList();
        }
    }

    private DriftCheck() {
    }

    /**
     * The one call the reconciler makes at each drift interval.
     *
     * @param reference the workload the active policy was found for (fitted when its research session began)
     * @param recent    the workload fitted over the last {@code settings.window()} ending {@code now}; fit it with a
     *                  {@code minRequests} of 2, so that this check, not the fitter, refuses a thin window
     * @param history   the drift-triggered sessions so far ({@link DriftHistory#empty()} at first)
     * @param now       the check's time
     */
    public static Result decide(FitReport reference, FitReport recent, DriftSettings settings, DriftHistory history,
            Instant now) {
        history = history == null ? DriftHistory.empty() : history;
        long requests = Math.min(recent.prompt().requests(), recent.arrivals().gaps() + 1);
        long outputs = recent.output().requests();
        List<Distance> distances = distances(reference, recent, settings);
        String figures = figures(distances);
        String counts = String.format(Locale.ROOT, "%d requests arrived and %d completed in the recent %s",
                requests, outputs, text(settings.window()));
        if (requests < settings.minRequests() || outputs < settings.minRequests()) {
            return new Result(now, Decision.INSUFFICIENT_DATA, "InsufficientRequests", counts + "; at least "
                    + settings.minRequests() + " of each are needed to decide (" + figures + "). Widen drift.window"
                    + " or lower drift.minRequests.", distances, requests, outputs, settings, history);
        }
        List<Distance> past = distances.stream().filter(Distance::past).toList();
        if (past.isEmpty()) {
            return new Result(now, Decision.UNCHANGED, "WorkloadUnchanged", "No distance past its limit: " + figures
                    + "; " + counts + ".", distances, requests, outputs, settings, history);
        }
        String changed = "The workload drifted: " + figures(past) + "; " + counts;
        Optional<Instant> last = history.last();
        if (last.isPresent() && now.isBefore(last.get().plus(settings.coolDown()))) {
            return new Result(now, Decision.COOLING_DOWN, "DriftCoolingDown", changed + ". No new research session:"
                    + " the last drift-triggered one began at " + last.get() + " and the cool-down ("
                    + text(settings.coolDown()) + ") ends at " + last.get().plus(settings.coolDown()) + ".", distances,
                    requests, outputs, settings, history);
        }
        int today = history.inLastDay(now);
        if (today >= settings.maxSessionsPerDay()) {
            return new Result(now, Decision.CAP_REACHED, "DriftSessionCapReached", changed + ". No new research"
                    + " session: " + today + " drift-triggered sessions began in the last 24 hours, the most"
                    + " drift.maxSessionsPerDay allows (" + settings.maxSessionsPerDay() + ").", distances, requests,
                    outputs, settings, history);
        }
        return new Result(now, Decision.DRIFTED, "WorkloadDrifted", changed + ". Starting a research session on the"
                + " recent workload (past: " + String.join(", ", past.stream().map(d -> d.dimension().value())
                .toList()) + ").", distances, requests, outputs, settings, history.withSession(now));
    }

    /**
     * The answer when the recent window could not be fitted at all (the fitter refused it, or Prometheus had no
     * series): no decision, with the reason given.
     */
    public static Result insufficientData(String why, DriftSettings settings, DriftHistory history, Instant now) {
        return new Result(now, Decision.INSUFFICIENT_DATA, "InsufficientRequests", "No decision: " + why, List.of(),
                0, 0, settings, history == null ? DriftHistory.empty() : history);
    }

    /** The four distances with their thresholds and noise floors. */
    static List<Distance> distances(FitReport reference, FitReport recent, DriftSettings s) {
        double z = normalQuantile(1 - s.alpha() / 2);
        List<Distance> out = new ArrayList<>(4);

        ArrivalFit a = reference.arrivals();
        ArrivalFit b = recent.arrivals();
        double rateRatio = b.qps() / a.qps();
        double rateNoise = Math.exp(z * Math.hypot(a.rateError(), b.rateError()));
        out.add(ratio(Dimension.RATE, a.qps(), b.qps(), rateRatio, 1 + s.rateThreshold(), rateNoise));

        double[] cvA = cv(a);
        double[] cvB = cv(b);
        double cvNoise = Math.exp(z * Math.hypot(cvA[1], cvB[1]));
        out.add(ratio(Dimension.BURSTINESS, cvA[0], cvB[0], cvB[0] / cvA[0], 1 + s.burstinessThreshold(), cvNoise));

        double c = Math.sqrt(-Math.log(s.alpha() / 2) / 2);
        out.add(lengths(Dimension.PROMPT_LENGTHS, reference.prompt(), recent.prompt(), s.lengthDistance(), c));
        out.add(lengths(Dimension.OUTPUT_LENGTHS, reference.output(), recent.output(), s.lengthDistance(), c));
        return out;
    }

    private static Distance ratio(Dimension d, double reference, double recent, double ratio, double threshold,
            double noise) {
        boolean past = Double.isFinite(ratio) && ratio > 0 && Math.abs(Math.log(ratio)) > Math.log(Math.max(threshold,
                noise));
        return new Distance(d, reference, recent, ratio, threshold, noise, past);
    }

    private static Distance lengths(Dimension d, LengthFit reference, LengthFit recent, double threshold, double c) {
        double n = reference.requests();
        double m = recent.requests();
        double noise = n > 0 && m > 0 ? c * Math.sqrt((n + m) / (n * m)) : 1;
        double ks = ks(reference.table(), recent.table());
        return new Distance(d, reference.mean(), recent.mean(), ks, threshold, noise, ks > Math.max(threshold, noise));
    }

    /**
     * {cv, standard error of ln cv} of a fitted arrival process: the chosen process' cv, and the error from its 95%
     * profile-likelihood interval (half its width in ln units over 1.96).
     */
    static double[] cv(ArrivalFit a) {
        boolean lognormal = a.process().equals("lognormal");
        double cv = lognormal ? lognormalCv(a.parameter()) : a.parameter();
        double low = lognormal ? lognormalCv(a.low()) : a.low();
        double high = lognormal ? lognormalCv(a.high()) : a.high();
        double se = low > 0 && high > low ? (Math.log(high) - Math.log(low)) / (2 * 1.96) : 0;
        return new double[] {cv, se};
    }

    private static double lognormalCv(double sigma) {
        return Math.sqrt(Math.expm1(sigma * sigma));
    }

    /**
     * The Kolmogorov–Smirnov distance sup |F₁(x) − F₂(x)| between two distributions given as quantile tables at
     * evenly spaced probabilities (as {@link LengthFit#table()}, sampled with linear interpolation between points).
     * Each CDF is piecewise linear between its own table points, so the supremum is at a point of either table
     * (approached from either side where a table has a step).
     */
    public static double ks(List<Double> a, List<Double> b) {
        double[] x = a.stream().mapToDouble(Double::doubleValue).toArray();
        double[] y = b.stream().mapToDouble(Double::doubleValue).toArray();
        double d = 0;
        for (double[] points : new double[][] {x, y}) {
            for (double t : points) {
                d = Math.max(d, Math.abs(cdf(x, t) - cdf(y, t)));
                d = Math.max(d, Math.abs(cdfBelow(x, t) - cdfBelow(y, t)));
            }
        }
        return Math.min(1, d);
    }

    /** P(X ≤ t) of a quantile table (linear between points). */
    static double cdf(double[] q, double t) {
        int n = q.length - 1;
        if (t < q[0]) {
            return 0;
        }
        if (t >= q[n]) {
            return 1;
        }
        int i = upperIndex(q, t); // q[i - 1] <= t < q[i]
        return (i - 1 + (t - q[i - 1]) / (q[i] - q[i - 1])) / n;
    }

    /** P(X &lt; t): the CDF's left limit at t. */
    static double cdfBelow(double[] q, double t) {
        int n = q.length - 1;
        if (t <= q[0]) {
            return 0;
        }
        if (t > q[n]) {
            return 1;
        }
        int i = lowerIndex(q, t); // q[i - 1] < t <= q[i]
        return (i - 1 + (t - q[i - 1]) / (q[i] - q[i - 1])) / n;
    }

    /** The first index whose value exceeds t (q[0] &lt;= t &lt; q[n]). */
    private static int upperIndex(double[] q, double t) {
        int lo = 0;
        int hi = q.length - 1;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (q[mid] > t) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    /** The first index whose value is at least t (q[0] &lt; t &lt;= q[n]). */
    private static int lowerIndex(double[] q, double t) {
        int lo = 0;
        int hi = q.length - 1;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (q[mid] >= t) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    /** The standard normal's p-quantile, by bisection on its upper tail. */
    static double normalQuantile(double p) {
        double lo = -10;
        double hi = 10;
        for (int i = 0; i < 100; i++) {
            double mid = (lo + hi) / 2;
            if (1 - SpecialFunctions.normalUpperTail(mid) < p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    private static String figures(List<Distance> distances) {
        return String.join(", ", distances.stream().map(Distance::text).toList());
    }

    static String text(java.time.Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
