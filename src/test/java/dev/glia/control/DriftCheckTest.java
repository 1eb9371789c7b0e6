package dev.glia.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.glia.control.DriftCheck.Decision;
import dev.glia.control.DriftCheck.Dimension;
import dev.glia.control.DriftCheck.Result;
import dev.glia.metrics.Histogram;
import dev.glia.metrics.RouterHistograms;
import dev.glia.metrics.fit.ArrivalFit;
import dev.glia.metrics.fit.EngineFit;
import dev.glia.metrics.fit.FitReport;
import dev.glia.metrics.fit.LengthFit;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The drift check on hand-made fits: samples drawn from known workloads, binned into the router's own buckets and
 * fitted as {@code WorkloadFit} fits them (gaps to a process, lengths to quantile tables).
 */
class DriftCheckTest {
    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    static final DriftSettings DEFAULTS = DriftSettings.defaults();

    /** A workload: arrivals per second, Poisson (sigma 0) or lognormal gaps, lognormal prompt and output lengths. */
    record Workload(double qps, double gapSigma, double promptMedian, double promptSigma, double outputMedian,
            double outputSigma) {
        static Workload chat() {
            return new Workload(7.5, 0, 300, 0.8, 200, 0.7);
        }

        Workload rate(double qps) {
            return new Workload(qps, gapSigma, promptMedian, promptSigma, outputMedian, outputSigma);
        }

        Workload gaps(double sigma) {
            return new Workload(qps, sigma, promptMedian, promptSigma, outputMedian, outputSigma);
        }

        Workload lengths(double promptMedian, double outputMedian) {
            return new Workload(qps, gapSigma, promptMedian, promptSigma, outputMedian, outputSigma);
        }
    }

