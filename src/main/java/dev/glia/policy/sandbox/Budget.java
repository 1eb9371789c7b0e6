package dev.glia.policy.sandbox;

/**
 * What a policy may spend. Per call: steps (method entries, loop iterations, and work the JDK does
 * on its behalf), array cells allocated (its own and the JDK's), stack slots of its frames, and
 * wall-clock time. Per run: the wall-clock time of all its calls together, so a policy whose every
 * call stays just inside its deadline still ends the run in bounded time. The defaults leave an
 * HRA call over thousands of queued requests a hundredfold margin while stopping a runaway loop in
 * well under a second.
 */
public record Budget(long steps, long cells, long deadlineNanos, int stackSlots, long runNanos) {
    public static final int DEFAULT_STACK_SLOTS = 16_384;
    /** 60 s of policy time per run, or {@code -Dglia.policy.run-seconds=N}. */
    public static final long DEFAULT_RUN_NANOS = Long.getLong("glia.policy.run-seconds", 60) * 1_000_000_000L;
    public static final Budget DEFAULT = new Budget(20_000_000L, 32_000_000L, 1_000_000_000L);

    public Budget {
        if (steps <= 0 || cells <= 0 || deadlineNanos <= 0 || stackSlots <= 0 || runNanos <= 0) {
            throw new IllegalArgumentException("budgets must be positive");
        }
    }

    public Budget(long steps, long cells, long deadlineNanos) {
        this(steps, cells, deadlineNanos, DEFAULT_STACK_SLOTS, DEFAULT_RUN_NANOS);
    }
}
