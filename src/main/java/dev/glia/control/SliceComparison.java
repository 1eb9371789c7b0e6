package dev.glia.control;

import dev.glia.metrics.Histogram;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One latency statistic of the canary pool against the stable pool, over the slices of a canary: the statistic of
 * each pool over the whole canary (its histograms summed bucket by bucket, the quantile interpolated as PromQL's
 * {@code histogram_quantile} does), and the paired test behind every decision: in each block of consecutive slices
 * (one slice, or as many as give both pools enough observations for the statistic), the log of the canary's statistic
 * over the stable's; the blocks' mean log ratio, with Student's t over the blocks (the batch-means method: latencies
 * of neighbouring requests are correlated through the queue, blocks of half a minute or more are nearly independent,
 * and pairing by time cancels the bursts both pools share).
 */
final class SliceComparison {
    final String statistic;
    final double stable;
    final double canary;
    final double stableSamples;
    final double canarySamples;
    /** Per paired block: ln(canary / stable). */
    final double[] logRatios;
    /** Per paired block: ln(canary). */
    final double[] canaryLogs;

    private SliceComparison(String statistic, double stable, double canary, double stableSamples,
            double canarySamples, double[] logRatios, double[] canaryLogs) {
        this.statistic = statistic;
        this.stable = stable;
        this.canary = canary;
        this.stableSamples = stableSamples;
        this.canarySamples = canarySamples;
        this.logRatios = logRatios;
        this.canaryLogs = canaryLogs;
    }

    /** A statistic the router's histograms give per pool: a latency and its mean or quantile. */
    record Statistic(String name, String latency, double quantile) {
        /** {@code e2e.mean}, {@code ttft.p99}, ...; empty for what no router histogram gives per pool. */
        static Optional<Statistic> parse(String name) {
            int dot = name.indexOf('.');
            if (dot < 0 || PoolMetrics.series(name.substring(0, dot)) == null) {
                return Optional.empty();
            }
            String stat = name.substring(dot + 1);
            if (stat.equals("mean")) {
                return Optional.of(new Statistic(name, name.substring(0, dot), Double.NaN));
            }
            if (stat.matches("p[0-9]{1,2}(\\.[0-9]+)?")) {
                return Optional.of(new Statistic(name, name.substring(0, dot), Double.parseDouble(stat.substring(1))
                        / 100));
            }
            return Optional.empty();
        }

        /**
         * Observations a block needs in each pool for this statistic: {@link CanaryCriteria#MIN_SLICE_SAMPLES}, and
         * for a quantile q enough that about 5 lie above it (500 for p99, 50 for p90), so that a block's quantile is
         * interpolated inside its buckets rather than read off its largest observations.
         */
        long leastObservations() {
            if (Double.isNaN(quantile)) {
                return CanaryCriteria.MIN_SLICE_SAMPLES;
            }
            return Math.max(CanaryCriteria.MIN_SLICE_SAMPLES, (long) Math.ceil(5 / Math.max(1 - quantile, 1e-3) - 1e-9));
        }

        double of(Histogram h) {
            if (Double.isNaN(quantile)) {
                double n = h.count().orElse(0);
                if (n <= 0) {
                    return Double.NaN;
                }
                return h.mean().orElseGet(() -> midpointMean(h));
            }
            return h.quantile(quantile);
        }

        /** The mean from the buckets alone (no {@code _sum}): each bucket at its midpoint, +Inf at its lower bound. */
        private static double midpointMean(Histogram h) {
            double lower = 0;
            double below = 0;
            double total = 0;
            double weighted = 0;
            for (var e : h.buckets().entrySet()) {
                double in = Math.max(0, e.getValue() - below);
                double mid = e.getKey() == Double.POSITIVE_INFINITY ? lower : (lower + e.getKey()) / 2;
                weighted += in * mid;
                total += in;
                below = Math.max(below, e.getValue());
                lower = e.getKey() == Double.POSITIVE_INFINITY ? lower : e.getKey();
            }
            return total > 0 ? weighted / total : Double.NaN;
        }
    }