    /** {@code n} requests of the workload, each sample scaled by {@code jitter} (a noise on single values). */
    static FitReport fit(Workload w, int n, long seed, DoubleUnaryOperator jitter) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] gaps = IntStream.range(0, n - 1).mapToDouble(i -> w.gapSigma() == 0
                ? -Math.log(1 - r.nextDouble()) / w.qps()
                // a lognormal with mean 1/qps
                : Math.exp(Math.log(1 / w.qps()) - w.gapSigma() * w.gapSigma() / 2 + w.gapSigma() * r.nextGaussian()))
                .toArray();
        double[] prompts = IntStream.range(0, n).mapToDouble(i -> Math.max(1, Math.round(jitter.applyAsDouble(
                w.promptMedian() * Math.exp(w.promptSigma() * r.nextGaussian()))))).toArray();
        double[] outputs = IntStream.range(0, n).mapToDouble(i -> Math.max(1, Math.round(jitter.applyAsDouble(
                w.outputMedian() * Math.exp(w.outputSigma() * r.nextGaussian()))))).toArray();
        return report(histogram(RouterHistograms.interarrivalBounds(), gaps),
                histogram(RouterHistograms.tokenBounds(), prompts), histogram(RouterHistograms.tokenBounds(), outputs));
    }

    static FitReport fit(Workload w, int n, long seed) {
        return fit(w, n, seed, x -> x);
    }

    static FitReport report(Histogram gaps, Histogram prompts, Histogram outputs) {
        return new FitReport(600, NOW.toString(), 1, ArrivalFit.fit(gaps, 1), Double.NaN, Double.NaN, Double.NaN,
                LengthFit.of(RouterHistograms.PROMPT_TOKENS, prompts),
                LengthFit.of(RouterHistograms.OUTPUT_TOKENS, outputs), EngineFit.of(List.of()), "a10", "llama-3-8b",
                List.of());
    }

    static Histogram histogram(double[] bounds, double[] samples) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (double b : bounds) {
            buckets.put(b, (double) Arrays.stream(samples).filter(x -> x <= b).count());
        }
        buckets.put(Double.POSITIVE_INFINITY, (double) samples.length);
        return new Histogram(Map.of(), buckets, OptionalDouble.of(Arrays.stream(samples).sum()),
                OptionalDouble.of(samples.length));
    }

    /** A histogram whose bucket counts are each moved by up to ±{@code share} (bucket-level noise), total kept. */
    static Histogram noisyBuckets(Histogram h, double share, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        TreeMap<Double, Double> out = new TreeMap<>();
        double previous = 0;
        double cumulative = 0;
        for (var e : h.buckets().entrySet()) {
            double count = e.getValue() - previous;
            previous = e.getValue();
            cumulative += count * (1 + share * (2 * r.nextDouble() - 1));
            out.put(e.getKey(), cumulative);
        }
        return new Histogram(Map.of(), out, h.sum(), OptionalDouble.of(cumulative));
    }

    static FitReport reference() {
        return fit(Workload.chat(), 4500, 1); // ten minutes at 7.5 QPS
    }

    @Test
    void theSameWorkloadOnOtherRequestsIsUnchanged() {
        FitReport reference = reference();
        for (long seed = 2; seed < 22; seed++) {
            Result r = DriftCheck.decide(reference, fit(Workload.chat(), 4500, seed), DEFAULTS, DriftHistory.empty(),
                    NOW);
            assertThat(r.decision()).as(r.message()).isEqualTo(Decision.UNCHANGED);
            assertThat(r.reason()).isEqualTo("WorkloadUnchanged");
            assertThat(r.history().sessions()).isEmpty();
            assertThat(r.distances()).hasSize(4);
        }
    }

    @Test
    void bucketLevelNoiseDoesNotFire() {
        FitReport reference = reference();
        // every value moved by up to ±9% (one of the router's token buckets), and every bucket's count by ±20%
        SplittableRandom jitter = new SplittableRandom(7);
        FitReport moved = fit(Workload.chat(), 4500, 3, x -> x * (1 + 0.09 * (2 * jitter.nextDouble() - 1)));
        Result r = DriftCheck.decide(reference, moved, DEFAULTS, DriftHistory.empty(), NOW);
        assertThat(r.decision()).as(r.message()).isEqualTo(Decision.UNCHANGED);

        SplittableRandom s = new SplittableRandom(4);
        double[] prompts = IntStream.range(0, 4500).mapToDouble(i -> Math.round(300 * Math.exp(0.8 * s.nextGaussian())))
                .toArray();
        double[] outputs = IntStream.range(0, 4500).mapToDouble(i -> Math.round(200 * Math.exp(0.7 * s.nextGaussian())))
                .toArray();
        double[] gaps = IntStream.range(0, 4499).mapToDouble(i -> -Math.log(1 - s.nextDouble()) / 7.5).toArray();
        FitReport noisy = report(noisyBuckets(histogram(RouterHistograms.interarrivalBounds(), gaps), 0.2, 5),
                noisyBuckets(histogram(RouterHistograms.tokenBounds(), prompts), 0.2, 6),
                noisyBuckets(histogram(RouterHistograms.tokenBounds(), outputs), 0.2, 7));
        Result n = DriftCheck.decide(reference, noisy, DEFAULTS, DriftHistory.empty(), NOW);
        assertThat(n.decision()).as(n.message()).isEqualTo(Decision.UNCHANGED);
        assertThat(n.distance(Dimension.PROMPT_LENGTHS).orElseThrow().value()).isLessThan(0.05);
        assertThat(n.distance(Dimension.OUTPUT_LENGTHS).orElseThrow().value()).isLessThan(0.05);
    }

    @Test
    void twiceTheRateFires() {
        Result r = DriftCheck.decide(reference(), fit(Workload.chat().rate(15), 9000, 2), DEFAULTS,
                DriftHistory.empty(), NOW);
        assertThat(r.decision()).as(r.message()).isEqualTo(Decision.DRIFTED);
        assertThat(r.reason()).isEqualTo("WorkloadDrifted");
        assertThat(r.changed()).containsExactly(Dimension.RATE);
        assertThat(r.distance(Dimension.RATE).orElseThrow().value()).isCloseTo(2, within(0.1));
        assertThat(r.startSession()).isTrue();
        assertThat(r.history().sessions()).containsExactly(NOW);
        assertThat(r.message()).contains("rate 7.", "→ 15.0/s", "limit ×1.25", "Starting a research session");
    }

    @Test
    void aPromptHeavyMixFires() {
        Result r = DriftCheck.decide(reference(), fit(Workload.chat().lengths(2000, 20), 4500, 2), DEFAULTS,
                DriftHistory.empty(), NOW);
        assertThat(r.decision()).as(r.message()).isEqualTo(Decision.DRIFTED);
        assertThat(r.changed()).containsExactly(Dimension.PROMPT_LENGTHS, Dimension.OUTPUT_LENGTHS);
        // KS of a lognormal (σ 0.8) scaled by 6.7: 2Φ(ln 6.7 / 1.6) − 1 ≈ 0.76
        assertThat(r.distance(Dimension.PROMPT_LENGTHS).orElseThrow().value()).isCloseTo(0.76, within(0.04));
        assertThat(r.message()).contains("prompt lengths KS", "output lengths KS");
    }

    @Test
    void aQuarterLongerPromptsFireOnALongWindow() {
        // KS of a lognormal (σ 0.8) scaled by 1.3: 2Φ(ln 1.3 / 1.6) − 1 ≈ 0.13
        Result r = DriftCheck.decide(reference(), fit(Workload.chat().lengths(390, 200), 4500, 2), DEFAULTS,
                DriftHistory.empty(), NOW);
        assertThat(r.changed()).containsExactly(Dimension.PROMPT_LENGTHS);
        assertThat(r.distance(Dimension.PROMPT_LENGTHS).orElseThrow().value()).isCloseTo(0.13, within(0.04));
    }

    @Test
    void burstierArrivalsAtTheSameRateFire() {
        Result r = DriftCheck.decide(reference(), fit(Workload.chat().gaps(2), 4500, 2), DEFAULTS,
                DriftHistory.empty(), NOW);
        assertThat(r.changed()).contains(Dimension.BURSTINESS);
        assertThat(r.distance(Dimension.BURSTINESS).orElseThrow().recent()).isGreaterThan(3);
    }

    @Test
    void aShortWindowOfBurstyTrafficCannotCallARateChange() {
        FitReport reference = fit(Workload.chat().gaps(2), 4500, 1);
        Result r = DriftCheck.decide(reference, fit(Workload.chat().gaps(2).rate(15), 300, 2), DEFAULTS,
                DriftHistory.empty(), NOW);
        DriftCheck.Distance rate = r.distance(Dimension.RATE).orElseThrow();
        assertThat(rate.past()).as(r.message()).isFalse();
        assertThat(rate.noise()).isGreaterThan(2);
        assertThat(r.message()).contains("set by noise");
    }

    @Test
    void withinTheCoolDownADriftStartsNothing() {
        DriftHistory history = DriftHistory.empty().withSession(NOW.minus(Duration.ofHours(1)));
        FitReport doubled = fit(Workload.chat().rate(15), 9000, 2);
        Result r = DriftCheck.decide(reference(), doubled, DEFAULTS, history, NOW);
        assertThat(r.decision()).as(r.message()).isEqualTo(Decision.COOLING_DOWN);
        assertThat(r.reason()).isEqualTo("DriftCoolingDown");
        assertThat(r.drifted()).isTrue();
        assertThat(r.startSession()).isFalse();
        assertThat(r.history()).isEqualTo(history);
        assertThat(r.message()).contains("cool-down (6h) ends at 2026-06-01T17:00:00Z");

        Result later = DriftCheck.decide(reference(), doubled, DEFAULTS, history, NOW.plus(Duration.ofHours(5)));
        assertThat(later.decision()).isEqualTo(Decision.DRIFTED);
        assertThat(later.history().sessions()).hasSize(2);
    }

    @Test
    void theDailyCapStopsFurtherSessions() {
        DriftHistory three = new DriftHistory(List.of(NOW.minus(Duration.ofHours(20)),
                NOW.minus(Duration.ofHours(13)), NOW.minus(Duration.ofHours(7))));
        FitReport doubled = fit(Workload.chat().rate(15), 9000, 2);
        Result r = DriftCheck.decide(reference(), doubled, DEFAULTS, three, NOW);
        assertThat(r.decision()).as(r.message()).isEqualTo(Decision.CAP_REACHED);
        assertThat(r.reason()).isEqualTo("DriftSessionCapReached");
        assertThat(r.message()).contains("3 drift-triggered sessions began in the last 24 hours");
        // five hours later the first has left the day
        Result later = DriftCheck.decide(reference(), doubled, DEFAULTS, three, NOW.plus(Duration.ofHours(5)));
        assertThat(later.decision()).isEqualTo(Decision.DRIFTED);
        assertThat(later.history().sessions()).hasSize(3).doesNotContain(NOW.minus(Duration.ofHours(20)));
        // no drift-triggered sessions at all
        Result never = DriftCheck.decide(reference(), doubled, DEFAULTS.withLimits(0, 200), DriftHistory.empty(), NOW);
        assertThat(never.decision()).isEqualTo(Decision.CAP_REACHED);
    }

    @Test
    void tooFewRecentRequestsDecideNothing() {
        Result r = DriftCheck.decide(reference(), fit(Workload.chat().rate(15), 120, 2), DEFAULTS,
                DriftHistory.empty(), NOW);
        assertThat(r.decision()).isEqualTo(Decision.INSUFFICIENT_DATA);
        assertThat(r.reason()).isEqualTo("InsufficientRequests");
        assertThat(r.message()).contains("120 requests arrived and 120 completed in the recent 10m",
                "at least 200 of each");
        Result refused = DriftCheck.insufficientData("Prometheus had no router series", DEFAULTS,
                DriftHistory.empty(), NOW);
        assertThat(refused.decision()).isEqualTo(Decision.INSUFFICIENT_DATA);
        assertThat(refused.distances()).isEmpty();
    }

    @Test
    void theKsDistanceOfQuantileTables() {
        List<Double> uniform = IntStream.rangeClosed(0, 100).mapToObj(i -> (double) i).toList();
        List<Double> shifted = IntStream.rangeClosed(0, 100).mapToObj(i -> 50.0 + i).toList();
        List<Double> wide = IntStream.rangeClosed(0, 100).mapToObj(i -> 2.0 * i).toList();
        assertThat(DriftCheck.ks(uniform, uniform)).isZero();
        assertThat(DriftCheck.ks(uniform, shifted)).isCloseTo(0.5, within(1e-9));
        assertThat(DriftCheck.ks(uniform, wide)).isCloseTo(0.5, within(1e-9));
        // a point mass (a flat table) against the uniform: the step's size from either side
        List<Double> atom = IntStream.rangeClosed(0, 100).mapToObj(i -> 30.0).toList();
        assertThat(DriftCheck.ks(uniform, atom)).isCloseTo(0.7, within(1e-9));
        assertThat(DriftCheck.normalQuantile(0.99995)).isCloseTo(3.8906, within(1e-3));
    }
}
