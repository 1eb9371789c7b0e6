package dev.glia.metrics.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.glia.metrics.Histogram;
import dev.glia.sim.engine.Workload;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import dev.glia.sim.scenario.WorkloadFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.DoubleSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Fitting on hand-made histograms: samples drawn from known distributions, bucketed as the router buckets them. */
class WorkloadFitTest {
    static final double[] GAP_BUCKETS = dev.glia.metrics.RouterHistograms.interarrivalBounds();
    static final double[] TOKEN_BUCKETS = dev.glia.metrics.RouterHistograms.tokenBounds();

    static Histogram histogram(double[] bounds, double[] samples) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (double b : bounds) {
            buckets.put(b, (double) Arrays.stream(samples).filter(x -> x <= b).count());
        }
        buckets.put(Double.POSITIVE_INFINITY, (double) samples.length);
        return new Histogram(Map.of(), buckets, OptionalDouble.of(Arrays.stream(samples).sum()),
                OptionalDouble.of(samples.length));
    }

    static double[] draw(int n, DoubleSupplier d) {
        return IntStream.range(0, n).mapToDouble(i -> d.getAsDouble()).toArray();
    }

    static double empiricalQuantile(double[] samples, double p) {
        double[] s = samples.clone();
        Arrays.sort(s);
        return s[(int) Math.ceil(p * s.length) - 1];
    }

    @Test
    void poissonGapsAreCalledPoissonWithTheirRate() {
        SplittableRandom r = new SplittableRandom(1);
        double[] gaps = draw(1000, () -> -Math.log(1 - r.nextDouble()) / 4); // 4/s
        ArrivalFit fit = ArrivalFit.fit(histogram(GAP_BUCKETS, gaps), 1);
        assertThat(fit.process()).isEqualTo("poisson");
        assertThat(fit.qps()).isCloseTo(gaps.length / Arrays.stream(gaps).sum(), within(1e-9));
        assertThat(fit.qps()).isCloseTo(4, within(0.4));
        assertThat(fit.low()).isLessThan(1);
        assertThat(fit.high()).isGreaterThan(1);
    }

    @Test
    void lognormalSigmaTwoGapsAreCalledLognormalWithTheirSigma() {
        SplittableRandom r = new SplittableRandom(2);
        double mu = Math.log(1 / 4.0) - 2;
        double[] gaps = draw(1000, () -> Math.exp(mu + 2 * r.nextGaussian()));
        ArrivalFit fit = ArrivalFit.fit(histogram(GAP_BUCKETS, gaps), 1);
        assertThat(fit.process()).isEqualTo("lognormal");
        assertThat(fit.parameter()).isCloseTo(2, within(0.2));
        assertThat(fit.low()).isLessThan(fit.parameter());
        assertThat(fit.high()).isGreaterThan(fit.parameter());
    }

    @Test
    void gammaGapsWithCvThreeAreCalledGamma() {
        SplittableRandom r = new SplittableRandom(3);
        dev.glia.sim.workload.ArrivalProcess p = dev.glia.sim.workload.ArrivalProcess.gamma(4, 3);
        double[] gaps = draw(2000, () -> p.next(0, r));
        ArrivalFit fit = ArrivalFit.fit(histogram(GAP_BUCKETS, gaps), 1);
        assertThat(fit.process()).isEqualTo("gamma");
        assertThat(fit.parameter()).isCloseTo(3, within(0.6));
    }

    @Test
    void aTimeScaleTurnsWallSecondsIntoModelSeconds() {
        SplittableRandom r = new SplittableRandom(4);
        double[] gaps = draw(500, () -> -Math.log(1 - r.nextDouble()) / 40); // 40/s of wall clock
        ArrivalFit fit = ArrivalFit.fit(histogram(GAP_BUCKETS, gaps), 10);
        assertThat(fit.qps()).isCloseTo(gaps.length / Arrays.stream(gaps).sum() / 10, within(1e-9));
        assertThat(fit.process()).isEqualTo("poisson");
    }

    @Test
    void lengthQuantilesAreReadWithinTheirBucketAndTheTableNeverDecreases() {
        SplittableRandom r = new SplittableRandom(5);
        double[] prompts = draw(3000, () -> Math.max(1, Math.round(Math.exp(Math.log(300) + 0.9 * r.nextGaussian()))));
        LengthFit fit = LengthFit.of("glia_router_prompt_tokens", histogram(TOKEN_BUCKETS, prompts));
        for (double p : new double[] {0.5, 0.9}) {
            LengthFit.Quantile q = fit.check(p);
            double truth = empiricalQuantile(prompts, p);
            assertThat(q.value()).isCloseTo(truth, within(0.05 * truth));
            assertThat(truth).isBetween(q.bucketLow(), q.bucketHigh());
            assertThat(truth).isBetween(q.low(), q.high());
            assertThat(q.resolution()).isLessThan(0.1);
        }
        assertThat(fit.table()).hasSize(LengthFit.POINTS).isSorted();
        assertThat(fit.table().get(50)).isEqualTo(Math.round(fit.check(0.5).value() * 10) / 10.0);
        assertThat(fit.requests()).isEqualTo(3000);
        assertThat(fit.mean()).isCloseTo(Arrays.stream(prompts).average().orElseThrow(), within(1e-6));
    }

    @Test
    void coarseBucketsAreReportedAsUncertain() {
        SplittableRandom r = new SplittableRandom(6);
        double[] prompts = draw(3000, () -> Math.max(1, Math.round(Math.exp(Math.log(300) + 0.9 * r.nextGaussian()))));
        double[] vllmBuckets = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000};
        LengthFit fit = LengthFit.of("vllm:request_prompt_tokens", histogram(vllmBuckets, prompts));
        assertThat(fit.check(0.9).resolution()).isGreaterThan(0.5);
    }

    @Test
    void theFittedScenarioLoadsRunsAndItsWorkloadHasTheObservedQuantiles() {
        SplittableRandom r = new SplittableRandom(7);
        double mu = Math.log(1 / 4.0) - 2;
        double[] gaps = draw(999, () -> Math.exp(mu + 2 * r.nextGaussian()));
        double[] prompts = draw(1000, () -> Math.max(1, Math.round(Math.exp(Math.log(300) + 0.9 * r.nextGaussian()))));
        double[] outputs = draw(1000, () -> Math.max(1, Math.round(Math.exp(Math.log(120) + 0.7 * r.nextGaussian()))));
        Observations o = observations(gaps, prompts, outputs, List.of(
                Map.of("num_gpu_blocks", "2240", "block_size", "16", "instance", "a"),
                Map.of("num_gpu_blocks", "2100", "block_size", "16", "instance", "b")));
        WorkloadFit.Fitted fitted = WorkloadFit.fit(o, new FitOptions("shop", "a10", "llama-3-8b", 1, 200, 3000.0));

        String yaml = fitted.yaml();
        assertThat(yaml).startsWith("# fitted from 3600 s of metrics").contains("quantiles: [");
        Scenario loaded = ScenarioLoader.complete(ScenarioLoader.parse(yaml, "fitted"), "fitted", Path.of(""));
        assertThat(loaded.cluster().replicas()).isEqualTo(2);
        assertThat(loaded.cluster().numBlocks()).isEqualTo(2100);
        assertThat(loaded.cluster().blockSize()).isEqualTo(16);
        assertThat(loaded.workload().arrivals().process()).isEqualTo("lognormal");
        assertThat(loaded.duration()).isEqualTo(3000.0);
        assertThat(fitted.report().notes()).anyMatch(n -> n.contains("num_gpu_blocks [2100, 2240]"));

        // glia simulate runs it as it runs any scenario
        Scenario short_ = ScenarioLoader.override(loaded, null, 120.0, null, null, null);
        dev.glia.sim.Experiment.SeedRun run = new dev.glia.sim.Experiment(short_).runSeed(0,
                dev.glia.sim.PolicySet.of(short_, Map.of()).factories());
        assertThat(run.summary().get("completed")).isPositive().isEqualTo(run.summary().get("requests"));

        Workload.OpenLoop w = (Workload.OpenLoop) WorkloadFactory.build(loaded, 0);
        double[] generated = Arrays.stream(w.prompts()).asDoubleStream().toArray();
        for (double p : new double[] {0.5, 0.9}) {
            double truth = empiricalQuantile(prompts, p);
            assertThat(empiricalQuantile(generated, p)).isCloseTo(truth, within(0.1 * truth));
        }
    }

    @Test
    void tooFewRequestsAreRefusedSayingWhatToDo() {
        SplittableRandom r = new SplittableRandom(8);
        double[] gaps = draw(49, () -> -Math.log(1 - r.nextDouble()));
        double[] lengths = draw(50, () -> 100);
        assertThatThrownBy(() -> WorkloadFit.fit(observations(gaps, lengths, lengths, List.of()), FitOptions.defaults()))
                .isInstanceOf(TooFewRequestsException.class)
                .hasMessageContaining("only 50 requests arrived")
                .hasMessageContaining("at least 200")
                .hasMessageContaining("--window").hasMessageContaining("--min-requests");
    }

    @Test
    void withoutTheRoutersGapHistogramTheFitSaysWhatIsMissing() {
        double[] lengths = draw(500, () -> 100);
        Observations o = observations(new double[0], lengths, lengths, List.of());
        Observations noRouter = new Observations(o.end(), o.window(), new Histogram(Map.of(), new TreeMap<>(),
                OptionalDouble.empty(), OptionalDouble.of(0)), o.prompt(), o.promptMetric(), o.output(),
                o.outputMetric(), Double.NaN, List.of(), List.of());
        assertThatThrownBy(() -> WorkloadFit.fit(noRouter, FitOptions.defaults()))
                .isInstanceOf(TooFewRequestsException.class)
                .hasMessageContaining("no glia_router_request_interarrival_seconds series")
                .hasMessageContaining("--router-match");
    }

    @Test
    void enginesComeFromTheirCacheConfiguration() {
        EngineFit e = EngineFit.of(List.of(Map.of("num_gpu_blocks", "None", "block_size", "16")));
        assertThat(e.count()).isEqualTo(1);
        assertThat(e.numBlocks()).isNull();
        assertThat(e.blockSize()).isEqualTo(16);
        assertThat(EngineFit.of(List.of()).notes()).singleElement().asString().contains("no vllm:cache_config_info");
    }

    static Observations observations(double[] gaps, double[] prompts, double[] outputs, List<Map<String, String>> engines) {
        return new Observations(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofHours(1),
                histogram(GAP_BUCKETS, gaps), histogram(TOKEN_BUCKETS, prompts), "glia_router_prompt_tokens",
                histogram(TOKEN_BUCKETS, outputs), "glia_router_output_tokens", Double.NaN, List.of(), engines);
    }
}
