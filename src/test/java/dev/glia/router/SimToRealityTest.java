package dev.glia.router;

import dev.glia.catalog.PolicyDocument;
import dev.glia.engine.EngineFleet;
import dev.glia.engine.EngineModelBackends;
import dev.glia.engine.EngineOptions;
import dev.glia.load.Endpoint;
import dev.glia.load.LoadGenerator;
import dev.glia.load.LoadOptions;
import dev.glia.load.LoadRun;
import dev.glia.load.RequestPlan;
import dev.glia.sim.Experiment;
import dev.glia.sim.PolicySet;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Simulation to reality: the paper's router setup (glia-sharegpt-a10: four A10s, bursty ShareGPT traffic), replayed
 * through {@code glia router} and four emulated engines by {@code glia load}, time-compressed, gives the simulator's
 * mean e2e within 10% under LLQ and under HRA + shortest-prompt-first, and the same HRA+SPF/LLQ ratio within 0.1. The
 * simulator sees engine state as the router does: scraped every 50 ms of wall clock, which time scale X makes X × 50
 * ms of model time. BENCHMARKS.md has the full 1,000 s run ({@code bench/sim-to-reality.sh}).
 */
class SimToRealityTest {
    /** Time scale 20 saturates a 2-core machine under LLQ (the router relays ~30,000 tokens/s); 10 does not. */
    static final double TIME_SCALE = 10;
    static final double SCRAPE_SECONDS = 0.05;

    /** glia-sharegpt-a10 with {@code duration} seconds of arrivals and the router's scrape lag in model time. */
    static Scenario sharegptA10(double duration, double timeScale) {
        Scenario s = ScenarioLoader.load("glia-sharegpt-a10");
        return s.withDuration(duration).withCluster(s.cluster().withScrapeInterval(SCRAPE_SECONDS * timeScale));
    }

    /** Mean e2e (model seconds) of {@code router} in the simulator, seed 0. */
    static double simulated(Scenario s, String router) {
        Scenario with = s.withPolicies(new Scenario.Policies(router, "fcfs", null));
        return new Experiment(with).runSeed(0, PolicySet.of(with, Map.of()).factories()).summary().get("e2e.mean");
    }

    /** Mean e2e (model seconds) of {@code router} live: the router in front of emulated engines, driven by glia load. */
    static double live(Scenario s, String router, double timeScale) {
        Scenario.Cluster c = s.cluster();
        EngineOptions engines = EngineOptions.builder().host("127.0.0.1").port(0).model(c.model()).gpu(c.gpu())
                .numGpuBlocksOverride(c.numBlocks()).blockSize(c.blockSize()).maxNumSeqs(c.maxNumSeqs())
                .maxNumBatchedTokens(c.maxNumBatchedTokens()).maxModelLen(c.maxModelLen()).timeScale(timeScale)
                .replicas(c.replicas()).build();
        try (EngineFleet fleet = EngineFleet.start(engines, new EngineModelBackends(f -> { }))) {
            List<URI> urls = fleet.servers().stream().map(e -> URI.create("http://127.0.0.1:" + e.port())).toList();
            // no bound the simulator does not have either
            RouterOptions options = new RouterOptions("127.0.0.1", 0, urls, SCRAPE_SECONDS, 100_000, 3_600, false)
                    .withMaxQueueTokens(1L << 40);
            try (RouterServer server = RouterServer.start(options, LoadedPolicy.load(PolicyDocument.router(router,
                    Map.of())));
                 LoadGenerator load = new LoadGenerator(new LoadOptions(URI.create("http://127.0.0.1:" + server.port()),
                         null, Endpoint.COMPLETIONS, timeScale, 4096, 0, 3_600))) {
                RouterRig.awaitReady(java.net.http.HttpClient.newHttpClient(), server.port());
                String model = load.firstModel();
                load.warmUp(200, model);
                LoadRun run = load.run(RequestPlan.of(s, s.seed(), Integer.MAX_VALUE), model);
                assertThat(load.failed()).isZero();
                return run.summary(new Experiment(s).engine().model(), c.maxNumBatchedTokens()).get("e2e.mean");
            }
        }
    }

    @Test
    void twoHundredSecondsOfTheRouterStudyMatchTheSimulatorUnderLlqAndHraSpf() {
        Scenario s = sharegptA10(200, TIME_SCALE);
        double simLlq = simulated(s, "llq");
        double simHra = simulated(s, "hra-spf");
        double liveLlq = live(s, "llq", TIME_SCALE);
        double liveHra = live(s, "hra-spf", TIME_SCALE);
        System.out.printf("sim-to-reality (200 s at x%.0f): llq sim %.2f live %.2f; hra-spf sim %.2f live %.2f;"
                + " ratio sim %.3f live %.3f%n", TIME_SCALE, simLlq, liveLlq, simHra, liveHra, simHra / simLlq,
                liveHra / liveLlq);

        assertThat(liveLlq / simLlq).isCloseTo(1, within(0.10));
        assertThat(liveHra / simHra).isCloseTo(1, within(0.10));
        assertThat(liveHra / liveLlq).isCloseTo(simHra / simLlq, within(0.1));
    }
}
