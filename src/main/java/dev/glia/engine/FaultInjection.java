package dev.glia.engine;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The faults the front end injects into its engine, counted on admitted requests: {@code --fail-after N} kills the
 * engine when request N+1 arrives (requests in flight get errors, that one a 500), {@code --stall-after N:S}
 * stalls it for S seconds when request N is admitted, {@code --slow-start S} keeps the server unready for S
 * seconds after it starts listening.
 */
final class FaultInjection {
    private final Integer failAfter;
    private final StallAfter stallAfter;
    private final long readyAtNanos;
    private final AtomicInteger admitted = new AtomicInteger();

    FaultInjection(EngineOptions options) {
        this.failAfter = options.failAfter();
        this.stallAfter = options.stallAfter();
        this.readyAtNanos = System.nanoTime() + Math.round(options.slowStartSeconds() * 1e9);
    }

    /** Seconds until the emulated model has loaded; 0 once it has. */
    double secondsUntilReady() {
        return Math.max(0, (readyAtNanos - System.nanoTime()) / 1e9);
    }

    /** A request is about to be submitted: kill the engine if this is one too many. */
    void beforeSubmit(EngineBackend backend) {
        int n = admitted.incrementAndGet();
        if (failAfter != null && n == failAfter + 1) {
            backend.kill("--fail-after " + failAfter + ": the engine died when request " + n + " arrived");
        }
    }

    /** A request was admitted: stall the engine if it is the one. */
    void afterSubmit(EngineBackend backend) {
        if (stallAfter != null && admitted.get() == stallAfter.requests()) {
            backend.stall(stallAfter.seconds());
        }
    }
}
