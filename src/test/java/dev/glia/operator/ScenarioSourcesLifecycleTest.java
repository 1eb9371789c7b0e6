package dev.glia.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.metrics.prometheus.FakePrometheus;
import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationStatus;
import dev.glia.operator.crd.v1alpha1.GliaPolicy;
import dev.glia.operator.router.HttpRouterAdmin;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trace and fromMetrics scenarios on fabric8's mock API server (CRUD mode): a trace in a ConfigMap researched in
 * process up to a GliaPolicy (a missing ConfigMap first holds the rollout with ResolvedRefs False naming
 * spec.scenario.trace); a workload fitted from a fake Prometheus speaking Prometheus' HTTP API (too few requests
 * first: ScenarioFitted False, TooFewRequests, phase FittingScenario, retried at the poll), kept in the ConfigMap
 * {@code <optimization>-scenario} that the research Job mounts.
 */
@EnableKubernetesMockClient(crud = true)
class ScenarioSourcesLifecycleTest {
    private static final String NS = "serving";
    private static final Duration WAIT = Duration.ofSeconds(60);

    static KubernetesClient client;

    @TempDir
    Path research;

    private final AtomicInteger requests = new AtomicInteger(50);
    private FakePrometheus prometheus;
    private ResearchSessions sessions;
    private Operator operator;
    /** The operator's own, recorded client (not a static KubernetesClient field: the mock extension fills those). */
    private KubernetesClient operatorClient;
    private static final java.util.concurrent.atomic.AtomicInteger FINISHED =
            new java.util.concurrent.atomic.AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        MockCrds.install(client);
        client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder().withNewMetadata()
                .withName("vllm-llama-3-8b").withNamespace(NS).endMetadata().withNewSpec().withReplicas(3)
                .withNewSelector().addToMatchLabels("app", "vllm").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "vllm").endMetadata().withNewSpec().addNewContainer().withName("vllm")
                .withImage("vllm/vllm-openai:v0.10.1").endContainer().endSpec().endTemplate().endSpec().build())
                .createOr(d -> d.update());
        prometheus = FakePrometheus.start(requests::get);
        sessions = new ResearchSessions(1, research);
        operatorClient = ApiRequests.OPERATOR.client(client);
        operator = GliaOperator.create(operatorClient, sessions, url -> new HttpRouterAdmin(url, Duration.ofSeconds(5)),
                Clock.systemUTC(), new OptimizationReconciler.Options(Duration.ofMillis(200), Duration.ofSeconds(1), 3,
                        1).withJobs(ResearchJob.Settings.from(null, Map.of(ResearchJob.IMAGE_ENV, "glia:test"), 3, 1),
                                (c, job, tail) -> "")
                        .withFitter(WorkloadFitter.prometheus(Duration.ofSeconds(5))), Set.of(NS));
        operator.start();
    }

    @AfterEach
    void stop() {
        operator.stop();
        operatorClient.close();
        sessions.close();
        prometheus.close();
        client.resources(GliaOptimization.class).inNamespace(NS).delete();
        client.resources(GliaPolicy.class).inNamespace(NS).delete();
        client.batch().v1().jobs().inNamespace(NS).delete();
        client.configMaps().inNamespace(NS).delete();
        client.v1().events().inNamespace(NS).delete();
        FINISHED.incrementAndGet();
    }

    @org.junit.jupiter.api.AfterAll
    static void theChartGrantsWhatTheOperatorUsed() {
        ApiRequests.holdAgainstTheChart(ScenarioSourcesLifecycleTest.class, FINISHED.get());
    }

    /** k8s-examples/optimization.yaml with the tuner, a manual rollout and a router that is never called here. */
    private GliaOptimization example(String name, GliaOptimizationSpec.ScenarioSource source) throws Exception {
        GliaOptimization o = Examples.read(Examples.OPTIMIZATION, NS, name);
        GliaOptimizationSpec spec = o.getSpec();
        Examples.routerAt(spec, "http://127.0.0.1:1", null);
        spec.target.prometheus.url = prometheus.url().toString();
        Examples.tuner(spec, null);
        spec.scenario.source = source;
        spec.research.apiKeySecretRef = null;
        spec.research.budgets.simulations = 20;
        spec.rollout.mode = GliaOptimizationSpec.RolloutMode.MANUAL;
        return o;
    }

    private GliaOptimization get(String name) {
        return client.resources(GliaOptimization.class).inNamespace(NS).withName(name).get();
    }

    private static Condition condition(GliaOptimization o, String type) {
        return o == null || o.getStatus() == null ? null : o.getStatus().conditions.stream()
                .filter(c -> c.getType().equals(type)).findFirst().orElse(null);
    }

    private GliaOptimization await(String name, String what, java.util.function.Predicate<GliaOptimization> test) {
        Supplier<GliaOptimization> probe = () -> {
            GliaOptimization o = get(name);
            return o != null && test.test(o) ? o : null;
        };
        try {
            return Await.until(probe, WAIT, name + ": " + what);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; status: " + Serialization.asYaml(get(name).getStatus()), e);
        }
    }

    private ConfigMap configMap(String name) {
        return client.configMaps().inNamespace(NS).withName(name).get();
    }

    @Test
    void aTraceInAConfigMapIsResearchedInProcessUpToAGliaPolicyOnceTheConfigMapExists() throws Exception {
        GliaOptimization o = example("shop-trace", GliaOptimizationSpec.ScenarioSource.TRACE);
        o.getSpec().scenario.trace = new GliaOptimizationSpec.ConfigMapKeyRef();
        o.getSpec().scenario.trace.name = "shop-requests";
        o.getSpec().scenario.trace.key = "trace.csv";
        o.getSpec().scenario.duration = 45;
        o.getSpec().research.inProcess = true;
        o.getSpec().research.budgets.simulations = 40; // the tuner needs about 40 to screen, confirm and judge
        client.apps().deployments().inNamespace(NS).withName("vllm-llama-3-8b").scale(2);
        client.resource(o).create();

        GliaOptimization held = await("shop-trace", "ResolvedRefs False", x -> {
            Condition c = condition(x, References.RESOLVED_REFS);
            return c != null && c.getStatus().equals("False");
        });
        Condition refs = condition(held, References.RESOLVED_REFS);
        assertThat(refs.getReason()).isEqualTo("ConfigMapNotFound");
        assertThat(refs.getMessage()).startsWith("spec.scenario.trace: no ConfigMap serving/shop-requests");
        assertThat(held.getStatus().phase).isEqualTo(GliaOptimizationStatus.Phase.Pending);

        // 600 requests of the Glia authors' ShareGPT trace at ~13 req/s (about 45 s), put in at run time
        List<String> lines = Files.readAllLines(Path.of("../shared/data/traces/sharegpt_12.0.csv").toFile().exists()
                ? Path.of("../shared/data/traces/sharegpt_12.0.csv") : Path.of("/work/shared/data/traces/sharegpt_12.0.csv"));
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("shop-requests")
                .withNamespace(NS).endMetadata().addToData("trace.csv", String.join("\n", lines.subList(0, 601)) + "\n")
                .build()).create();

        GliaOptimization done = await("shop-trace", "a candidate GliaPolicy", x -> x.getStatus() != null
                && x.getStatus().candidatePolicy != null);
        assertThat(done.getStatus().phase).isEqualTo(GliaOptimizationStatus.Phase.AwaitingApproval);
        assertThat(done.getStatus().scenario.source).isEqualTo("trace");
        assertThat(done.getStatus().scenario.configMap).isEqualTo("shop-trace-scenario");
        Condition fitted = condition(done, ScenarioSources.CONDITION);
        assertThat(fitted.getStatus()).isEqualTo("True");
        assertThat(fitted.getReason()).isEqualTo("Composed");
        assertThat(condition(done, References.RESOLVED_REFS).getStatus()).isEqualTo("True");

        ConfigMap cm = configMap("shop-trace-scenario");
        assertThat(cm.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(r -> assertThat(r.getUid()).isEqualTo(done.getMetadata().getUid()));
        Scenario s = ScenarioLoader.load(research.resolve("scenarios/serving_shop-trace/scenario.yaml").toString());
        assertThat(s.cluster().replicas()).as("the engines Deployment's replicas").isEqualTo(2);
        assertThat(s.duration()).isEqualTo(45.0);
        assertThat(s.workload().trace().path()).isEqualTo(research.resolve("scenarios/serving_shop-trace/trace.csv")
                .toAbsolutePath().toString());
        assertThat(cm.getData().get(ScenarioSources.KEY)).contains(s.workload().trace().path());

        GliaPolicy p = client.resources(GliaPolicy.class).inNamespace(NS).withName(done.getStatus().candidatePolicy)
                .get();
        assertThat(p.getSpec().workload.scenario).isEqualTo("shop-trace");
        assertThat(p.getSpec().evidence.ratio).isLessThan(1.0);
    }

    @Test
    void aWorkloadFittedFromPrometheusWaitsForEnoughRequestsThenGoesToTheResearchJobInAConfigMap() throws Exception {
        GliaOptimization o = example("shop-live", GliaOptimizationSpec.ScenarioSource.FROM_METRICS);
        o.getSpec().scenario.window = "30m";
        o.getSpec().research.inProcess = false;
        client.resource(o).create();

        GliaOptimization waiting = await("shop-live", "ScenarioFitted False", x -> {
            Condition c = condition(x, ScenarioSources.CONDITION);
            return c != null && c.getStatus().equals("False");
        });
        Condition c = condition(waiting, ScenarioSources.CONDITION);
        assertThat(c.getReason()).isEqualTo("TooFewRequests");
        assertThat(c.getMessage()).contains("spec.target.prometheus.url (" + prometheus.url() + ")")
                .contains("spec.scenario.window (30m)").contains("only 50 requests");
        assertThat(waiting.getStatus().phase).isEqualTo(GliaOptimizationStatus.Phase.FittingScenario);
        assertThat(waiting.getStatus().researchJob).isNull();
        assertThat(client.batch().v1().jobs().inNamespace(NS).list().getItems()).isEmpty();
        int asked = prometheus.queries().size();
        await("shop-live", "retried at the poll", x -> prometheus.queries().size() > asked);
        assertThat(prometheus.queries()).contains("sum by (le) (increase(glia_router_request_interarrival_seconds_bucket"
                + "[1800s]))");

        requests.set(1000);
        GliaOptimization fitted = await("shop-live", "a research Job", x -> x.getStatus() != null
                && x.getStatus().researchJob != null);
        assertThat(condition(fitted, ScenarioSources.CONDITION).getReason()).isEqualTo("Fitted");
        assertThat(fitted.getStatus().phase).isEqualTo(GliaOptimizationStatus.Phase.Researching);
        GliaOptimizationStatus.ScenarioUsed used = fitted.getStatus().scenario;
        assertThat(used.source).isEqualTo("fromMetrics");
        assertThat(used.configMap).isEqualTo("shop-live-scenario");
        assertThat(used.window).isEqualTo("30m");
        assertThat(used.fittedAt).isNotNull();
        assertThat(used.description).contains("1000 requests");

        ConfigMap cm = configMap("shop-live-scenario");
        assertThat(cm.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(r -> assertThat(r.getUid()).isEqualTo(fitted.getMetadata().getUid()));
        Path file = Files.writeString(research.resolve("fitted.yaml"), cm.getData().get(ScenarioSources.KEY));
        Scenario s = ScenarioLoader.load(file.toString());
        assertThat(s.cluster().replicas()).as("the engines Deployment's replicas").isEqualTo(3);
        assertThat(s.cluster().numBlocks()).as("the engines' KV blocks, fitted").isEqualTo(2240);
        assertThat(s.workload().arrivals().qps()).isBetween(4.5, 5.5);

        Job job = client.batch().v1().jobs().inNamespace(NS).withName(fitted.getStatus().researchJob).get();
        List<Volume> volumes = job.getSpec().getTemplate().getSpec().getVolumes();
        assertThat(volumes).filteredOn(v -> v.getName().equals("scenario")).singleElement()
                .satisfies(v -> assertThat(v.getConfigMap().getName()).isEqualTo("shop-live-scenario"));
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .containsSequence("--scenario", "/scenario/scenario.yaml");
    }

    @Test
    void aTraceResearchJobReadsTheTraceFromItsMountedKeyThroughTheComposedScenario() throws Exception {
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("shop-requests")
                .withNamespace(NS).endMetadata().addToData("requests.csv", ScenarioComposerTest.traceHead(100))
                .build()).create();
        GliaOptimization o = example("shop-job", GliaOptimizationSpec.ScenarioSource.TRACE);
        o.getSpec().scenario.trace = new GliaOptimizationSpec.ConfigMapKeyRef();
        o.getSpec().scenario.trace.name = "shop-requests";
        o.getSpec().scenario.trace.key = "requests.csv";
        o.getSpec().research.inProcess = false;
        client.resource(o).create();

        GliaOptimization started = await("shop-job", "a research Job", x -> x.getStatus() != null
                && x.getStatus().researchJob != null);
        assertThat(started.getStatus().scenario.source).isEqualTo("trace");
        Job job = client.batch().v1().jobs().inNamespace(NS).withName(started.getStatus().researchJob).get();
        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("trace")).singleElement()
                .satisfies(v -> assertThat(v.getConfigMap().getName()).isEqualTo("shop-requests"));
        String yaml = configMap("shop-job-scenario").getData().get(ScenarioSources.KEY);
        assertThat(yaml).contains("/trace/requests.csv").doesNotContain(research.toString());

        // the pod's view: the two ConfigMaps' keys where the Job mounts them
        Path root = Files.createDirectories(research.resolve("pod"));
        Files.createDirectories(root.resolve("trace"));
        Files.writeString(root.resolve("trace/requests.csv"), ScenarioComposerTest.traceHead(100));
        Path file = Files.writeString(root.resolve("scenario.yaml"), yaml.replace("/trace/", root + "/trace/"));
        Scenario s = ScenarioLoader.load(file.toString());
        assertThat(s.cluster().replicas()).isEqualTo(3);
        assertThat(s.duration()).isEqualTo(1000.0);
    }

    @Test
    void anUnreachablePrometheusIsAConditionNamingItsUrlNotACrash() throws Exception {
        GliaOptimization o = example("shop-dark", GliaOptimizationSpec.ScenarioSource.FROM_METRICS);
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        o.getSpec().target.prometheus.url = "http://127.0.0.1:" + port;
        client.resource(o).create();

        GliaOptimization waiting = await("shop-dark", "ScenarioFitted False", x -> {
            Condition c = condition(x, ScenarioSources.CONDITION);
            return c != null && c.getStatus().equals("False");
        });
        Condition c = condition(waiting, ScenarioSources.CONDITION);
        assertThat(c.getReason()).isEqualTo("PrometheusUnreachable");
        assertThat(c.getMessage()).contains("spec.target.prometheus.url (http://127.0.0.1:" + port + ")")
                .contains("cannot reach Prometheus");
        assertThat(waiting.getStatus().phase).isEqualTo(GliaOptimizationStatus.Phase.FittingScenario);
        assertThat(client.v1().events().inNamespace(NS).list().getItems()).anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("PrometheusUnreachable");
            assertThat(e.getType()).isEqualTo("Warning");
        });
    }
}
