package dev.glia.policy.sandbox;

/**
 * A host bug, not the policy's: a second thread called a policy instance while a call to it was
 * running. Refused before any policy code runs, so the running call keeps its budget intact.
 */
public final class ConcurrentPolicyCall extends IllegalStateException {
    public ConcurrentPolicyCall(String message) {
        super(message);
    }
}
