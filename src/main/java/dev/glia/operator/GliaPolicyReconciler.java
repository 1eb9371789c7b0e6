package dev.glia.operator;

import dev.glia.operator.crd.v1alpha1.GliaPolicy;
import dev.glia.operator.crd.v1alpha1.GliaPolicyStatus;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * Verifies every GliaPolicy ({@link PolicyVerification}) and writes {@code status.verified}, {@code status.reason}
 * (naming the field) and a {@code Verified} condition; only when the answer changes.
 */
public final class GliaPolicyReconciler implements Reconciler<GliaPolicy> {
    private final Clock clock;

    public GliaPolicyReconciler(Clock clock) {
        this.clock = clock;
    }

    @Override
    public UpdateControl<GliaPolicy> reconcile(GliaPolicy policy, Context<GliaPolicy> context) {
        GliaPolicyStatus old = policy.getStatus();
        PolicyVerification.Result r = PolicyVerification.verify(policy.getSpec(), old == null ? null : old.specSha256);
        long generation = policy.getMetadata().getGeneration() == null ? 0 : policy.getMetadata().getGeneration();
        if (old != null && Objects.equals(old.verified, r.verified()) && Objects.equals(old.reason,
                r.verified() ? null : r.message()) && Objects.equals(old.observedGeneration, generation)) {
            return UpdateControl.noUpdate();
        }
        GliaPolicyStatus status = old == null ? new GliaPolicyStatus() : old;
        String since = status.conditions.stream().filter(c -> c.getType().equals("Verified")
                && c.getStatus().equals(r.verified() ? "True" : "False")).map(c -> c.getLastTransitionTime())
                .findFirst().orElse(clock.instant().toString());
        status.verified = r.verified();
        status.reason = r.verified() ? null : r.message();
        status.specSha256 = r.specSha256();
        status.observedGeneration = generation;
        status.conditions = List.of(new ConditionBuilder().withType("Verified").withStatus(r.verified() ? "True" : "False")
                .withReason(r.reason()).withMessage(r.message()).withObservedGeneration(generation)
                .withLastTransitionTime(since).build());
        // status.rolledOut is the optimisation reconciler's: left out of this merge patch, so never overwritten
        status.rolledOut = null;
        policy.setStatus(status);
        return UpdateControl.patchStatus(policy);
    }
}
