package dev.glia.policy.sandbox;

/**
 * The budget counters instrumented policy code calls into. Never used from this class loader:
 * each policy class loader defines its own copy of these bytes, so every loaded policy (one per
 * simulation thread) has private counters and the hot path is a static decrement, not a lookup.
 */
public final class Gauge {
    public static long steps;
    public static long cells;
    public static long deadline;
    public static String tripped;

    private Gauge() {
    }

    /** At every method entry and loop back-edge. */
    public static void tick() {
        if (--steps < 0) {
            trip("step budget exceeded (a loop that does not end, or too much work in one call)");
        }
        if ((steps & 0xFFF) == 0 && System.nanoTime() > deadline) {
            trip("per-call deadline exceeded");
        }
    }

    /** Before every array allocation, with its element count. */
    public static void alloc(int count) {
        cells -= Math.max(count, 0);
        if (cells < 0) {
            trip("allocation budget exceeded (an array of " + count + " elements)");
        }
    }

    public static void reset(long stepBudget, long cellBudget, long deadlineNanos) {
        steps = stepBudget;
        cells = cellBudget;
        deadline = deadlineNanos;
        tripped = null;
    }

    public static String tripped() {
        return tripped;
    }

    private static void trip(String why) {
        if (tripped == null) {
            tripped = why;
        }
        steps = 0;
        throw new BudgetExceeded(why);
    }
}
