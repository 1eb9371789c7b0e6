package dev.glia.operator;

import dev.glia.control.CanaryCriteria;
import dev.glia.control.Evidence;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A GliaOptimization's spec as the canary verdict ({@link dev.glia.control.MetricsVerdict}) reads it: the criteria
 * from {@code spec.objective}, {@code spec.rollout.guardrails} and {@code spec.rollout.verdict}, and the slice length.
 * A field the spec leaves out keeps {@link CanaryCriteria#of}'s default.
 */
final class CanarySpecs {
    private CanarySpecs() {
    }

    /** The criteria: the objective, the guardrails, the constraints' maxima, and the evidence the verdict needs. */
    static CanaryCriteria criteria(GliaOptimizationSpec spec) {
        Evidence.Goal goal = spec.objective.goal == GliaOptimizationSpec.Goal.MAXIMIZE ? Evidence.Goal.MAXIMIZE
                : Evidence.Goal.MINIMIZE;
        List<CanaryCriteria.Guardrail> guardrails = new ArrayList<>();
        if (spec.rollout != null && spec.rollout.guardrails != null) {
            spec.rollout.guardrails.forEach(g -> guardrails.add(CanaryCriteria.Guardrail.ratio(g.statistic,
                    g.maxRatio)));
        }
        if (spec.objective.constraints != null) {
            spec.objective.constraints.stream().filter(c -> c.max != null && c.max > 0)
                    .forEach(c -> guardrails.add(CanaryCriteria.Guardrail.atMost(c.statistic, c.max)));
        }
        GliaOptimizationSpec.Verdict v = verdict(spec);
        double alpha = v.alpha == null ? CanaryCriteria.DEFAULT_ALPHA : v.alpha;
        // the deadline's look is as strict as every other one (finalAlpha = alpha), as in CanaryCriteria.of
        return new CanaryCriteria(new CanaryCriteria.Objective(spec.objective.statistic, goal), guardrails,
                v.minSamples == null ? CanaryCriteria.DEFAULT_MIN_SAMPLES : v.minSamples, minSlices(spec), alpha,
                alpha, v.objectiveMargin == null ? CanaryCriteria.DEFAULT_OBJECTIVE_MARGIN : v.objectiveMargin,
                v.errorRateMargin == null ? CanaryCriteria.DEFAULT_ERROR_RATE_MARGIN : v.errorRateMargin);
    }

    /** The paired blocks the verdict needs before it decides anything. */
    static int minSlices(GliaOptimizationSpec spec) {
        Integer given = verdict(spec).minSlices;
        return given == null ? CanaryCriteria.DEFAULT_MIN_SLICES : given;
    }

    /** The slice: {@code spec.rollout.verdict.sliceDuration}, or the operator's {@code fallback}. */
    static Duration slice(GliaOptimizationSpec spec, Duration fallback) {
        return OptimizationSpecs.duration(verdict(spec).sliceDuration, fallback);
    }

    private static GliaOptimizationSpec.Verdict verdict(GliaOptimizationSpec spec) {
        return spec.rollout == null || spec.rollout.verdict == null ? new GliaOptimizationSpec.Verdict()
                : spec.rollout.verdict;
    }
}
