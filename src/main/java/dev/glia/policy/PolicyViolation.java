package dev.glia.policy;

/** A policy returned a decision the system cannot carry out; the message names the decision. */
public final class PolicyViolation extends RuntimeException {
    public PolicyViolation(String message) {
        super(message);
    }
}