    static SliceComparison of(Statistic statistic, List<CanarySlice> slices) {
        long least = statistic.leastObservations();
        List<Histogram> stableAll = new ArrayList<>();
        List<Histogram> canaryAll = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> canaries = new ArrayList<>();
        List<Histogram> stableBlock = new ArrayList<>();
        List<Histogram> canaryBlock = new ArrayList<>();
        for (CanarySlice slice : slices) {
            Histogram s = slice.stable().latencies().get(statistic.latency());
            Histogram c = slice.canary().latencies().get(statistic.latency());
            if (s != null) {
                stableAll.add(s);
                stableBlock.add(s);
            }
            if (c != null) {
                canaryAll.add(c);
                canaryBlock.add(c);
            }
            // consecutive slices merge into a block until both pools have enough observations for the statistic
            Optional<Histogram> sb = Histogram.sumOf(stableBlock);
            Optional<Histogram> cb = Histogram.sumOf(canaryBlock);
            if (sb.isEmpty() || cb.isEmpty() || sb.get().count().orElse(0) < least
                    || cb.get().count().orElse(0) < least) {
                continue;
            }
            stableBlock.clear();
            canaryBlock.clear();
            double sv = statistic.of(sb.get());
            double cv = statistic.of(cb.get());
            if (sv > 0 && cv > 0 && Double.isFinite(sv) && Double.isFinite(cv)) {
                ratios.add(Math.log(cv / sv));
                canaries.add(Math.log(cv));
            }
        }
        Optional<Histogram> s = Histogram.sumOf(stableAll);
        Optional<Histogram> c = Histogram.sumOf(canaryAll);
        return new SliceComparison(statistic.name(), s.map(statistic::of).orElse(Double.NaN),
                c.map(statistic::of).orElse(Double.NaN), s.map(h -> h.count().orElse(0)).orElse(0.0),
                c.map(h -> h.count().orElse(0)).orElse(0.0),
                ratios.stream().mapToDouble(Double::doubleValue).toArray(),
                canaries.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Paired blocks: slices, or runs of slices merged until both pools have enough observations. */
    int blocks() {
        return logRatios.length;
    }

    /** The canary's statistic over the stable pool's, over the whole canary. */
    double ratio() {
        return canary / stable;
    }

    /** One-sided p-value of "the canary's statistic is more than {@code limit} times the stable's" (small: it is). */
    double pAbove(double limit) {
        return pValue(logRatios, Math.log(limit), 1);
    }

    /** One-sided p-value of "the canary's statistic is less than {@code limit} times the stable's". */
    double pBelow(double limit) {
        return pValue(logRatios, Math.log(limit), -1);
    }

    /** One-sided p-value of "the canary's statistic exceeds {@code max}" (per slice, against the bound itself). */
    double pCanaryAbove(double max) {
        return pValue(canaryLogs, Math.log(max), 1);
    }

    /**
     * The one-sided p-value that the mean of {@code x} lies above {@code mu} (sign 1) or below it (sign -1): P(T &gt; t)
     * for t = sign · (mean(x) − mu) / (sd / √n), on n − 1 degrees of freedom. With fewer than 2 values: 1 (no
     * evidence). With no spread at all: 0 when the mean lies on that side, else 1.
     */
    static double pValue(double[] x, double mu, int sign) {
        int n = x.length;
        if (n < 2) {
            return 1;
        }
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= n;
        double ss = 0;
        for (double v : x) {
            ss += (v - mean) * (v - mean);
        }
        double se = Math.sqrt(ss / (n - 1) / n);
        double d = sign * (mean - mu);
        if (se == 0) {
            return d > 0 ? 0 : 1;
        }
        return StudentT.upperTail(d / se, n - 1);
    }

    /**
     * The figures, e.g. {@code e2e.mean baseline 8.12 s (5624 obs), canary 14.3 s (1875 obs), ratio 1.760, 16 paired
     * blocks}; the baseline is the canary's control pool or the stable pool ({@link Baseline}).
     */
    String figures() {
        return String.format(Locale.ROOT, "%s baseline %.4g s (%.0f obs), canary %.4g s (%.0f obs), ratio %.3f, %d"
                + " paired blocks", statistic, stable, stableSamples, canary, canarySamples, ratio(), blocks());
    }
}
