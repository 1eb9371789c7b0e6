package dev.glia.control;

import java.time.Duration;

/**
 * {@code spec.drift} of a GliaOptimization, as the drift check needs it (docs/adaptation.md, "Drift").
 *
 * @param interval           how often the recent workload is fitted and compared
 * @param window             how much recent history each check fits (the recent workload)
 * @param rateThreshold      relative change of the arrival rate that counts: drift when
 *                           |ln(rate / reference)| &gt; ln(1 + rateThreshold)
 * @param burstinessThreshold relative change of the gaps' coefficient of variation (Poisson 1, gamma its cv,
 *                           lognormal √(e^σ² − 1)) that counts, the same way
 * @param lengthDistance     the Kolmogorov–Smirnov distance between the reference's and the recent prompt (and
 *                           output) length distributions that counts, in [0, 1]
 * @param coolDown           least time between two drift-triggered research sessions
 * @param maxSessionsPerDay  drift-triggered sessions at most in any 24 hours
 * @param minRequests        fewer requests (arrived, or completed with a streamed output) in the recent window and
 *                           there is no decision
 * @param alpha              the chance, per distance and check, that sampling noise alone passes a distance's noise
 *                           floor (a distance counts only past both its threshold and that floor)
 */
public record DriftSettings(Duration interval, Duration window, double rateThreshold, double burstinessThreshold,
        double lengthDistance, Duration coolDown, int maxSessionsPerDay, int minRequests, double alpha) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);
    public static final double DEFAULT_RATE_THRESHOLD = 0.25;
    public static final double DEFAULT_BURSTINESS_THRESHOLD = 1.0;
    public static final double DEFAULT_LENGTH_DISTANCE = 0.1;
    public static final Duration DEFAULT_COOL_DOWN = Duration.ofHours(6);
    public static final int DEFAULT_MAX_SESSIONS_PER_DAY = 3;
    public static final int DEFAULT_MIN_REQUESTS = 200;
    public static final double DEFAULT_ALPHA = 1e-4;

    public DriftSettings {
        interval = interval == null ? DEFAULT_INTERVAL : interval;
        positive("drift.interval", interval);
        window = window == null ? interval : window;
        positive("drift.window", window);
        if (!(rateThreshold > 0)) {
            throw new IllegalArgumentException("drift.threshold: expected a positive relative change, got "
                    + rateThreshold);
        }
        if (!(burstinessThreshold > 0)) {
            throw new IllegalArgumentException("drift.burstinessThreshold: expected a positive relative change, got "
                    + burstinessThreshold);
        }
        if (!(lengthDistance > 0 && lengthDistance < 1)) {
            throw new IllegalArgumentException("drift.lengthDistance: expected a distance in (0, 1), got "
                    + lengthDistance);
        }
        coolDown = coolDown == null ? DEFAULT_COOL_DOWN : coolDown;
        if (coolDown.isNegative()) {
            throw new IllegalArgumentException("drift.coolDown: expected a duration, got " + coolDown);
        }
        if (maxSessionsPerDay < 0) {
            throw new IllegalArgumentException("drift.maxSessionsPerDay: expected 0 or more, got " + maxSessionsPerDay);
        }
        if (minRequests < 2) {
            throw new IllegalArgumentException("drift.minRequests: expected at least 2, got " + minRequests);
        }
        if (!(alpha > 0 && alpha < 0.5)) {
            throw new IllegalArgumentException("drift alpha: expected a probability in (0, 0.5), got " + alpha);
        }
    }

    /** Every default: a check every 10 minutes of the last 10 minutes, rate ±25%, cv ×2, KS 0.1, 6 h, 3 a day. */
    public static DriftSettings defaults() {
        return new DriftSettings(DEFAULT_INTERVAL, null, DEFAULT_RATE_THRESHOLD, DEFAULT_BURSTINESS_THRESHOLD,
                DEFAULT_LENGTH_DISTANCE, DEFAULT_COOL_DOWN, DEFAULT_MAX_SESSIONS_PER_DAY, DEFAULT_MIN_REQUESTS,
                DEFAULT_ALPHA);
    }

    public DriftSettings withTiming(Duration interval, Duration window, Duration coolDown) {
        return new DriftSettings(interval, window, rateThreshold, burstinessThreshold, lengthDistance, coolDown,
                maxSessionsPerDay, minRequests, alpha);
    }

    public DriftSettings withLimits(int maxSessionsPerDay, int minRequests) {
        return new DriftSettings(interval, window, rateThreshold, burstinessThreshold, lengthDistance, coolDown,
                maxSessionsPerDay, minRequests, alpha);
    }

    private static void positive(String field, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + ": expected a positive duration, got " + d);
        }
    }
}
