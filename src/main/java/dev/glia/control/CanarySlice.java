package dev.glia.control;

/**
 * One slice of a running canary (e.g. a minute): both pools' metrics over the same interval of wall-clock time, so
 * that both saw the same bursts of arrivals. A canary's history is a list of consecutive slices.
 *
 * @param stable the baseline's metrics: the canary's control pool when it has one, else the stable pool
 *               ({@link Baseline})
 */
public record CanarySlice(PoolMetrics stable, PoolMetrics canary) {
    public CanarySlice {
        if (stable == null || canary == null) {
            throw new IllegalArgumentException("a canary slice needs both pools' metrics");
        }
    }
}
