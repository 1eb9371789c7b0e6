package dev.glia.metrics.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.glia.engine.EngineFleet;
import dev.glia.engine.EngineModelBackends;
import dev.glia.engine.EngineOptions;
import dev.glia.load.Endpoint;
import dev.glia.load.LoadGenerator;
import dev.glia.load.LoadOptions;
import dev.glia.load.RequestPlan;
import dev.glia.metrics.RealPrometheus;
import dev.glia.metrics.prometheus.PromQlException;
import dev.glia.metrics.prometheus.PrometheusClient;
import dev.glia.metrics.prometheus.WorkloadQueries;
import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.router.RouterOptions;
import dev.glia.router.RouterServer;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The must-show of workload fitting: a real Prometheus scrapes a live router in front of emulated engines
 * while {@code glia load} replays a known workload; the workload fitted from Prometheus over its HTTP API
 * recovers the generated workload's rate and its prompt and output p50 and p90 within 10%, and tells
 * Poisson arrivals from lognormal σ = 2 ones. Skipped, saying why, where Debian's prometheus cannot be had.
 */
class FitFromPrometheusTest {
    static final double TIME_SCALE = 10;
    static final int REQUESTS = 400;

    @TempDir
    Path tmp;

    /** Truth from the plan the load generator sent, and the fit from Prometheus. */
    record Outcome(RequestPlan plan, WorkloadFit.Fitted fitted, List<String> queries) {
    }

    static Scenario workload(String arrivals, long seed) {
        return ScenarioLoader.complete(ScenarioLoader.parse("""
                name: fit-%s
                seed: %d
                duration: 100000
                cluster: {replicas: 2, gpu: a10, model: llama-3-8b, numBlocks: 2240, maxModelLen: 8192}
                workload:
                  arrivals: %s
                  lengths:
                    prompt: {distribution: lognormal, median: 300, sigma: 0.8}
                    output: {distribution: lognormal, median: 40, sigma: 0.7}
                """.formatted(seed, seed, arrivals), "test"), "test", Path.of(""));
    }

    @Test
    void aPoissonWorkloadIsRecoveredAndCalledPoisson() throws Exception {
        Outcome o = replayAndFit(workload("{process: poisson, qps: 2.5}", 1));
        assertRecovered(o);
        assertThat(o.fitted().report().arrivals().process()).isEqualTo("poisson");
    }

    @Test
    void aLognormalSigmaTwoWorkloadIsRecoveredAndCalledLognormal() throws Exception {
        Outcome o = replayAndFit(workload("{process: lognormal, qps: 2.5, sigma: 2}", 2));
        assertRecovered(o);
        ArrivalFit a = o.fitted().report().arrivals();
        assertThat(a.process()).isEqualTo("lognormal");
        assertThat(a.parameter()).isBetween(1.5, 2.5);
    }

    void assertRecovered(Outcome o) {
        RequestPlan plan = o.plan();
        int n = plan.size();
        double trueRate = (n - 1) / (plan.arrival(n - 1) - plan.arrival(0));
        double[] prompts = new double[n];
        double[] outputs = new double[n];
        for (int i = 0; i < n; i++) {
            prompts[i] = plan.promptTokens(i);
            outputs[i] = plan.outputTokens(i);
        }
        FitReport r = o.fitted().report();
        System.out.printf(Locale.ROOT, "%s: rate fitted %.4f true %.4f; prompt p50 %.1f/%.1f p90 %.1f/%.1f; "
                        + "output p50 %.1f/%.1f p90 %.1f/%.1f; %s %.3g%n%s%n",
                o.fitted().scenario().name(), r.arrivals().qps(), trueRate,
                r.prompt().check(0.5).value(), WorkloadFitTest.empiricalQuantile(prompts, 0.5),
                r.prompt().check(0.9).value(), WorkloadFitTest.empiricalQuantile(prompts, 0.9),
                r.output().check(0.5).value(), WorkloadFitTest.empiricalQuantile(outputs, 0.5),
                r.output().check(0.9).value(), WorkloadFitTest.empiricalQuantile(outputs, 0.9),
                r.arrivals().process(), r.arrivals().parameter(), r.text());
        assertThat(r.arrivals().qps()).isCloseTo(trueRate, within(0.1 * trueRate));
        for (double p : new double[] {0.5, 0.9}) {
            double prompt = WorkloadFitTest.empiricalQuantile(prompts, p);
            double output = WorkloadFitTest.empiricalQuantile(outputs, p);
            assertThat(r.prompt().check(p).value()).as("prompt p%s", p).isCloseTo(prompt, within(0.1 * prompt));
            assertThat(r.output().check(p).value()).as("output p%s", p).isCloseTo(output, within(0.1 * output));
        }
        assertThat(r.prompt().requests()).isBetween((long) n, (long) (n * 1.1));
        assertThat(r.engines().count()).isEqualTo(2);
        assertThat(r.engines().numBlocks()).isEqualTo(2240);
        assertThat(r.engines().blockSize()).isEqualTo(16);
        Scenario replayable = ScenarioLoader.complete(ScenarioLoader.parse(o.fitted().yaml(), "fitted"), "fitted",
                Path.of(""));
        assertThat(replayable.cluster().replicas()).isEqualTo(2);
        assertThat(o.queries()).allMatch(q -> q.contains("glia_router_") || q.contains("vllm:cache_config_info"));
    }

