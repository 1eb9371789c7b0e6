package dev.glia.policy.sandbox;

/**
 * A policy failed inside another policy's call (a batch priority inside the router's
 * {@code Dispatch.send}): the failure unwinds through the outer policy as an {@code Error}, which
 * policy code can neither catch (the verifier refuses it) nor swallow in a {@code finally} (the
 * instrumenter rethrows it), and reaches the host with the inner policy's own failure.
 */
public final class PolicyAbort extends Error {
    private final RuntimeException failure;

    public PolicyAbort(RuntimeException failure) {
        super(failure.getMessage(), null, false, false);
        this.failure = failure;
    }

    /** The inner policy's failure, as the host reports it. */
    public RuntimeException failure() {
        return failure;
    }
}
