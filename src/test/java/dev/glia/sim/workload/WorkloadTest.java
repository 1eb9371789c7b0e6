package dev.glia.sim.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.sim.Experiment;
import dev.glia.sim.engine.Request;
import dev.glia.sim.engine.SimulationResult;
import dev.glia.sim.engine.Workload;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import dev.glia.sim.scenario.WorkloadFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The requests a scenario's workload section produces: arrival processes, lengths, closed loops. */
class WorkloadTest {

    static Scenario scenario(String yaml) {
        return ScenarioLoader.complete(ScenarioLoader.parse(yaml, "test"), "test", Path.of(""));
    }

    static Workload.OpenLoop openLoop(String yaml, long seed) {
        return (Workload.OpenLoop) WorkloadFactory.build(scenario(yaml), seed);
    }

    static double[] gaps(double[] arrivals) {
        double[] g = new double[arrivals.length - 1];
        for (int i = 1; i < arrivals.length; i++) {
            g[i - 1] = arrivals[i] - arrivals[i - 1];
        }
        return g;
    }

    static double mean(double[] v) {
        return Arrays.stream(v).average().orElseThrow();
    }

    static double mean(int[] v) {
        return Arrays.stream(v).average().orElseThrow();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static double median(int[] v) {
        return median(Arrays.stream(v).asDoubleStream().toArray());
    }

    static double cv(double[] v) {
        double m = mean(v);
        double var = Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1);
        return Math.sqrt(var) / m;
    }

    /** Fixed lengths keep arrival-process tests about arrivals. */
    private static final String FIXED_LENGTHS = """
              lengths:
                prompt: {distribution: fixed, value: 100}
                output: {distribution: fixed, value: 50}
            """;

    // ---- arrival processes -------------------------------------------------------------------------

    @Test
    void lognormalArrivalsWithSigmaTwoHaveMeanGapOneOverQpsAndAMuchSmallerMedian() {
        // ~100k gaps at 7.5 QPS
        Workload.OpenLoop w = openLoop("""
                duration: 13400
                workload:
                  arrivals: {process: lognormal, qps: 7.5, sigma: 2}
                """ + FIXED_LENGTHS, 0);
        double[] gaps = gaps(w.arrivals());

        assertThat(gaps.length).isGreaterThan(90_000);
        assertThat(mean(gaps)).isCloseTo(1 / 7.5, withinPercentage(10));
        // median exp(mu) = (1/qps) * exp(-sigma^2 / 2) = 0.1333 * e^-2 = 0.018 s: bursts of short gaps
        assertThat(median(gaps)).isCloseTo(0.018, withinPercentage(15));
    }

    @Test
    void poissonArrivalsHaveMeanGapOneOverQpsAndUnitCoefficientOfVariation() {
        Workload.OpenLoop w = openLoop("""
                duration: 20000
                workload:
                  arrivals: {process: poisson, qps: 5}
                """ + FIXED_LENGTHS, 1);
        double[] gaps = gaps(w.arrivals());

        assertThat(gaps.length).isGreaterThan(90_000);
        assertThat(mean(gaps)).isCloseTo(0.2, withinPercentage(3));
        assertThat(cv(gaps)).isCloseTo(1.0, withinPercentage(5));
        // exponential gaps: median = ln 2 / qps
        assertThat(median(gaps)).isCloseTo(Math.log(2) / 5, withinPercentage(5));
    }

    @Test
    void gammaArrivalsHaveMeanGapOneOverQpsAndTheRequestedCoefficientOfVariation() {
        Workload.OpenLoop w = openLoop("""
                duration: 25000
                workload:
                  arrivals: {process: gamma, qps: 4, cv: 3}
                """ + FIXED_LENGTHS, 2);
        double[] gaps = gaps(w.arrivals());

        assertThat(gaps.length).isGreaterThan(90_000);
        assertThat(mean(gaps)).isCloseTo(0.25, withinPercentage(5));
        assertThat(cv(gaps)).isCloseTo(3.0, withinPercentage(10));
        assertThat(Arrays.stream(gaps).min().orElseThrow()).isNotNegative();
    }

