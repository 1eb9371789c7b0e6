package dev.glia.engine;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How late tokens leave the emulated engine: the wall time a token was handed to its client
 * minus the wall time its iteration ends on the model clock. Buckets of 50 µs up to 250 ms (and
 * one beyond), so percentiles are exact to 50 µs with no allocation per token. Thread-safe.
 */
public final class TokenTiming {
    static final long BUCKET_NANOS = 50_000;
    private static final int BUCKETS = 5_000;
    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS + 1);

    void record(long lateNanos) {
        long b = Math.max(0, lateNanos) / BUCKET_NANOS;
        counts.incrementAndGet((int) Math.min(b, BUCKETS));
    }

    public long tokens() {
        long n = 0;
        for (int i = 0; i <= BUCKETS; i++) {
            n += counts.get(i);
        }
        return n;
    }

    /** The {@code q}-quantile of lateness in seconds (upper edge of its bucket); NaN with no tokens. */
    public double quantileSeconds(double q) {
        long n = tokens();
        if (n == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int i = 0; i <= BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= Math.max(1, rank)) {
                return i == BUCKETS ? Double.POSITIVE_INFINITY : (i + 1) * BUCKET_NANOS * 1e-9;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** Adds another engine's figures: one distribution over several engines. */
    public TokenTiming plus(TokenTiming other) {
        TokenTiming sum = new TokenTiming();
        for (int i = 0; i <= BUCKETS; i++) {
            sum.counts.set(i, counts.get(i) + other.counts.get(i));
        }
        return sum;
    }
}
