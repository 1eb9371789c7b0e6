package dev.glia.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.control.Baseline;
import dev.glia.control.CanaryCriteria;
import dev.glia.control.CanarySlice;
import dev.glia.control.PoolMetrics;
import dev.glia.engine.EngineFleet;
import dev.glia.engine.EngineModelBackends;
import dev.glia.engine.EngineOptions;
import dev.glia.load.Endpoint;
import dev.glia.load.LoadGenerator;
import dev.glia.load.LoadOptions;
import dev.glia.load.RequestPlan;
import dev.glia.metrics.RealPrometheus;
import dev.glia.metrics.prometheus.PrometheusClient;
import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationStatus;
import dev.glia.operator.router.HttpRouterAdmin;
import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.router.RouterOptions;
import dev.glia.router.RouterServer;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A canary judged on the router's own metrics in a real Prometheus: the operator reads both pools' histograms and
 * counters slice by slice ({@link PrometheusCanarySlices}), records each verdict with its figures in the status and
 * an Event, and at the deadline the last look decides the rollout, not the timeout. The canary gets too little
 * traffic here to be judged (a quarter of a light load for 24 s), so the verdict must say so and roll it back.
 */
@EnableKubernetesMockClient(crud = true)
class CanaryMetricsVerdictTest {
    private static final String NS = "serving";
    private static final double TIME_SCALE = 2;

    static KubernetesClient client;

    @TempDir
    Path tmp;