    @Test
    void arrivalsStartAtZeroAreNonDecreasingAndStopBeforeTheDuration() {
        for (String process : List.of("{process: poisson, qps: 20}", "{process: lognormal, qps: 20, sigma: 2}",
                "{process: gamma, qps: 20, cv: 3}", "{process: sinusoid, minQps: 5, maxQps: 30, period: 100}")) {
            Workload.OpenLoop w = openLoop("duration: 200\nworkload:\n  arrivals: " + process + "\n" + FIXED_LENGTHS,
                    3);

            assertThat(w.arrivals()[0]).as(process).isZero();
            assertThat(w.arrivals()).as(process).isSorted();
            assertThat(w.arrivals()[w.size() - 1]).as(process).isLessThan(200);
        }
    }

    @Test
    void sinusoidRateIsNearMinQpsAtTheStartAndNearMaxQpsAtHalfPeriod() {
        double period = 7200;
        Workload.OpenLoop w = openLoop("""
                duration: 3700
                workload:
                  arrivals: {process: sinusoid, minQps: 7.5, maxQps: 22.5, period: 7200}
                """ + FIXED_LENGTHS, 4);
        double window = 200;

        double startRate = count(w.arrivals(), 0, window) / window;
        double peakRate = count(w.arrivals(), period / 2 - window / 2, period / 2 + window / 2) / window;
        double quarterRate = count(w.arrivals(), period / 4 - window / 2, period / 4 + window / 2) / window;

        assertThat(startRate).isCloseTo(7.5, withinPercentage(10));
        assertThat(peakRate).isCloseTo(22.5, withinPercentage(10));
        // a quarter period in, the rate passes the midpoint
        assertThat(quarterRate).isCloseTo(15.0, withinPercentage(10));
    }

    private static int count(double[] arrivals, double from, double to) {
        int n = 0;
        for (double t : arrivals) {
            if (t >= from && t < to) {
                n++;
            }
        }
        return n;
    }

    // ---- lengths -----------------------------------------------------------------------------------

    @Test
    void shareGptTableWithThePapersInflationReproducesTheTracesLengthStatistics() {
        Workload.OpenLoop w = openLoop("""
                duration: 2000
                workload:
                  arrivals: {process: poisson, qps: 100}
                  lengths: {table: sharegpt}
                  inflation: {promptFraction: 0.05, outputFraction: 0.05, factor: 10, cap: 4096}
                """, 5);

        assertThat(w.size()).isGreaterThan(150_000);
        assertThat(mean(w.prompts())).isCloseTo(290, withinPercentage(10));
        assertThat(mean(w.outputs())).isCloseTo(370, withinPercentage(10));
        assertThat(median(w.prompts())).isCloseTo(76, withinPercentage(10));
        assertThat(median(w.outputs())).isCloseTo(250, withinPercentage(10));
        assertThat(Arrays.stream(w.prompts()).max().orElseThrow()).isLessThanOrEqualTo(4096);
        assertThat(Arrays.stream(w.outputs()).max().orElseThrow()).isLessThanOrEqualTo(4096);
        assertThat(Arrays.stream(w.prompts()).min().orElseThrow()).isPositive();
        assertThat(Arrays.stream(w.outputs()).min().orElseThrow()).isPositive();
    }

