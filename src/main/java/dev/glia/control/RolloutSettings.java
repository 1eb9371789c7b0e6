package dev.glia.control;

import java.time.Duration;

/**
 * {@code spec.rollout} of a GliaOptimization, as the rollout needs it.
 *
 * @param mode             manual, auto or gitops
 * @param canaryEngines    the engines the canary pool takes
 * @param canaryShare      the canary's share of arrivals in (0, 1], or null for its engines' fraction (the router's
 *                         default)
 * @param canaryDuration   how long a canary runs before {@code onTimeout} decides
 * @param onTimeout        what the timeout does when no verdict promoted or rolled back the candidate
 * @param routerRetry      how long after a router call that did not answer it is made again
 * @param researchAttempts how many times a research session starts for one candidate (2: a failed session restarts
 *                         once)
 */
public record RolloutSettings(RolloutMode mode, CanaryEngines canaryEngines, Double canaryShare,
        Duration canaryDuration, OnTimeout onTimeout, Duration routerRetry, int researchAttempts) {

    /** What the canary timeout does: roll back unless a verdict promoted (the default), or promote. */
    public enum OnTimeout { ROLL_BACK, PROMOTE }

    public RolloutSettings {
        if (mode == null) {
            throw new IllegalArgumentException("rollout.mode: expected manual, auto or gitops");
        }
        canaryEngines = canaryEngines == null ? CanaryEngines.count(1) : canaryEngines;
        if (canaryShare != null && !(canaryShare > 0 && canaryShare <= 1)) {
            throw new IllegalArgumentException("rollout.canary.share: expected a number in (0, 1], got " + canaryShare);
        }
        canaryDuration = canaryDuration == null ? Duration.ofMinutes(30) : canaryDuration;
        if (canaryDuration.isNegative() || canaryDuration.isZero()) {
            throw new IllegalArgumentException("rollout.canary.duration: expected a positive duration, got "
                    + canaryDuration);
        }
        onTimeout = onTimeout == null ? OnTimeout.ROLL_BACK : onTimeout;
        routerRetry = routerRetry == null ? Duration.ofSeconds(30) : routerRetry;
        if (routerRetry.isNegative() || routerRetry.isZero()) {
            throw new IllegalArgumentException("router retry: expected a positive duration, got " + routerRetry);
        }
        if (researchAttempts < 1) {
            throw new IllegalArgumentException("research attempts: at least 1, got " + researchAttempts);
        }
    }

    /** {@code mode} with the defaults: one canary engine at its share of engines for 30 min, roll back on timeout. */
    public static RolloutSettings of(RolloutMode mode) {
        return new RolloutSettings(mode, null, null, null, null, null, 2);
    }

    public RolloutSettings withMode(RolloutMode mode) {
        return new RolloutSettings(mode, canaryEngines, canaryShare, canaryDuration, onTimeout, routerRetry,
                researchAttempts);
    }

    public RolloutSettings withCanary(CanaryEngines engines, Double share, Duration duration) {
        return new RolloutSettings(mode, engines, share, duration, onTimeout, routerRetry, researchAttempts);
    }

    public RolloutSettings withOnTimeout(OnTimeout onTimeout) {
        return new RolloutSettings(mode, canaryEngines, canaryShare, canaryDuration, onTimeout, routerRetry,
                researchAttempts);
    }
}
