package dev.glia.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.catalog.PolicyCatalog;
import dev.glia.control.AutoscalingLoop;
import dev.glia.control.ObservedCluster;
import dev.glia.control.SimulatedAutoscalerTicks;
import dev.glia.control.ObservedReplica;
import dev.glia.control.ScalingDecision;
import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import dev.glia.policy.Autoscaler;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.prometheus.client.CollectorRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The must-show of issue 12's autoscaling: on a recorded metric series (every view the autoscaler of a
 * {@code glia-sinusoid-autoscale} simulation saw, two hours of load swinging 7.5 → 22.5 → 7.5 QPS), replayed tick by
 * tick as the engine pods on fabric8's mock API server and as the answers of a Prometheus that answers exactly the
 * queries of docs/adaptation.md and refuses any other, the operator's autoscaling driver decides what the simulator's
 * policy decided: {@code direct} scales the Deployment (through its scale subresource) to the count
 * {@link AutoscalingLoop} decides at every tick, and {@code external} exports the same counts as
 * {@code glia_autoscaler_desired_replicas} on the operator's {@code /metrics}.
 */
@EnableKubernetesMockClient(crud = true)
class AutoscalingDriverTest {
    private static final String NS = "serving";
    private static final String DEPLOYMENT = "vllm-llama-3-8b";
    private static final String POLICY = "throughput";

    static KubernetesClient client;

    /** Every tick of the simulator's autoscaler: the view it saw and what the policy answered. */
    private static List<SimulatedAutoscalerTicks.Tick> recorded;

    private FakePrometheus prometheus;
    private final MutableClock clock = new MutableClock();
    private final Map<String, String> podStates = new HashMap<>();

    /** The simulator's run of glia-sinusoid-autoscale, every view its autoscaler saw and every answer. */
    @BeforeAll
    static void record() {
        recorded = SimulatedAutoscalerTicks.record(POLICY);
    }

    @BeforeEach
    void start() throws Exception {
        MockCrds.install(client);
        client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder().withNewMetadata()
                .withName(DEPLOYMENT).withNamespace(NS).endMetadata().withNewSpec().withReplicas(6)
                .withNewSelector().addToMatchLabels("app", DEPLOYMENT).endSelector().withNewTemplate()
                .withNewMetadata().addToLabels("app", DEPLOYMENT).endMetadata().withNewSpec().addNewContainer()
                .withName("vllm").withImage("vllm/vllm-openai:v0.10.1").endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
        prometheus = FakePrometheus.start();
    }

    @AfterEach
    void stop() {
        prometheus.close();
        client.resources(GliaOptimization.class).inNamespace(NS).delete();
        client.apps().deployments().inNamespace(NS).delete();
        client.pods().inNamespace(NS).delete();
    }

    /** The optimisation of k8s-examples/optimization.yaml with the autoscaler on, bounded as the scenario is. */
    private GliaOptimization optimisation(String name, GliaOptimizationSpec.Actuation actuation) throws Exception {
        GliaOptimization o = client.resources(GliaOptimization.class)
                .load(Files.newInputStream(Path.of("k8s-examples/optimization.yaml"))).item();
        o.getMetadata().setName(name);
        o.getMetadata().setNamespace(NS);
        o.getSpec().components.autoscaler = true;
        o.getSpec().target.prometheus.url = prometheus.url().toString();
        o.getSpec().autoscaling = new GliaOptimizationSpec.Autoscaling();
        o.getSpec().autoscaling.actuation = actuation;
        o.getSpec().autoscaling.minReplicas = 2;
        o.getSpec().autoscaling.maxReplicas = 16;
        return client.resource(o).create();
    }