    @Test
    void inflationMakesAboutTheStatedFractionOfRequestsLonger() {
        String base = """
                duration: 1000
                workload:
                  arrivals: {process: poisson, qps: 100}
                  lengths:
                    prompt: {distribution: fixed, value: 100}
                    output: {distribution: fixed, value: 200}
                """;
        Workload.OpenLoop w = openLoop(base
                + "  inflation: {promptFraction: 0.05, outputFraction: 0.2, factor: 10, cap: 1500}\n", 6);

        long inflatedPrompts = Arrays.stream(w.prompts()).filter(p -> p == 1000).count();
        long inflatedOutputs = Arrays.stream(w.outputs()).filter(o -> o == 1500).count();

        assertThat(w.prompts()).containsOnly(100, 1000);
        // 200 x 10 = 2000 is capped at 1500
        assertThat(w.outputs()).containsOnly(200, 1500);
        assertThat((double) inflatedPrompts / w.size()).isCloseTo(0.05, within(0.01));
        assertThat((double) inflatedOutputs / w.size()).isCloseTo(0.20, within(0.01));
    }

    @Test
    void maxModelLenCapsPromptPlusOutput() {
        Workload.OpenLoop w = openLoop("""
                duration: 500
                cluster: {maxModelLen: 512}
                workload:
                  arrivals: {process: poisson, qps: 50}
                  lengths: {table: sharegpt}
                  inflation: {promptFraction: 0.05, outputFraction: 0.05, factor: 10, cap: 4096}
                """, 7);

        boolean anyAtTheCap = false;
        for (int i = 0; i < w.size(); i++) {
            int p = w.prompts()[i];
            int o = w.outputs()[i];
            assertThat(p).isBetween(1, 511);
            assertThat(o).isPositive();
            assertThat(p + o).as("request %d: %d + %d", i, p, o).isLessThanOrEqualTo(512);
            anyAtTheCap |= p + o == 512;
        }
        assertThat(anyAtTheCap).as("the cap should bind for some ShareGPT requests").isTrue();
    }

    @Test
    void lognormalAndUniformLengthDistributionsFollowTheirParameters() {
        Workload.OpenLoop w = openLoop("""
                duration: 1000
                workload:
                  arrivals: {process: poisson, qps: 50}
                  lengths:
                    prompt: {distribution: lognormal, median: 300, sigma: 0.5}
                    output: {distribution: uniform, min: 10, max: 20}
                """, 8);

        assertThat(median(w.prompts())).isCloseTo(300, withinPercentage(5));
        assertThat(w.outputs()).containsOnly(10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20);
        assertThat(mean(w.outputs())).isCloseTo(15, withinPercentage(2));
    }

    // ---- seeds -------------------------------------------------------------------------------------

    private static final String SEEDED = """
            duration: 300
            workload:
              arrivals: {process: lognormal, qps: 7.5, sigma: 2}
              lengths: {table: sharegpt}
              inflation: {promptFraction: 0.05, outputFraction: 0.05}
            """;

    @Test
    void theSameSeedGivesAnIdenticalWorkload() {
        Workload.OpenLoop a = openLoop(SEEDED, 42);
        Workload.OpenLoop b = openLoop(SEEDED, 42);

        assertThat(a.arrivals()).containsExactly(b.arrivals());
        assertThat(a.prompts()).containsExactly(b.prompts());
        assertThat(a.outputs()).containsExactly(b.outputs());
    }

    @Test
    void differentSeedsGiveDifferentWorkloads() {
        Workload.OpenLoop a = openLoop(SEEDED, 42);
        Workload.OpenLoop b = openLoop(SEEDED, 43);

        assertThat(Arrays.equals(a.arrivals(), b.arrivals())).isFalse();
        assertThat(Arrays.equals(a.prompts(), b.prompts())).isFalse();
        assertThat(Arrays.equals(a.outputs(), b.outputs())).isFalse();
    }

    @Test
    void changingTheArrivalRateLeavesTheLengthStreamAlone() {
        Workload.OpenLoop slow = openLoop(SEEDED, 42);
        Workload.OpenLoop fast = openLoop(SEEDED.replace("qps: 7.5", "qps: 15"), 42);

        int n = Math.min(slow.size(), fast.size());
        assertThat(fast.size()).isGreaterThan(slow.size());
        assertThat(Arrays.copyOf(fast.prompts(), n)).containsExactly(Arrays.copyOf(slow.prompts(), n));
        assertThat(Arrays.copyOf(fast.outputs(), n)).containsExactly(Arrays.copyOf(slow.outputs(), n));
    }

