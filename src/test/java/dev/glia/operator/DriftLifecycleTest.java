package dev.glia.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.control.ManualVerdict;
import dev.glia.engine.EngineFleet;
import dev.glia.engine.EngineModelBackends;
import dev.glia.engine.EngineOptions;
import dev.glia.metrics.fit.FitReport;
import dev.glia.metrics.prometheus.FakePrometheus;
import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationStatus;
import dev.glia.operator.router.HttpRouterAdmin;
import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.router.RouterOptions;
import dev.glia.router.RouterServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift, end to end through the operator: a workload fitted from Prometheus (a fake speaking its HTTP API) is
 * researched, the winner canaried in a real router and promoted; the first window after the promotion becomes the
 * policy's reference, an unchanged workload is {@code Unchanged}, and once the prompts triple the check says
 * {@code WorkloadDrifted} with its distances, an Event, and a new research round on the refitted scenario.
 */
@EnableKubernetesMockClient(crud = true)
class DriftLifecycleTest {
    private static final String NS = "serving";
    private static final Duration WAIT = Duration.ofSeconds(120);

    static KubernetesClient client;

    @TempDir
    Path research;

    @Test
    void aPromotedPolicyIsWatchedForDriftAndAMovedWorkloadStartsANewResearchRoundOnItsRefit() throws Exception {
        MockCrds.install(client);
        client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder().withNewMetadata()
                .withName("vllm-llama-3-8b").withNamespace(NS).endMetadata().withNewSpec().withReplicas(3)
                .endSpec().build()).create();
        AtomicLong promptMedian = new AtomicLong(500);
        EngineFleet engines = EngineFleet.start(EngineOptions.builder().host("127.0.0.1").port(0).model("llama-3-8b")
                .gpu("a10").maxModelLen(8192).timeScale(20).replicas(3).build(), new EngineModelBackends(r -> { }));
        List<URI> urls = engines.servers().stream().map(s -> URI.create("http://127.0.0.1:" + s.port())).toList();
        RouterServer router = RouterServer.start(new RouterOptions("127.0.0.1", 0, urls, 0.05, 1000, 60, false)
                .withAdmin("127.0.0.1", 0, null, 1), BuiltinRouters.create("llq"));
        ResearchSessions sessions = new ResearchSessions(1, research);
        Operator operator = null;
        KubernetesClient operatorClient = ApiRequests.OPERATOR.client(client);
        try (FakePrometheus prometheus = FakePrometheus.start(() -> 3000, () -> 20, promptMedian::get)) {
            operator = GliaOperator.create(operatorClient, sessions, url -> new HttpRouterAdmin(url, Duration.ofSeconds(60)),
                    Clock.systemUTC(), new OptimizationReconciler.Options(Duration.ofMillis(200), Duration.ofSeconds(1),
                            3, 1).withFitter(WorkloadFitter.prometheus(Duration.ofSeconds(5))), Set.of(NS));
            operator.start();

            GliaOptimization o = Examples.read(Examples.OPTIMIZATION, NS, null);
            GliaOptimizationSpec spec = o.getSpec();
            assertThat(spec.scenario.source).as("as shipped").isEqualTo(GliaOptimizationSpec.ScenarioSource.FROM_METRICS);
            Examples.routerAt(spec, "http://127.0.0.1:" + router.port(), router.adminPort());
            spec.target.prometheus.url = prometheus.url().toString();
            Examples.tuner(spec, null);
            spec.scenario.duration = 200;
            spec.research.apiKeySecretRef = null;
            spec.research.inProcess = true;
            spec.rollout.mode = GliaOptimizationSpec.RolloutMode.AUTO;
            spec.rollout.canaryEngines = 1;
            spec.drift.interval = "2s";
            spec.drift.window = "2s";
            client.resource(o).create();
            String name = o.getMetadata().getName();

            await(() -> phase(name) == GliaOptimizationStatus.Phase.Canary, name + " in its canary");
            client.resources(GliaOptimization.class).inNamespace(NS).withName(name).edit(x -> {
                x.getMetadata().getAnnotations().put(ManualVerdict.ANNOTATION, "promote");
                return x;
            });
            GliaOptimization reference = await(() -> {
                GliaOptimization x = get(name);
                return x.getStatus().lastDriftCheck != null ? x : null;
            }, "the first drift check after the promotion");
            String policy = reference.getStatus().activePolicy;
            assertThat(policy).isNotNull();
            assertThat(reference.getStatus().lastDriftCheck.reason).isEqualTo("ReferenceRecorded");
            FitReport kept = DriftReference.read(client, NS, policy);
            assertThat(kept).as("the reference, kept as JSON in " + DriftReference.configMapName(policy)).isNotNull();
            assertThat(kept.prompt().requests()).isEqualTo(3000);

            GliaOptimization unchanged = await(() -> {
                GliaOptimization x = get(name);
                return "WorkloadUnchanged".equals(x.getStatus().lastDriftCheck.reason) ? x : null;
            }, "an unchanged workload to be Unchanged");
            assertThat(unchanged.getStatus().lastDriftCheck.distances).isNotEmpty()
                    .allSatisfy(d -> assertThat(d.past).as(d.name).isFalse());
            assertThat(condition(unchanged, "WorkloadDrift").getStatus()).isEqualTo("False");

            promptMedian.set(1500);
            GliaOptimization drifted = await(() -> {
                GliaOptimization x = get(name);
                return x.getStatus().lastDriftCheck != null && "Drifted".equals(x.getStatus().lastDriftCheck.decision)
                        ? x : null;
            }, "the tripled prompts to be drift");
            assertThat(drifted.getStatus().lastDriftCheck.distances).filteredOn(d -> d.name.equals("promptLengths"))
                    .singleElement().satisfies(d -> {
                        assertThat(d.past).isTrue();
            });
            assertThat(drifted.getStatus().lastDriftCheck.sessions).hasSize(1);
            assertThat(condition(drifted, "WorkloadDrift").getStatus()).isEqualTo("True");
            assertThat(events(name)).contains("WorkloadDrifted");
            GliaOptimization again = await(() -> {
                GliaOptimization x = get(name);
                return x.getStatus().rollout.round != null && x.getStatus().rollout.round == 1 ? x : null;
            }, "a new research round");
            assertThat(again.getStatus().scenario.description).as("the refit scenario").isNotNull();
            String refit = client.configMaps().inNamespace(NS).withName(ScenarioSources.configMapName(name)).get()
                    .getData().get(ScenarioSources.KEY);
            assertThat(refit).as("the scenario fitted to the moved workload").contains("mean 1");
            await(() -> events(name).stream().filter("ResearchStarted"::equals).count() == 2, "a second session");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; status: " + Serialization.asYaml(client.resources(
                    GliaOptimization.class).inNamespace(NS).list().getItems().stream().map(GliaOptimization::getStatus)
                    .toList()), e);
        } finally {
            if (operator != null) {
                operator.stop();
            }
            operatorClient.close();
            sessions.close();
            FINISHED.incrementAndGet();
            router.close();
            engines.close();
        }
    }

    private static final java.util.concurrent.atomic.AtomicInteger FINISHED =
            new java.util.concurrent.atomic.AtomicInteger();

    @org.junit.jupiter.api.AfterAll
    static void theChartGrantsWhatTheOperatorUsed() {
        ApiRequests.holdAgainstTheChart(DriftLifecycleTest.class, FINISHED.get());
    }

    private static <T> T await(Supplier<T> probe, String what) {
        return Await.until(probe, WAIT, what);
    }

    private static GliaOptimization get(String name) {
        return client.resources(GliaOptimization.class).inNamespace(NS).withName(name).get();
    }

    private static GliaOptimizationStatus.Phase phase(String name) {
        GliaOptimization o = get(name);
        return o.getStatus() == null ? null : o.getStatus().phase;
    }

    private static Condition condition(GliaOptimization o, String type) {
        return o.getStatus().conditions.stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    private static List<String> events(String name) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> e.getInvolvedObject().getName().equals(name)).map(Event::getReason).toList();
    }
}
