package dev.glia.metrics.fit;

/** A window with too few requests to fit a workload from; the message says what to do. */
public final class TooFewRequestsException extends RuntimeException {
    public TooFewRequestsException(String message) {
        super(message);
    }
}