    // ---- closed loop -------------------------------------------------------------------------------

    private static final String CLOSED_LOOP = """
            duration: 120
            cluster: {replicas: 1}
            workload:
              arrivals: {process: closed-loop, users: 12, thinkTime: 2.5}
              lengths: {table: sharegpt}
            """;

    private static SimulationResult runClosedLoop(String yaml) {
        Scenario s = scenario(yaml);
        assertThat(WorkloadFactory.build(s, 0)).isInstanceOf(Workload.ClosedLoop.class);
        return new Experiment(s).runSeed(0, new Experiment.Policies(() -> BuiltinRouters.create("llq"), null, null))
                .result();
    }

    @Test
    void closedLoopNeverHasMoreRequestsOutstandingThanUsers() {
        SimulationResult r = runClosedLoop(CLOSED_LOOP);

        // +1 at each arrival, -1 at each completion; completions first when simultaneous
        List<double[]> events = new ArrayList<>();
        for (Request q : r.requests()) {
            events.add(new double[] {q.arrivalTime(), +1});
            events.add(new double[] {q.completedAt(), -1});
        }
        events.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
        int outstanding = 0;
        int peak = 0;
        for (double[] e : events) {
            outstanding += (int) e[1];
            peak = Math.max(peak, outstanding);
        }

        assertThat(r.requests().size()).isGreaterThan(12 * 3);
        assertThat(r.completed()).isEqualTo(r.requests().size());
        assertThat(peak).isEqualTo(12);
        assertThat(outstanding).isZero();
    }

    @Test
    void eachUsersNextRequestArrivesThinkTimeAfterTheirPreviousOneCompletes() {
        double think = 2.5;
        double duration = 120;
        SimulationResult r = runClosedLoop(CLOSED_LOOP);

        List<Double> firstWave = new ArrayList<>();
        List<Double> laterArrivals = new ArrayList<>();
        for (Request q : r.requests()) {
            (q.arrivalTime() == 0 ? firstWave : laterArrivals).add(q.arrivalTime());
        }
        // every completion followed by a think time that ends before the duration releases one request
        List<Double> released = new ArrayList<>();
        for (Request q : r.requests()) {
            assertThat(q.state()).isEqualTo(Request.State.DONE);
            if (q.completedAt() + think < duration) {
                released.add(q.completedAt() + think);
            }
        }
        laterArrivals.sort(null);
        released.sort(null);

        assertThat(firstWave).hasSize(12);
        assertThat(laterArrivals).hasSameSizeAs(released);
        for (int i = 0; i < released.size(); i++) {
            assertThat(laterArrivals.get(i)).isCloseTo(released.get(i), within(1e-9));
        }
        assertThat(laterArrivals).allSatisfy(t -> assertThat(t).isLessThan(duration));
    }

    @Test
    void closedLoopWithoutThinkTimeSendsTheNextRequestTheMomentTheLastCompletes() {
        SimulationResult r = runClosedLoop(CLOSED_LOOP.replace("thinkTime: 2.5", "thinkTime: 0"));

        List<Double> completions = r.requests().stream().map(Request::completedAt).sorted().toList();
        for (Request q : r.requests()) {
            if (q.arrivalTime() > 0) {
                assertThat(completions).as("request %d at %.6f", q.index(), q.arrivalTime())
                        .anySatisfy(c -> assertThat(c).isCloseTo(q.arrivalTime(), within(1e-9)));
            }
        }
        assertThat(r.requests().stream().filter(q -> q.arrivalTime() == 0)).hasSize(12);
    }
}
