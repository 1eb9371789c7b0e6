package dev.glia.control;

import java.time.Instant;
import java.util.List;

/**
 * The canary verdict from the router's metrics: the candidate pool against the stable pool on the objective, the
 * guardrails and the error rate ({@link CanaryJudgement}), over the slices the operator reads from Prometheus.
 */
public final class MetricsVerdict implements CanaryVerdict {

    /** Where the slices come from: the operator's PromQL range queries (docs/adaptation.md), a test's recording. */
    @FunctionalInterface
    public interface Slices {
        /** The canary's consecutive slices from its start until {@code now}, oldest first. */
        List<CanarySlice> between(Instant start, Instant now) throws Exception;
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
            observed = slices.between(canary.startedAt(), now);
        } catch (Exception e) {
            // undecided: at the deadline the rollout's own timeout decides (rollback by default)
            return Verdict.undecided("MetricsUnavailable", "the router's metrics could not be read: " + e.getMessage());
        }
        boolean finalLook = canary.deadline() != null && !now.isBefore(canary.deadline());
        return CanaryJudgement.judge(criteria, observed, finalLook);
    }
}
