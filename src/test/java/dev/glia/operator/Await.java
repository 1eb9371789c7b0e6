package dev.glia.operator;

import java.time.Duration;
import java.util.function.Supplier;

/** Bounded polling for what the operator does on its own threads: no fixed sleeps in the lifecycle tests. */
final class Await {
    private Await() {
    }

    /** The probe's first answer that is neither null nor false, polled every 50 ms for at most {@code wait}. */
    static <T> T until(Supplier<T> probe, Duration wait, String what) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            T t = probe.get();
            if (t != null && !Boolean.FALSE.equals(t)) {
                return t;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("timed out waiting for " + what);
    }
}
