package dev.glia.control;

import java.time.Instant;

/**
 * Judges a running canary: promote the candidate, roll it back, or not yet. {@link MetricsVerdict} judges it on the
 * router's metrics (the candidate pool against its {@link Baseline}, on the objective, the guardrails and the error
 * rate; docs/adaptation.md); {@link ManualVerdict} reads a person's decision from an annotation or a field. The
 * reconciler asks it while the rollout is in {@link RolloutPhase#CANARY} and hands the answer to
 * {@link Rollout#step} as {@link RolloutEvent.VerdictReached}.
 */
public interface CanaryVerdict {

    enum Decision { PROMOTE, ROLL_BACK, UNDECIDED }

    /** A decision with its CamelCase reason and a message that gives the figures it rests on. */
    record Verdict(Decision decision, String reason, String message) {
        public Verdict {
            if (decision == null || reason == null || !reason.matches("[A-Z][A-Za-z0-9]*")) {
                throw new IllegalArgumentException("a verdict needs a decision and a CamelCase reason, got " + reason);
            }
            message = message == null ? "" : message;
        }

        public static Verdict promote(String reason, String message) {
            return new Verdict(Decision.PROMOTE, reason, message);
        }

        public static Verdict rollBack(String reason, String message) {
            return new Verdict(Decision.ROLL_BACK, reason, message);
        }

        public static Verdict undecided(String reason, String message) {
            return new Verdict(Decision.UNDECIDED, reason, message);
        }
    }

    /**
     * What a verdict is asked about: the candidate, its pool's share, since when it has run, and what it is compared
     * with (null until the router has confirmed the canary).
     */
    record Canary(String policyName, CanaryEngines engines, Double share, Instant startedAt, Instant deadline,
            Baseline baseline) {
    }

    Verdict judge(Canary canary, Instant now);
}