    @Test
    void directActuationScalesTheDeploymentTickByTickAsThePolicyDecidesOnTheRecordedSeries() throws Exception {
        optimisation("sinusoid-direct", GliaOptimizationSpec.Actuation.DIRECT);
        AutoscalingDriver driver = new AutoscalingDriver(client, clock, AutoscalingDriver.Settings.DEFAULT,
                new CollectorRegistry());
        AutoscalingLoop reference = new AutoscalingLoop(fresh(), AutoscalingLoop.Actuation.DIRECT, DEPLOYMENT);
        int changes = 0;
        int previous = 6;
        for (SimulatedAutoscalerTicks.Tick t : recorded) {
            replay(t.view());
            ScalingDecision decided = driver.tick(get("sinusoid-direct"));
            ScalingDecision expected = reference.step(t.view(), List.of());
            assertThat(prometheus.unexpected()).as("queries outside the contract").isEmpty();
            String at = "t=" + t.view().now();
            assertThat(decided).as(at).isNotNull();
            assertThat(decided.answer()).as(at).isEqualTo(t.answer());
            assertThat(decided.desired()).as(at).isEqualTo(expected.desired());
            assertThat(decided.actuation()).as(at).isEqualTo(expected.actuation());
            int replicas = client.apps().deployments().inNamespace(NS).withName(DEPLOYMENT).get().getSpec()
                    .getReplicas();
            assertThat(replicas).as("the Deployment's replicas at %s", at).isEqualTo(expected.desired());
            GliaOptimization o = get("sinusoid-direct");
            assertThat(o.getStatus().autoscaling.desired).isEqualTo(expected.desired());
            assertThat(o.getStatus().autoscaling.reason).isEqualTo(expected.reason());
            changes += replicas != previous ? 1 : 0;
            previous = replicas;
        }
        assertThat(recorded).hasSizeGreaterThan(200);
        assertThat(changes).as("the Deployment was scaled up and down").isGreaterThanOrEqualTo(4);
        long scaled = client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> e.getReason().equals("Scaled")
                        && e.getInvolvedObject().getName().equals("sinusoid-direct")).count();
        assertThat(scaled).as("an Event per change of the Deployment's replicas").isEqualTo(changes);
        GliaOptimization o = get("sinusoid-direct");
        assertThat(o.getStatus().autoscaling.policy).isEqualTo(POLICY);
        assertThat(o.getStatus().autoscaling.actuation).isEqualTo("direct");
        assertThat(o.getStatus().autoscaling.conditions).singleElement()
                .satisfies(c -> assertThat(c.getType()).isEqualTo("Autoscaling"));
        System.out.printf("direct: %d ticks, %d changes of the Deployment's replicas%n", recorded.size(), changes);
    }

    @Test
    void externalActuationExportsTheSameCountsAsGliaAutoscalerDesiredReplicas() throws Exception {
        optimisation("sinusoid-external", GliaOptimizationSpec.Actuation.EXTERNAL);
        CollectorRegistry registry = new CollectorRegistry();
        AutoscalingDriver driver = new AutoscalingDriver(client, clock, AutoscalingDriver.Settings.DEFAULT, registry);
        AutoscalingLoop reference = new AutoscalingLoop(fresh(), AutoscalingLoop.Actuation.DIRECT, DEPLOYMENT);
        HttpClient http = HttpClient.newHttpClient();
        try (MetricsEndpoint metrics = MetricsEndpoint.start(registry, "127.0.0.1", 0)) {
            URI scrape = URI.create("http://127.0.0.1:" + metrics.port() + "/metrics");
            Pattern gauge = Pattern.compile("(?m)^glia_autoscaler_desired_replicas\\{namespace=\"serving\","
                    + "optimization=\"sinusoid-external\",deployment=\"vllm-llama-3-8b\",?} (\\S+)$");
            for (SimulatedAutoscalerTicks.Tick t : recorded) {
                replay(t.view());
                ScalingDecision decided = driver.tick(get("sinusoid-external"));
                ScalingDecision expected = reference.step(t.view(), List.of());
                assertThat(prometheus.unexpected()).as("queries outside the contract").isEmpty();
                String at = "t=" + t.view().now();
                assertThat(decided.actuation()).as(at).isEqualTo(new ScalingDecision.Actuation.Publish(
                        expected.desired()));
                HttpResponse<String> body = http.send(HttpRequest.newBuilder(scrape).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(body.statusCode()).isEqualTo(200);
                assertThat(body.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
                Matcher m = gauge.matcher(body.body());
                assertThat(m.find()).as("%s in %s", at, body.body()).isTrue();
                assertThat(Double.parseDouble(m.group(1))).as("the exported count at %s", at)
                        .isEqualTo(expected.desired());
                assertThat(get("sinusoid-external").getStatus().autoscaling.reason)
                        .isEqualTo("DesiredReplicasPublished");
            }
        }
        assertThat(client.apps().deployments().inNamespace(NS).withName(DEPLOYMENT).get().getSpec().getReplicas())
                .as("external actuation leaves the Deployment to the HPA").isEqualTo(6);
    }

    private static Autoscaler fresh() {
        return PolicyCatalog.autoscaler(POLICY, Map.of()).factory().get();
    }

    private GliaOptimization get(String name) {
        return client.resources(GliaOptimization.class).inNamespace(NS).withName(name).get();
    }

    private static String podName(ObservedReplica r) {
        return String.format("%s-r%05d", DEPLOYMENT, r.id());
    }

    /**
     * The recorded view as the world shows it: the engine pods on the API server (ready ones named in id order,
     * draining ones being deleted, starting ones not ready), the clock at the view's time, and Prometheus answering
     * the contract's queries with the view's figures.
     */
    private void replay(ObservedCluster view) {
        clock.at(Instant.EPOCH.plusNanos(Math.round(view.now() * 1e9)));
        Map<String, String> wanted = new LinkedHashMap<>();
        for (ObservedReplica r : view.replicas()) {
            wanted.put(podName(r), r.accepting() ? "ready" : "draining");
        }
        for (int i = 0; i < view.starting(); i++) {
            wanted.put(String.format("%s-s%05d", DEPLOYMENT, i), "starting");
        }
        for (String name : List.copyOf(podStates.keySet())) {
            if (!wanted.containsKey(name) || !wanted.get(name).equals(podStates.get(name))) {
                if (podStates.get(name).equals("draining")) {
                    client.pods().inNamespace(NS).withName(name).edit(p -> {
                        p.getMetadata().setFinalizers(List.of());
                        return p;
                    });
                }
                client.pods().inNamespace(NS).withName(name).delete();
                podStates.remove(name);
            }
        }
        wanted.forEach((name, state) -> {
            if (!state.equals(podStates.get(name))) {
                client.pods().inNamespace(NS).resource(pod(name, state)).create();
                if (state.equals("draining")) {
                    // as the API server does: a pod with a finalizer, deleted, stays with its deletionTimestamp
                    client.pods().inNamespace(NS).withName(name).delete();
                }
                podStates.put(name, state);
            }
        });

        long w = Math.round(view.interval());
        String pods = String.join("|", view.replicas().stream().map(AutoscalingDriverTest::podName).toList());
        Map<String, List<FakePrometheus.Series>> answers = new HashMap<>();
        answers.put("sum(glia_router_queue_length)", List.of(series(Map.of(), view.queued())));
        answers.put("sum(rate(glia_router_prompt_tokens_count[" + w + "s]))",
                List.of(series(Map.of(), view.arrivalRate())));
        if (!view.replicas().isEmpty()) {
            List<FakePrometheus.Series> waiting = new ArrayList<>();
            List<FakePrometheus.Series> running = new ArrayList<>();
            List<FakePrometheus.Series> usage = new ArrayList<>();
            List<FakePrometheus.Series> config = new ArrayList<>();
            List<FakePrometheus.Series> throughput = new ArrayList<>();
            for (ObservedReplica r : view.replicas()) {
                Map<String, String> pod = Map.of("pod", podName(r));
                waiting.add(series(pod, r.numWaiting()));
                running.add(series(pod, r.numRunning()));
                usage.add(series(pod, r.totalBlocks() == 0 ? 0 : (double) r.allocatedBlocks() / r.totalBlocks()));
                config.add(series(Map.of("__name__", "vllm:cache_config_info", "pod", podName(r), "job", "vllm",
                        "num_gpu_blocks", Integer.toString(r.totalBlocks()), "block_size",
                        Integer.toString(r.blockSize())), 1));
                throughput.add(series(pod, view.decodeThroughput(r)));
            }
            answers.put("sum by (pod) (vllm:num_requests_waiting{pod=~\"" + pods + "\"})", waiting);
            answers.put("sum by (pod) (vllm:num_requests_running{pod=~\"" + pods + "\"})", running);
            answers.put("max by (pod) (vllm:kv_cache_usage_perc{pod=~\"" + pods + "\"})", usage);
            answers.put("vllm:cache_config_info{pod=~\"" + pods + "\"}", config);
            answers.put("sum by (pod) (rate(vllm:generation_tokens_total{pod=~\"" + pods + "\"}[" + w + "s]))",
                    throughput);
        }
        prometheus.answer(answers);
    }

    private static FakePrometheus.Series series(Map<String, String> labels, double value) {
        return new FakePrometheus.Series(labels, value);
    }

    private static Pod pod(String name, String state) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .addToLabels("app", DEPLOYMENT).endMetadata();
        if (state.equals("draining")) {
            b.editMetadata().addToFinalizers("glia.dev/test-draining").endMetadata();
        }
        return b.withNewStatus().addNewCondition().withType("Ready")
                .withStatus(state.equals("starting") ? "False" : "True").endCondition().endStatus().build();
    }

    /** A clock the test moves to each recorded tick's time. */
    static final class MutableClock extends Clock {
        private volatile Instant now = Instant.EPOCH;

        void at(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
