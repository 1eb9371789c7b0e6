package dev.glia.policy.sandbox;

/**
 * What one policy call may spend: steps (method entries plus loop iterations), array cells
 * allocated, and wall-clock time. The defaults leave an HRA call over thousands of queued
 * requests a hundredfold margin while stopping a runaway loop in well under a second.
 */
public record Budget(long steps, long cells, long deadlineNanos) {
    public static final Budget DEFAULT = new Budget(20_000_000L, 32_000_000L, 1_000_000_000L);

    public Budget {
        if (steps <= 0 || cells <= 0 || deadlineNanos <= 0) {
            throw new IllegalArgumentException("budgets must be positive");
        }
    }
}
