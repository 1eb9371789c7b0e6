package dev.glia.control;

import java.util.List;

/**
 * What a canary is judged on: the objective, the guardrails, and how much evidence a decision needs. The objective
 * and guardrails come from a GliaOptimization's {@code spec.objective} and {@code spec.rollout.guardrails}; the rest
 * from {@code spec.rollout.verdict}, whose defaults are these (docs/adaptation.md says why each).
 *
 * @param objective       the statistic the optimisation minimises or maximises, e.g. {@code e2e.mean}
 * @param guardrails      bounds the canary must keep against the stable pool (a ratio) or outright (a maximum)
 * @param minSamples      observations each pool needs in the objective's histogram before anything is decided (200)
 * @param minSlices       slices in which both pools have enough observations, before anything is decided (5)
 * @param alpha           the one-sided significance level every decisive test before the deadline must pass (0.001):
 *                        low, because the operator asks at every reconcile, and a false rollback is the failure this
 *                        guards against
 * @param finalAlpha      the level at the deadline, the one look that must decide (0.001, as every other look; a
 *                        higher one rolls back at the deadline a candidate that is worse but not beyond doubt). Over a
 *                        canary judged at K looks, at most (K − 1) · alpha + finalAlpha of candidates exactly at a
 *                        bound are rolled back by chance, and far fewer that equal the stable policy
 *                        (docs/adaptation.md)
 * @param objectiveMargin how much worse the objective may be before the candidate is rolled back for it (0.05:
 *                        significantly more than 5 % worse)
 * @param errorRateMargin how much higher the canary's error rate may be than the stable pool's (0.01 absolute)
 */
public record CanaryCriteria(Objective objective, List<Guardrail> guardrails, long minSamples, int minSlices,
        double alpha, double finalAlpha, double objectiveMargin, double errorRateMargin) {

    /** Observations a slice needs in each pool to count for a statistic. */
    public static final long MIN_SLICE_SAMPLES = 10;

    // the defaults of of(), and of spec.rollout.verdict's fields (CanarySpecsTest holds the CRD's equal)
    public static final long DEFAULT_MIN_SAMPLES = 200;
    public static final int DEFAULT_MIN_SLICES = 5;
    public static final double DEFAULT_ALPHA = 0.001;
    public static final double DEFAULT_OBJECTIVE_MARGIN = 0.05;
    public static final double DEFAULT_ERROR_RATE_MARGIN = 0.01;

    public record Objective(String statistic, Evidence.Goal goal) {
        public Objective {
            if (statistic == null || statistic.isBlank()) {
                throw new IllegalArgumentException("objective: a statistic is required, e.g. e2e.mean");
            }
            goal = goal == null ? Evidence.Goal.MINIMIZE : goal;
        }
    }

    /**
     * A bound on a latency statistic, larger being worse: at most {@code maxRatio} times the stable pool's
     * ({@code spec.rollout.guardrails}), and/or at most {@code max} outright ({@code spec.objective.constraints}).
     */
    public record Guardrail(String statistic, Double maxRatio, Double max) {
        public Guardrail {
            if (statistic == null || statistic.isBlank()) {
                throw new IllegalArgumentException("guardrail: a statistic is required, e.g. ttft.p99");
            }
            if (maxRatio == null && max == null) {
                throw new IllegalArgumentException("guardrail " + statistic + ": give maxRatio, max or both");
            }
            if (maxRatio != null && !(maxRatio >= 1)) {
                throw new IllegalArgumentException("guardrail " + statistic + ": maxRatio must be at least 1, got "
                        + maxRatio);
            }
            if (max != null && !(max > 0)) {
                throw new IllegalArgumentException("guardrail " + statistic + ": max must be positive, got " + max);
            }
        }

        public static Guardrail ratio(String statistic, double maxRatio) {
            return new Guardrail(statistic, maxRatio, null);
        }

        public static Guardrail atMost(String statistic, double max) {
            return new Guardrail(statistic, null, max);
        }
    }

    public CanaryCriteria {
        if (objective == null) {
            throw new IllegalArgumentException("canary criteria: an objective is required");
        }
        guardrails = guardrails == null ? List.of() : List.copyOf(guardrails);
        if (minSamples < 1 || minSlices < 2) {
            throw new IllegalArgumentException("canary criteria: at least 1 sample and 2 slices, got " + minSamples
                    + " and " + minSlices);
        }
        if (!(alpha > 0 && alpha < 0.5) || !(finalAlpha > 0 && finalAlpha < 0.5)) {
            throw new IllegalArgumentException("canary criteria: alpha and finalAlpha in (0, 0.5), got " + alpha
                    + " and " + finalAlpha);
        }
        if (!(objectiveMargin >= 0) || !(errorRateMargin >= 0)) {
            throw new IllegalArgumentException("canary criteria: margins must be at least 0");
        }
    }

    /**
     * The objective and guardrails with the default evidence: 200 samples, 5 slices, alpha 0.001 (at the deadline
     * too), a 5 % margin on the objective and 1 point on the error rate.
     */
    public static CanaryCriteria of(Objective objective, List<Guardrail> guardrails) {
        return new CanaryCriteria(objective, guardrails, DEFAULT_MIN_SAMPLES, DEFAULT_MIN_SLICES, DEFAULT_ALPHA,
                DEFAULT_ALPHA, DEFAULT_OBJECTIVE_MARGIN, DEFAULT_ERROR_RATE_MARGIN);
    }

    /** The level a decisive test must pass at this look. */
    public double alphaAt(boolean finalLook) {
        return finalLook ? finalAlpha : alpha;
    }
}
