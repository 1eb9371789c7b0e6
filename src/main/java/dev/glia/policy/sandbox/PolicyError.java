package dev.glia.policy.sandbox;

/** A sandboxed policy call that ran past its budget or broke the JVM's limits, turned into a contained failure. */
public final class PolicyError extends RuntimeException {
    public PolicyError(String message, Throwable cause) {
        super(message, cause);
    }
}
