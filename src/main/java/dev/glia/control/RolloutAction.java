package dev.glia.control;

import dev.glia.catalog.PolicyDocument;
import java.time.Instant;

/**
 * What the reconciler does after a {@link Rollout#step}, in the order given. Each is idempotent from the world's
 * side (create-if-absent, the router's answers) so that a reconciler that crashed halfway may do them again.
 */
public sealed interface RolloutAction {

    /** Create the research Job (or start the in-process session) for the spec at {@code generation}. */
    record CreateResearchJob(long generation, int attempt) implements RolloutAction {
    }

    /** Create the candidate's GliaPolicy, owned by the optimisation, with {@code spec.approved = approved}. */
    record CreatePolicy(Candidate candidate, boolean approved) implements RolloutAction {
    }

    /** Set {@code spec.approved: true} on an existing GliaPolicy (auto mode, after a change of mode). */
    record ApprovePolicy(String policyName, String reason) implements RolloutAction {
    }

    /** {@link RouterAdmin#startCanary}; its answer returns as an event ({@link RolloutEvent#fromRouter}). */
    record ConfigureCanary(String policyName, PolicyDocument policy, CanaryEngines engines, Double share)
            implements RolloutAction {
    }

    /** {@link RouterAdmin#promote}. */
    record Promote(String policyName) implements RolloutAction {
    }

    /** {@link RouterAdmin#rollback}. */
    record RollBack(String policyName, String reason) implements RolloutAction {
    }

    /** {@link RouterAdmin#installPolicy}: a promotion whose canary the router no longer has. */
    record InstallPolicy(String policyName, PolicyDocument policy) implements RolloutAction {
    }

    /** A Kubernetes Event on the GliaOptimization. */
    record EmitEvent(Type type, String reason, String message) implements RolloutAction {
        public enum Type { NORMAL, WARNING }
    }

    /** Write this condition to status.conditions (already in {@link RolloutState#conditions()}). */
    record SetCondition(Condition condition) implements RolloutAction {
    }

    /** Reconcile again at {@code at} at the latest (a canary deadline, a router retry). */
    record WakeAt(Instant at) implements RolloutAction {
    }
}
