package dev.glia.control;

import dev.glia.metrics.SpecialFunctions;

import dev.glia.control.CanaryVerdict.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The canary verdict as a pure function of the criteria and the slices observed so far: promote, roll back, or not
 * yet. docs/adaptation.md gives the method; in short, in this order:
 * <ol>
 * <li>Fewer than {@code minSamples} observations of the objective in either pool, or fewer than {@code minSlices}
 * paired blocks (slices, merged until both pools have enough observations for the statistic; see
 * {@link SliceComparison}): undecided ({@code CollectingSamples}); at
 * the deadline, rolled back ({@code InsufficientSamples}): a candidate nobody could judge is not promoted.</li>
 * <li>A guardrail crossed beyond doubt: the canary's statistic above {@code maxRatio} times the stable pool's, or
 * above {@code max} while worse than the stable pool, each with p &lt; alpha: rolled back
 * ({@code GuardrailCrossed}).</li>
 * <li>An error rate more than {@code errorRateMargin} above the stable pool's, p &lt; alpha: rolled back
 * ({@code ErrorRateHigher}).</li>
 * <li>The objective worse by more than {@code objectiveMargin}, p &lt; alpha: rolled back
 * ({@code ObjectiveWorse}).</li>
 * <li>The objective better, p &lt; alpha, and no guardrail's estimate over its bound: promoted
 * ({@code ObjectiveBetter}).</li>
 * <li>Otherwise undecided ({@code NotYetSignificant}) until the deadline, and promoted there
 * ({@code NoSignificantDifference}): no evidence against the candidate is no reason to roll it back.</li>
 * </ol>
 * Nothing is rolled back on an estimate alone: every rollback needs both the estimate past the bound and a test
 * that puts it there with p &lt; alpha ({@link CanaryCriteria#alpha()} before the deadline,
 * {@link CanaryCriteria#finalAlpha()} at it).
 */
public final class CanaryJudgement {
    private CanaryJudgement() {
    }

    /**
     * @param slices    the canary's consecutive slices so far (both pools over the same intervals)
     * @param finalLook whether the canary's deadline has come: the verdict is then promote or roll back
     */
    public static Verdict judge(CanaryCriteria criteria, List<CanarySlice> slices, boolean finalLook) {
        CanaryCriteria.Objective objective = criteria.objective();
        Optional<SliceComparison.Statistic> objectiveStatistic = SliceComparison.Statistic.parse(objective.statistic());
        double stableRequests = slices.stream().mapToDouble(s -> s.stable().requests()).sum();
        double canaryRequests = slices.stream().mapToDouble(s -> s.canary().requests()).sum();
        SliceComparison main = objectiveStatistic.map(st -> SliceComparison.of(st, slices)).orElse(null);

        // 1. enough evidence?
        double stableN = main == null ? stableRequests : main.stableSamples;
        double canaryN = main == null ? canaryRequests : main.canarySamples;
        int usable = main == null ? slices.size() : main.blocks();
        if (stableN < criteria.minSamples() || canaryN < criteria.minSamples() || usable < criteria.minSlices()) {
            String message = String.format(Locale.ROOT, "%s: %.0f observations in the baseline and %.0f in the"
                    + " canary (at least %d each), %d paired blocks (at least %d)", objective.statistic(), stableN,
                    canaryN, criteria.minSamples(), usable, criteria.minSlices());
            return finalLook ? Verdict.rollBack("InsufficientSamples", message + " at the deadline; rolled back:"
                    + " a candidate without evidence is not promoted")
                    : Verdict.undecided("CollectingSamples", message + "; the canary runs on");
        }

        // 2. guardrails
        double alpha = criteria.alphaAt(finalLook);
        List<String> notes = new ArrayList<>();
        boolean guardrailOverEstimate = false;
        for (CanaryCriteria.Guardrail g : criteria.guardrails()) {
            Optional<SliceComparison.Statistic> st = SliceComparison.Statistic.parse(g.statistic());
            if (st.isEmpty()) {
                notes.add(g.statistic() + " is not measured per pool by the router; guardrail not judged");
                continue;
            }
            SliceComparison c = SliceComparison.of(st.get(), slices);
            if (g.maxRatio() != null) {
                double p = c.pAbove(g.maxRatio());
                String figures = String.format(Locale.ROOT, "%s (limit ×%.3g), p=%.2g", c.figures(), g.maxRatio(), p);
                if (c.ratio() > g.maxRatio() && p < alpha) {
                    return Verdict.rollBack("GuardrailCrossed", "guardrail crossed: " + figures + " < alpha "
                            + alpha);
                }
                guardrailOverEstimate |= c.ratio() > g.maxRatio();
                notes.add(figures);
            }
            if (g.max() != null) {
                double p = c.pCanaryAbove(g.max());
                String figures = String.format(Locale.ROOT, "%s (at most %.4g s), p=%.2g", c.figures(), g.max(), p);
                if (c.canary > g.max() && c.ratio() > 1 && p < alpha) {
                    return Verdict.rollBack("GuardrailCrossed", "guardrail crossed: " + figures + " < alpha "
                            + alpha + ", and worse than the baseline");
                }
                guardrailOverEstimate |= c.canary > g.max() && c.ratio() > 1;
                notes.add(figures);
            }
        }

        // 3. errors
        double stableErrors = slices.stream().mapToDouble(s -> s.stable().errors()).sum();
        double canaryErrors = slices.stream().mapToDouble(s -> s.canary().errors()).sum();
        if (stableRequests > 0 && canaryRequests > 0) {
            double ps = stableErrors / stableRequests;
            double pc = canaryErrors / canaryRequests;
            double se = Math.sqrt(ps * (1 - ps) / stableRequests + pc * (1 - pc) / canaryRequests);
            double d = pc - ps - criteria.errorRateMargin();
            double p = se == 0 ? (d > 0 ? 0 : 1) : SpecialFunctions.normalUpperTail(d / se);
            String figures = String.format(Locale.ROOT, "error rate baseline %.4f (%.0f of %.0f), canary %.4f"
                    + " (%.0f of %.0f), margin %.3g, p=%.2g", ps, stableErrors, stableRequests, pc, canaryErrors,
                    canaryRequests, criteria.errorRateMargin(), p);
            if (d > 0 && p < alpha) {
                return Verdict.rollBack("ErrorRateHigher", figures + " < alpha " + alpha);
            }
            notes.add(figures);
        }

        // 4. and 5. the objective
        String tail = notes.isEmpty() ? "" : "; " + String.join("; ", notes);
        if (main == null) {
            String message = objective.statistic() + " is not measured per pool by the router; judged on the"
                    + " guardrails and errors alone" + tail;
            return finalLook ? Verdict.promote("NoSignificantDifference", message)
                    : Verdict.undecided("NotYetSignificant", message);
        }
        boolean minimize = objective.goal() == Evidence.Goal.MINIMIZE;
        double worseLimit = minimize ? 1 + criteria.objectiveMargin() : 1 / (1 + criteria.objectiveMargin());
        double pWorse = minimize ? main.pAbove(worseLimit) : main.pBelow(worseLimit);
        double pBetter = minimize ? main.pBelow(1) : main.pAbove(1);
        boolean worse = minimize ? main.ratio() > worseLimit : main.ratio() < worseLimit;
        boolean better = minimize ? main.ratio() < 1 : main.ratio() > 1;
        String figures = String.format(Locale.ROOT, "objective %s (%s): %s; p(worse by more than %.0f%%)=%.2g,"
                + " p(better)=%.2g", objective.statistic(), minimize ? "minimize" : "maximize", main.figures(),
                criteria.objectiveMargin() * 100, pWorse, pBetter);
        if (worse && pWorse < alpha) {
            return Verdict.rollBack("ObjectiveWorse", figures + " < alpha " + alpha + tail);
        }
        if (better && pBetter < alpha && !guardrailOverEstimate) {
            return Verdict.promote("ObjectiveBetter", figures + " < alpha " + alpha + tail);
        }
        if (finalLook) {
            return Verdict.promote("NoSignificantDifference", figures + "; nothing against the candidate at the"
                    + " deadline" + tail);
        }
        return Verdict.undecided("NotYetSignificant", figures + tail);
    }
}
