package dev.glia.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.control.DriftCheck.Decision;
import dev.glia.control.DriftCheck.Dimension;
import dev.glia.control.DriftCheck.Distance;
import dev.glia.control.DriftCheck.Result;
import dev.glia.engine.EngineFleet;
import dev.glia.engine.EngineModelBackends;
import dev.glia.engine.EngineOptions;
import dev.glia.load.Endpoint;
import dev.glia.load.LoadGenerator;
import dev.glia.load.LoadOptions;
import dev.glia.load.RequestPlan;
import dev.glia.metrics.RealPrometheus;
import dev.glia.metrics.fit.FitOptions;
import dev.glia.metrics.fit.FitReport;
import dev.glia.metrics.fit.TooFewRequestsException;
import dev.glia.metrics.fit.WorkloadFit;
import dev.glia.metrics.prometheus.PrometheusClient;
import dev.glia.metrics.prometheus.WorkloadQueries;
import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.router.RouterOptions;
import dev.glia.router.RouterServer;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The must-show of drift detection (issue 12): a real Prometheus scrapes a live router in front of four emulated
 * engines (time scale 10) while the load generator replays a steady ShareGPT workload, then switches to a
 * prompt-heavy mix (splitwise-code lengths) at the same rate, then doubles the rate. The test acts as the operator's
 * loop: every {@link #INTERVAL} it fits the last {@link #INTERVAL} from Prometheus with the fitter and the queries
 * the operator sends ({@link WorkloadQueries}) and asks {@link DriftCheck#decide} against the reference fitted when
 * the active policy's "session" began (10 s of ShareGPT; after the first drift, 15 s of the new mix). Ten steady
 * intervals decide nothing; each switch, made inside an interval, is detected within two intervals and starts a
 * session, after which the next check cools down. Skipped, saying why, where Debian's prometheus cannot be had.
 *
 * <p>Load: 2 requests per model second (20 per wall second), so a 5-s window holds about 100 requests (200 after
 * the doubling) and a 10-s reference about 200: {@code minRequests} is 60, four standard deviations of a Poisson
 * count below 100. The thresholds are the defaults; at these counts the noise floors decide (docs/adaptation.md).
 */
class DriftFromPrometheusTest {
    static final double TIME_SCALE = 10;
    static final double QPS = 2.0;
    static final Duration INTERVAL = Duration.ofSeconds(5);
    static final Duration REFERENCE_WINDOW = Duration.ofSeconds(10);
    /** The second reference, the prompt-heavy mix a "session" was fitted to: 15 s, about 300 requests. */
    static final Duration SECOND_REFERENCE_WINDOW = Duration.ofSeconds(15);
    static final int STEADY_INTERVALS = 10;
    /** Wall seconds from the origin: the reference fit, then the steady checks every 5 s. */
    static final double REFERENCE_AT = 10;
    /** The switches, each inside an interval (the lengths' in its middle, the rate's 1.5 s after its start). */
    static final double SWITCH_TO_CODE = REFERENCE_AT + 5 * STEADY_INTERVALS + 2.5;
    static final double SECOND_REFERENCE_AT = SWITCH_TO_CODE + 17.5;
    static final double DOUBLE_RATE = SECOND_REFERENCE_AT + 1.5;
    static final double END = DOUBLE_RATE + 2 * 5 + 0.5;

    @TempDir
    Path tmp;

    static Scenario workload(String name, double qps, String table, double seconds, long seed) {
        return ScenarioLoader.complete(ScenarioLoader.parse("""
                name: %s
                seed: %d
                duration: %s
                cluster: {replicas: 4, gpu: a10, model: llama-3-8b, numBlocks: 2240, maxModelLen: 8192}
                workload:
                  arrivals: {process: poisson, qps: %s}
                  lengths: {table: %s}
                """.formatted(name, seed, seconds * TIME_SCALE, qps, table), "test"), "test", Path.of(""));
    }

    /** One check as the operator would run it, and its line for the figures. */
    record Check(double at, String phase, Result result) {
        String line() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "t=%5.1fs %-10s %-16s n=%3d", at, phase,
                    result.decision().value(), result.requests()));
            for (Distance d : result.distances()) {
                b.append(String.format(Locale.ROOT, d.ratio() ? " %s ×%.2f (limit ×%.2f)" : " %s %.3f (limit %.3f)",
                        d.dimension().value(), d.value(), d.limit()));
            }
            return b.toString();
        }
    }

    @Test
    void aSteadyWorkloadTriggersNothingAndEachSwitchIsDetectedWithinTwoIntervals() throws Exception {
        RealPrometheus.assumeAvailable();
        EngineFleet engines = EngineFleet.start(EngineOptions.builder().host("127.0.0.1").port(0).model("llama-3-8b")
                .gpu("a10").numGpuBlocksOverride(2240).maxModelLen(8192).timeScale(TIME_SCALE).replicas(4).build(),
                new EngineModelBackends(f -> { }));
        List<URI> urls = engines.servers().stream().map(s -> URI.create("http://127.0.0.1:" + s.port())).toList();
        RouterServer router = RouterServer.start(new RouterOptions("127.0.0.1", 0, urls, 0.05, 10_000, 60, false)
                .withAdmin("127.0.0.1", -1, null, 1), BuiltinRouters.create("llq"));
        URI routerUrl = URI.create("http://127.0.0.1:" + router.port());
        List<RealPrometheus.Target> targets = new ArrayList<>();
        targets.add(new RealPrometheus.Target("glia-router", "127.0.0.1:" + router.port()));
        urls.forEach(u -> targets.add(new RealPrometheus.Target("vllm", u.getHost() + ":" + u.getPort())));
        ExecutorService phases = Executors.newFixedThreadPool(3);
        DriftSettings settings = DriftSettings.defaults().withTiming(INTERVAL, INTERVAL, Duration.ofSeconds(8))
                .withLimits(3, 60);
        List<Check> checks = new ArrayList<>();
        try (RealPrometheus prometheus = RealPrometheus.start(tmp, targets)) {
            prometheus.awaitTargetsUp(targets.size(), Duration.ofSeconds(30));
            try (LoadGenerator warm = new LoadGenerator(options(routerUrl))) {
                warm.warmUp(64, "llama-3-8b");
            }
            long origin = System.nanoTime() + 2_000_000_000L; // the warm-up's requests stay out of every window
            Instant originWall = Instant.now().plusSeconds(2);
            List<Future<?>> load = List.of(
                    phase(phases, origin, 0, SWITCH_TO_CODE, workload("chat", QPS, "sharegpt", SWITCH_TO_CODE, 1),
                            routerUrl),
                    phase(phases, origin, SWITCH_TO_CODE, DOUBLE_RATE,
                            workload("code", QPS, "splitwise-code", DOUBLE_RATE - SWITCH_TO_CODE, 2), routerUrl),
                    phase(phases, origin, DOUBLE_RATE, END,
                            workload("code-x2", 2 * QPS, "splitwise-code", END - DOUBLE_RATE, 3), routerUrl));

            WorkloadQueries queries = new WorkloadQueries(new PrometheusClient(prometheus.url(), Duration.ofSeconds(10)),
                    "job=\"glia-router\"", "{job=\"vllm\"}");
            FitReport reference = fitAt(queries, origin, originWall, REFERENCE_AT, REFERENCE_WINDOW);
            DriftHistory history = DriftHistory.empty();

            // ten steady intervals: nothing
            double at = REFERENCE_AT;
            for (int k = 0; k < STEADY_INTERVALS; k++) {
                at += INTERVAL.toSeconds();
                Check c = check(queries, origin, originWall, at, "sharegpt", reference, settings, history);
                checks.add(c);
                history = c.result().history();
            }
            // ShareGPT → prompt-heavy at 62.5 s: the checks at 65 and 70
            List<Check> afterFirst = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                at += INTERVAL.toSeconds();
                Check c = check(queries, origin, originWall, at, "code", reference, settings, history);
                afterFirst.add(c);
                history = c.result().history();
            }
            checks.addAll(afterFirst);
            // the new session's workload: the prompt-heavy mix, fitted over [65 s, 80 s]
            FitReport second = fitAt(queries, origin, originWall, SECOND_REFERENCE_AT, SECOND_REFERENCE_WINDOW);
            at = SECOND_REFERENCE_AT;
            // ×2 at 81.5 s: the checks at 85 and 90
            List<Check> afterSecond = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                at += INTERVAL.toSeconds();
                Check c = check(queries, origin, originWall, at, "code ×2", second, settings, history);
                afterSecond.add(c);
                history = c.result().history();
            }
            checks.addAll(afterSecond);
            for (Future<?> f : load) {
                f.get(60, TimeUnit.SECONDS);
            }

            System.out.println("drift checks (interval 5 s, window 5 s); references: " + summary(reference) + "; "
                    + summary(second));
            checks.forEach(c -> System.out.println(c.line()));
            checks.stream().filter(c -> c.result().startSession() || c.result().drifted())
                    .forEach(c -> System.out.println(c.result().message()));

            assertThat(checks.subList(0, STEADY_INTERVALS)).as("the steady run").allSatisfy(c ->
                    assertThat(c.result().decision()).as(c.line()).isEqualTo(Decision.UNCHANGED));
            assertDetected(afterFirst, Dimension.PROMPT_LENGTHS, Dimension.OUTPUT_LENGTHS);
            assertDetected(afterSecond, Dimension.RATE);
            assertThat(history.sessions()).hasSize(2);
        } finally {
            phases.shutdownNow();
            router.close();
            engines.close();
        }
    }

    /**
     * The first of the two checks after a switch that saw drift started a session, on one of these dimensions (a
     * window half before the switch may see the prompts change before the outputs: outputs are counted on
     * completion).
     */
    static void assertDetected(List<Check> after, Dimension... dimensions) {
        Check first = after.stream().filter(c -> c.result().drifted()).findFirst().orElseThrow(() ->
                new AssertionError("no drift within two intervals: " + after.stream().map(Check::line).toList()));
        assertThat(first.result().decision()).as(first.line()).isEqualTo(Decision.DRIFTED);
        assertThat(first.result().changed()).as(first.line()).containsAnyOf(dimensions);
        if (first == after.get(0)) { // a session began at the first check: the second one cools down or sees nothing
            assertThat(after.get(1).result().startSession()).as(after.get(1).line()).isFalse();
        }
    }

    static String summary(FitReport r) {
        return String.format(Locale.ROOT, "%d requests, %.3f/s model, %s cv %.2f, prompt mean %.0f, output mean %.0f",
                r.prompt().requests(), r.arrivals().qps(), r.arrivals().process(), DriftCheck.cv(r.arrivals())[0],
                r.prompt().mean(), r.output().mean());
    }

    static LoadOptions options(URI router) {
        return new LoadOptions(router, null, Endpoint.COMPLETIONS, TIME_SCALE, 512, 0, 120);
    }

    /** Replays {@code scenario}'s arrivals between {@code from} and {@code to} wall seconds after the origin. */
    static Future<?> phase(ExecutorService pool, long origin, double from, double to, Scenario scenario, URI router) {
        return pool.submit(() -> {
            RequestPlan all = RequestPlan.of(scenario, scenario.seed(), Integer.MAX_VALUE);
            int n = 0;
            while (n < all.size() && all.arrival(n) < (to - from) * TIME_SCALE) {
                n++;
            }
            RequestPlan plan = RequestPlan.of(scenario, scenario.seed(), n);
            sleepUntil(origin, from);
            try (LoadGenerator load = new LoadGenerator(options(router))) {
                load.run(plan, "llama-3-8b");
            }
            return null;
        });
    }

    static Check check(WorkloadQueries queries, long origin, Instant originWall, double at, String phase,
            FitReport reference, DriftSettings settings, DriftHistory history) {
        Instant now = originWall.plusMillis(Math.round(at * 1000));
        FitReport recent;
        try {
            recent = fitAt(queries, origin, originWall, at, settings.window());
        } catch (TooFewRequestsException | IllegalArgumentException e) {
            return new Check(at, phase, DriftCheck.insufficientData(e.getMessage(), settings, history, now));
        }
        return new Check(at, phase, DriftCheck.decide(reference, recent, settings, history, now));
    }

    static FitReport fitAt(WorkloadQueries queries, long origin, Instant originWall, double at, Duration window) {
        sleepUntil(origin, at);
        Instant end = originWall.plusMillis(Math.round(at * 1000));
        return WorkloadFit.fit(queries.observe(end, window), new FitOptions("recent", "a10", "llama-3-8b", TIME_SCALE,
                2, null)).report();
    }

    static void sleepUntil(long origin, double seconds) {
        long wait = origin + Math.round(seconds * 1e9) - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
