package dev.glia.control;

/**
 * What research measured for a candidate against the baseline on the objective's statistic (e.g. mean E2E latency in
 * seconds), each with the half-width of its confidence interval over the held-out seeds.
 *
 * @param statistic        what was measured, as the report names it
 * @param goal             whether smaller or larger is better
 * @param candidate        the candidate's value
 * @param candidateHalfWidth the half-width of its confidence interval (0 when unknown)
 * @param baseline         the baseline's value (the policy running now)
 * @param baselineHalfWidth the half-width of the baseline's confidence interval (0 when unknown)
 */
public record Evidence(String statistic, Goal goal, double candidate, double candidateHalfWidth, double baseline,
        double baselineHalfWidth) {

    public enum Goal { MINIMIZE, MAXIMIZE }

    public Evidence {
        if (!Double.isFinite(candidate) || !Double.isFinite(baseline)) {
            throw new IllegalArgumentException("evidence: candidate and baseline must be finite, got " + candidate
                    + " and " + baseline);
        }
        if (!(candidateHalfWidth >= 0) || !(baselineHalfWidth >= 0)) {
            throw new IllegalArgumentException("evidence: confidence half-widths must be at least 0");
        }
    }

    /**
     * Whether the candidate is better than the baseline beyond doubt: the two confidence intervals do not overlap and
     * the candidate's lies on the better side. A tie or an overlap is not enough for {@code auto} to approve itself.
     */
    public boolean beatsBaseline() {
        return goal == Goal.MINIMIZE ? candidate + candidateHalfWidth < baseline - baselineHalfWidth
                : candidate - candidateHalfWidth > baseline + baselineHalfWidth;
    }

    /** The relative improvement over the baseline (positive: better), e.g. 0.12 for 12 % lower latency. */
    public double improvement() {
        if (baseline == 0) {
            return 0;
        }
        double change = (candidate - baseline) / Math.abs(baseline);
        return goal == Goal.MINIMIZE ? -change : change;
    }

    /** One line for events and conditions, e.g. {@code e2e_mean 8.1±0.2 vs baseline 9.4±0.3 (13.8% better)}. */
    public String summary() {
        return String.format(java.util.Locale.ROOT, "%s %.4g±%.2g vs baseline %.4g±%.2g (%.1f%% %s)", statistic,
                candidate, candidateHalfWidth, baseline, baselineHalfWidth, Math.abs(improvement()) * 100,
                improvement() >= 0 ? "better" : "worse");
    }
}
