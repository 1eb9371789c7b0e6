package dev.glia.control;

import java.time.Instant;
import java.util.List;

/**
 * The canary verdict from the router's metrics: the candidate pool against its {@link Baseline} (the control pool, or
 * the stable pool when there is none) on the objective, the guardrails and the error rate ({@link CanaryJudgement}),
 * over the slices the operator reads from Prometheus. The message says which baseline the figures' "stable" is.
 */
public final class MetricsVerdict implements CanaryVerdict {

    /** Where the slices come from: the operator's PromQL range queries (docs/adaptation.md), a test's recording. */
    @FunctionalInterface
    public interface Slices {
        /** The canary's consecutive slices from its start until {@code now}, oldest first, against {@code baseline}. */
        List<CanarySlice> between(Baseline baseline, Instant start, Instant now) throws Exception;
    }

    private final CanaryCriteria criteria;
    private final Slices slices;

    public MetricsVerdict(CanaryCriteria criteria, Slices slices) {
        this.criteria = criteria;
        this.slices = slices;
    }

    @Override
    public Verdict judge(Canary canary, Instant now) {
        if (canary.startedAt() == null) {
            return Verdict.undecided("CanaryNotStarted", "the router has not confirmed the canary of "
                    + canary.policyName() + " yet");
        }
        List<CanarySlice> observed;
        try {
            observed = slices.between(canary.baseline(), canary.startedAt(), now);
        } catch (Exception e) {
            // undecided: at the deadline the rollout's own timeout decides (rollback by default)
            return Verdict.undecided("MetricsUnavailable", "the router's metrics could not be read: " + e.getMessage());
        }
        boolean finalLook = canary.deadline() != null && !now.isBefore(canary.deadline());
        Verdict v = CanaryJudgement.judge(criteria, observed, finalLook);
        return new Verdict(v.decision(), v.reason(), "against " + canary.baseline().description() + ": "
                + v.message());
    }
}
