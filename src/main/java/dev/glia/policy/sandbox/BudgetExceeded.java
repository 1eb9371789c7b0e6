package dev.glia.policy.sandbox;

/**
 * Thrown inside a policy call that overran its step, allocation, stack or time budget. An
 * {@code Error}, so that a policy's {@code catch (Exception e)} cannot swallow it; catching it by
 * name is rejected by the verifier, and the gauge stays tripped even if a {@code finally} discards
 * it. It records where it struck, so the failure can name the policy's line.
 */
public final class BudgetExceeded extends Error {
    public BudgetExceeded(String message) {
        super(message, null, false, true);
    }
}