    Outcome replayAndFit(Scenario scenario) throws Exception {
        RealPrometheus.assumeAvailable();
        RequestPlan plan = RequestPlan.of(scenario, scenario.seed(), REQUESTS);
        EngineFleet engines = EngineFleet.start(EngineOptions.builder().host("127.0.0.1").port(0).model("llama-3-8b")
                .gpu("a10").numGpuBlocksOverride(2240).maxModelLen(8192).timeScale(TIME_SCALE).replicas(2).build(),
                new EngineModelBackends(f -> { }));
        List<URI> urls = engines.servers().stream().map(s -> URI.create("http://127.0.0.1:" + s.port())).toList();
        RouterServer router = RouterServer.start(new RouterOptions("127.0.0.1", 0, urls, 0.05, 10_000, 60, false)
                .withAdmin("127.0.0.1", -1, null, 1), BuiltinRouters.create("llq"));
        List<RealPrometheus.Target> targets = new ArrayList<>();
        targets.add(new RealPrometheus.Target("glia-router", "127.0.0.1:" + router.port()));
        urls.forEach(u -> targets.add(new RealPrometheus.Target("vllm", u.getHost() + ":" + u.getPort())));
        Path dir = Files.createDirectories(tmp.resolve(scenario.name()));
        try (RealPrometheus prometheus = RealPrometheus.start(dir, targets)) {
            prometheus.awaitTargetsUp(targets.size(), Duration.ofSeconds(30));
            Instant start = Instant.now().minusSeconds(1);
            try (LoadGenerator load = new LoadGenerator(new LoadOptions(URI.create("http://127.0.0.1:" + router.port()),
                    null, Endpoint.COMPLETIONS, TIME_SCALE, 512, 0, 120))) {
                load.run(plan, "llama-3-8b");
                assertThat(load.completed()).isEqualTo(plan.size());
            }
            Thread.sleep(2500); // two more scrapes: the last arrivals and completions are in Prometheus
            Instant end = Instant.now();
            PrometheusClient client = new PrometheusClient(prometheus.url(), Duration.ofSeconds(10));
            WorkloadQueries queries = new WorkloadQueries(client, "job=\"glia-router\"", "{job=\"vllm\"}");
            Observations observed = queries.observe(end, Duration.between(start, end).withNanos(0).plusSeconds(1));
            WorkloadFit.Fitted fitted = WorkloadFit.fit(observed, new FitOptions(scenario.name(), "a10",
                    "llama-3-8b", TIME_SCALE, 200, null));

            assertThatThrownBy(() -> client.instant("sum(rate(glia_router_prompt_tokens_count[5m])", end))
                    .isInstanceOf(PromQlException.class).hasMessageContaining("sum(rate(glia_router_prompt_tokens_count")
                    .hasMessageContaining("bad_data").hasMessageContaining("unclosed left parenthesis");
            return new Outcome(plan, fitted, queries.sent());
        } finally {
            router.close();
            engines.close();
        }
    }
}
