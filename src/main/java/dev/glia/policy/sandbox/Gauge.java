package dev.glia.policy.sandbox;

/**
 * The budget counters instrumented policy code calls into. Never used from this class loader:
 * each policy class loader defines its own copy of these bytes, so every loaded policy (one per
 * simulation thread) has private counters and the hot path is a static decrement, not a lookup.
 */
public final class Gauge {
    /** Steps left in the current slice; the hot path only decrements and tests this. */
    public static int steps;
    /** Steps left in the call's budget beyond the current slice. */
    public static long remaining;
    public static long cells;
    public static long deadline;
    public static String tripped;

    private static final int SLICE = 1 << 16;

    private Gauge() {
    }

    /** At every method entry and loop back-edge. */
    public static void tick() {
        if (--steps < 0) {
            refill();
        }
    }

    /** Every 65,536 steps: the budget and the deadline are checked here, off the hot path. */
    private static void refill() {
        if (remaining <= 0) {
            trip(tripped != null ? tripped
                    : "step budget exceeded (a loop that does not end, or too much work in one call)");
        }
        if (System.nanoTime() > deadline) {
            trip("per-call deadline exceeded");
        }
        int slice = (int) Math.min(remaining, SLICE);
        remaining -= slice;
        steps = slice - 1;
    }

    /** Before every array allocation, with its element count. */
    public static void alloc(int count) {
        cells -= Math.max(count, 0);
        if (cells < 0) {
            trip("allocation budget exceeded (an array of " + count + " elements)");
        }
    }

    public static void reset(long stepBudget, long cellBudget, long deadlineNanos) {
        // the first slice is loaded here, so that calls shorter than a slice never leave the hot
        // path and the JIT compiles refill() as the rare branch it is
        steps = (int) Math.min(stepBudget, SLICE);
        remaining = stepBudget - steps;
        cells = cellBudget;
        deadline = deadlineNanos;
        tripped = null;
    }

    public static String tripped() {
        return tripped;
    }

    /** Once tripped, every later step or allocation of the call trips again, so an overrun cannot be swallowed. */
    private static void trip(String why) {
        if (tripped == null) {
            tripped = why;
        }
        steps = 0;
        remaining = 0;
        cells = 0;
        throw new BudgetExceeded(why);
    }
}