    @Test
    void theRoutersMetricsDecideTheCanaryAndTheVerdictWithItsFiguresIsInTheStatusAndEvents() throws Exception {
        RealPrometheus.assumeAvailable();
        MockCrds.install(client);
        client.apps().deployments().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.apps
                .DeploymentBuilder().withNewMetadata().withName("vllm-llama-3-8b").withNamespace(NS).endMetadata()
                .build()).create();
        EngineFleet engines = EngineFleet.start(EngineOptions.builder().host("127.0.0.1").port(0).model("llama-3-8b")
                .gpu("a10").maxModelLen(8192).timeScale(TIME_SCALE).replicas(3).build(), new EngineModelBackends(r -> { }));
        List<URI> urls = engines.servers().stream().map(s -> URI.create("http://127.0.0.1:" + s.port())).toList();
        RouterServer router = RouterServer.start(new RouterOptions("127.0.0.1", 0, urls, 0.05, 1000, 60, false)
                .withAdmin("127.0.0.1", 0, null, 1), BuiltinRouters.create("llq"));
        List<RealPrometheus.Target> targets = List.of(new RealPrometheus.Target("glia-router", "127.0.0.1:"
                + router.port()));
        Scenario lowLoad = ScenarioLoader.load("low-load");
        ResearchSessions sessions = new ResearchSessions(1, tmp.resolve("research"));
        Operator operator = null;
        try (RealPrometheus prometheus = RealPrometheus.start(Files.createDirectories(tmp.resolve("prom")), targets);
             LoadGenerator load = new LoadGenerator(new LoadOptions(URI.create("http://127.0.0.1:" + router.port()),
                     null, Endpoint.COMPLETIONS, TIME_SCALE, 256, 0, 120))) {
            prometheus.awaitTargetsUp(1, Duration.ofSeconds(30));
            Thread traffic = new Thread(() -> load.run(RequestPlan.of(lowLoad, 0, 2_000), "llama-3-8b"), "traffic");
            traffic.setDaemon(true);
            traffic.start();
            operator = GliaOperator.create(client, sessions, url -> new HttpRouterAdmin(url, Duration.ofSeconds(60)),
                    Clock.systemUTC(), new OptimizationReconciler.Options(Duration.ofMillis(500),
                            Duration.ofSeconds(1), 3, 1).withCanarySlice(Duration.ofSeconds(3)), Set.of(NS));
            operator.start();

            GliaOptimization o = Examples.read(Examples.OPTIMIZATION, NS, null);
            GliaOptimizationSpec spec = o.getSpec();
            Examples.routerAt(spec, "http://127.0.0.1:" + router.port(), router.adminPort());
            spec.target.prometheus.url = prometheus.url().toString();
            Examples.tuner(spec, "glia-sharegpt-a10");
            spec.research.apiKeySecretRef = null;
            spec.research.inProcess = true;
            spec.rollout.mode = GliaOptimizationSpec.RolloutMode.AUTO;
            spec.rollout.canaryEngines = 1;
            spec.rollout.canaryDuration = "24s";
            client.resource(o).create();
            String name = o.getMetadata().getName();

            GliaOptimization judged = Await.until(() -> {
                GliaOptimization x = get(name);
                return x.getStatus() != null && x.getStatus().canaryVerdict != null ? x : null;
            }, Duration.ofSeconds(120), "a verdict from the router's metrics");
            assertThat(judged.getStatus().canaryVerdict.policy).isEqualTo(judged.getStatus().candidatePolicy);
            assertThat(judged.getStatus().canaryVerdict.decision).isEqualTo("Undecided");
            assertThat(judged.getStatus().canaryVerdict.reason).isEqualTo("CollectingSamples");

            GliaOptimization decided = Await.until(() -> {
                GliaOptimization x = get(name);
                return x.getStatus().phase == GliaOptimizationStatus.Phase.RolledBack ? x : null;
            }, Duration.ofSeconds(90), "the deadline's verdict to roll the canary back");
            // three engines: the one-engine canary is compared with a one-engine control pool, as the status says
            assertThat(judged.getStatus().rollout.canaryBaseline).isEqualTo("control");
            assertThat(judged.getStatus().canaryVerdict.message).startsWith("against its control pool");
            // the slices the verdict read are the router's own counts, pool by pool
            Instant canaryStart = Instant.parse(judged.getStatus().rollout.canaryStartedAt);
            PrometheusCanarySlices slices = new PrometheusCanarySlices(new PrometheusClient(prometheus.url(),
                    Duration.ofSeconds(10)), Set.of("e2e"), Duration.ofSeconds(3));
            List<CanarySlice> seen = slices.between(Baseline.CONTROL, canaryStart, canaryStart.plusSeconds(24));
            assertThat(seen).isNotEmpty();
            double canaryRequests = seen.stream().mapToDouble(s -> s.canary().requests()).sum();
            double controlRequests = seen.stream().mapToDouble(s -> s.stable().requests()).sum();
            assertThat(canaryRequests).as("requests that left the canary pool").isPositive();
            // a few requests each, completed within the window (the pools' latencies differ): the equal split of
            // arrivals is RouterHotSwapTest's to show, by the routers' decisions; here, that control's slices are read
            assertThat(controlRequests).as("requests that left the control pool").isPositive();
            assertThat(seen.stream().map(CanarySlice::stable).map(PoolMetrics::latencies)
                    .anyMatch(l -> l.containsKey("e2e") && l.get("e2e").count().orElse(0) > 0)).isTrue();
            assertThat(slices.sent()).allMatch(q -> q.contains("pool=~\"control|canary\"")).anyMatch(q ->
                    q.startsWith("sum by (pool, le) (increase(glia_router_e2e_seconds_bucket{"));

            Condition canary = decided.getStatus().conditions.stream().filter(c -> c.getType().equals("Canary"))
                    .findFirst().orElseThrow();
            assertThat(canary.getReason()).as("the last look decided, not the timeout: %s", canary.getMessage())
                    .isEqualTo("InsufficientSamples");
            assertThat(decided.getStatus().canaryVerdict.decision).isEqualTo("RollBack");
            assertThat(decided.getStatus().canaryVerdict.message).as("the counts and the minimum")
                    .contains(Long.toString(CanaryCriteria.of(new CanaryCriteria.Objective("e2e.mean", null),
                            List.of()).minSamples()));
            assertThat(client.v1().events().inNamespace(NS).list().getItems().stream()
                    .filter(e -> e.getInvolvedObject().getName().equals(name)).map(Event::getReason))
                    .contains("CanaryVerdictCollectingSamples", "CanaryVerdictInsufficientSamples", "RolledBack");
        } finally {
            if (operator != null) {
                operator.stop();
            }
            sessions.close();
            router.close();
            engines.close();
        }
    }

    private static GliaOptimization get(String name) {
        return client.resources(GliaOptimization.class).inNamespace(NS).withName(name).get();
    }
}
