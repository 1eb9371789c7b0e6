package dev.glia.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.catalog.PolicyCatalog;
import dev.glia.control.AutoscalingLoop;
import dev.glia.control.ObservedCluster;
import dev.glia.control.ScalingDecision;
import dev.glia.metrics.prometheus.PrometheusClient;
import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The must-show of issue 12's autoscaling, on a recorded metric series: {@code glia-sinusoid-autoscale} (two model
 * hours of ShareGPT load swinging 7.5 → 22.5 → 7.5 QPS) sent through a live router to emulated A10 engines at time
 * scale 4, a real Prometheus scraping them and the operator's autoscaling driver scaling the engines as it ran
 * ({@link AutoscalingRecorder}, {@code bench/record-autoscaling.sh}). Replayed tick by tick: the engine pods on fabric8's
 * mock API server as the API server listed them, the clock at the tick's instant, and a Prometheus that answers
 * exactly the queries the live driver sent, with the answers the real Prometheus gave, and refuses any other. The
 * driver sends the same queries and decides what the policy decides on them: {@code direct} scales the Deployment
 * (through its scale subresource) to that count at every tick, the count of the live run; {@code external} exports the
 * same counts as {@code glia_autoscaler_desired_replicas} on the operator's {@code /metrics}.
 */
@EnableKubernetesMockClient(crud = true)
class AutoscalingDriverTest {
    static KubernetesClient client;

    private static RecordedAutoscaling recorded;
    private static RecordedAutoscaling.Header header;

    private FakePrometheus prometheus;
    private final MutableClock clock = new MutableClock();
    private final Map<String, String> podStates = new HashMap<>();

    @BeforeAll
    static void read() {
        recorded = RecordedAutoscaling.read(AutoscalingDriverTest.class.getResourceAsStream(RecordedAutoscaling.RESOURCE));
        header = recorded.header();
    }

    @BeforeEach
    void start() throws Exception {
        MockCrds.install(client);
        client.apps().deployments().inNamespace(header.namespace()).resource(new DeploymentBuilder().withNewMetadata()
                .withName(header.deployment()).withNamespace(header.namespace()).endMetadata().withNewSpec()
                .withReplicas(header.initialReplicas()).withNewSelector().addToMatchLabels("app", header.deployment())
                .endSelector().withNewTemplate().withNewMetadata().addToLabels("app", header.deployment()).endMetadata()
                .withNewSpec().addNewContainer().withName("vllm").withImage("vllm/vllm-openai:v0.10.1").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        prometheus = FakePrometheus.start();
    }

    @AfterEach
    void stop() {
        prometheus.close();
        client.resources(GliaOptimization.class).inNamespace(header.namespace()).delete();
        client.apps().deployments().inNamespace(header.namespace()).delete();
        client.pods().inNamespace(header.namespace()).delete();
    }

    /** The optimisation of k8s-examples/optimization.yaml with the autoscaler on, set as the recorded run was. */
    private GliaOptimization optimisation(String name, GliaOptimizationSpec.Actuation actuation) throws Exception {
        GliaOptimization o = Examples.read(Examples.OPTIMIZATION, header.namespace(), name);
        o.getSpec().components.autoscaler = true;
        o.getSpec().target.prometheus.url = prometheus.url().toString();
        o.getSpec().target.engines.timeScale = header.timeScale();
        o.getSpec().autoscaling = new GliaOptimizationSpec.Autoscaling();
        o.getSpec().autoscaling.actuation = actuation;
        o.getSpec().autoscaling.minReplicas = header.minReplicas();
        o.getSpec().autoscaling.maxReplicas = header.maxReplicas();
        o.getSpec().autoscaling.interval = header.interval();
        return client.resource(o).create();
    }

    @Test
    void theRecordingIsAScaledSinusoidThroughTheRouter() {
        List<RecordedAutoscaling.Tick> ticks = recorded.ticks();
        assertThat(header.scenario()).isEqualTo("glia-sinusoid-autoscale");
        assertThat(ticks.size()).as("every 30 model seconds of two hours").isGreaterThan(200);
        double[] rates = ticks.stream().mapToDouble(t -> arrivalRate(t) / header.timeScale()).toArray();
        int n = rates.length;
        double first = mean(rates, 0, n / 10);
        double middle = mean(rates, n * 9 / 20, n * 11 / 20);
        double last = mean(rates, n - n / 10, n);
        System.out.printf(Locale.ROOT, "recorded arrivals: %.2f -> %.2f -> %.2f QPS (model time)%n", first, middle,
                last);
        assertThat(middle / first).as("the load swung up").isGreaterThan(2);
        assertThat(middle / last).as("and down again").isGreaterThan(2);
        int most = ticks.stream().mapToInt(RecordedAutoscaling.Tick::replicas).max().orElseThrow();
        int fewest = ticks.stream().mapToInt(RecordedAutoscaling.Tick::replicas).min().orElseThrow();
        assertThat(most).as("scaled up past the initial %d", header.initialReplicas())
                .isGreaterThan(header.initialReplicas());
        assertThat(fewest).as("and down below it").isLessThan(header.initialReplicas());
        assertThat(ticks).as("pods came up (starting) and went (draining)")
                .anyMatch(t -> t.pods().containsValue("starting")).anyMatch(t -> t.pods().containsValue("draining"));
    }

    @Test
    void directActuationScalesTheDeploymentTickByTickAsThePolicyDecidesOnTheRecordedSeries() throws Exception {
        optimisation("sinusoid-direct", GliaOptimizationSpec.Actuation.DIRECT);
        clock.at(header.started());
        AutoscalingDriver driver = new AutoscalingDriver(client, clock, AutoscalingDriver.Settings.DEFAULT,
                new CollectorRegistry());
        Reference reference = new Reference();
        int changes = 0;
        int previous = header.initialReplicas();
        for (RecordedAutoscaling.Tick t : recorded.ticks()) {
            replay(t);
            ScalingDecision decided = driver.tick(get("sinusoid-direct"));
            String at = "tick at " + t.at();
            assertThat(prometheus.unexpected()).as("queries the live driver did not send, %s", at).isEmpty();
            assertThat(prometheus.asked()).as("the live driver's queries, %s", at)
                    .containsExactlyElementsOf(t.answers().keySet());
            ScalingDecision expected = reference.step(t);
            assertThat(decided).as(at).isNotNull();
            assertThat(decided.answer()).as(at).isEqualTo(expected.answer()).isEqualTo(t.answer());
            assertThat(decided.desired()).as(at).isEqualTo(expected.desired()).isEqualTo(t.desired());
            assertThat(decided.actuation()).as(at).isEqualTo(expected.actuation());
            int replicas = client.apps().deployments().inNamespace(header.namespace()).withName(header.deployment())
                    .get().getSpec().getReplicas();
            assertThat(replicas).as("the Deployment's replicas, %s", at).isEqualTo(expected.desired())
                    .isEqualTo(t.replicas());
            GliaOptimization o = get("sinusoid-direct");
            assertThat(o.getStatus().autoscaling.desired).isEqualTo(expected.desired());
            assertThat(o.getStatus().autoscaling.reason).isEqualTo(expected.reason()).isEqualTo(t.reason());
            changes += replicas != previous ? 1 : 0;
            previous = replicas;
        }
        assertThat(changes).as("the Deployment was scaled up and down").isGreaterThanOrEqualTo(4);
        long scaled = client.v1().events().inNamespace(header.namespace()).list().getItems().stream()
                .filter(e -> e.getReason().equals("Scaled")
                        && e.getInvolvedObject().getName().equals("sinusoid-direct")).count();
        assertThat(scaled).as("an Event per change of the Deployment's replicas").isEqualTo(changes);
        GliaOptimization o = get("sinusoid-direct");
        assertThat(o.getStatus().autoscaling.policy).isEqualTo(header.policy());
        assertThat(o.getStatus().autoscaling.actuation).isEqualTo("direct");
        assertThat(o.getStatus().autoscaling.conditions).singleElement()
                .satisfies(c -> assertThat(c.getType()).isEqualTo("Autoscaling"));
        System.out.printf("direct: %d ticks, %d changes of the Deployment's replicas%n", recorded.ticks().size(),
                changes);
    }

    @Test
    void externalActuationExportsTheSameCountsAsGliaAutoscalerDesiredReplicas() throws Exception {
        optimisation("sinusoid-external", GliaOptimizationSpec.Actuation.EXTERNAL);
        CollectorRegistry registry = new CollectorRegistry();
        clock.at(header.started());
        AutoscalingDriver driver = new AutoscalingDriver(client, clock, AutoscalingDriver.Settings.DEFAULT, registry);
        HttpClient http = HttpClient.newHttpClient();
        try (MetricsEndpoint metrics = MetricsEndpoint.start(registry, "127.0.0.1", 0)) {
            URI scrape = URI.create("http://127.0.0.1:" + metrics.port() + "/metrics");
            Pattern gauge = Pattern.compile("(?m)^glia_autoscaler_desired_replicas\\{namespace=\"" + header.namespace()
                    + "\",optimization=\"sinusoid-external\",deployment=\"" + header.deployment() + "\",?} (\\S+)$");
            for (RecordedAutoscaling.Tick t : recorded.ticks()) {
                // the live run scaled the Deployment; here an HPA would: the pods are the recorded ones all the same
                replay(t);
                ScalingDecision decided = driver.tick(get("sinusoid-external"));
                assertThat(prometheus.unexpected()).isEmpty();
                String at = "tick at " + t.at();
                assertThat(decided.actuation()).as(at).isEqualTo(new ScalingDecision.Actuation.Publish(t.desired()));
                HttpResponse<String> body = http.send(HttpRequest.newBuilder(scrape).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(body.statusCode()).isEqualTo(200);
                assertThat(body.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
                Matcher m = gauge.matcher(body.body());
                assertThat(m.find()).as("%s in %s", at, body.body()).isTrue();
                assertThat(Double.parseDouble(m.group(1))).as("the exported count, %s", at).isEqualTo(t.desired());
                assertThat(get("sinusoid-external").getStatus().autoscaling.reason)
                        .isEqualTo("DesiredReplicasPublished");
            }
        }
        assertThat(client.apps().deployments().inNamespace(header.namespace()).withName(header.deployment()).get()
                .getSpec().getReplicas()).as("external actuation leaves the Deployment to the HPA")
                .isEqualTo(header.initialReplicas());
    }

    @Test
    void everyQueryTheLiveDriverSentIsInTheDocumentedQueryContract() throws Exception {
        String docs = Files.readString(Path.of("docs/adaptation.md"));
        java.util.Set<String> templates = new java.util.TreeSet<>();
        recorded.ticks().forEach(t -> t.answers().keySet().forEach(q -> templates.add(q
                .replaceAll("pod=~\"[^\"]*\"", "pod=~\"<pods>\"").replaceAll("\\[[0-9]+m?s]", "[<window>]"))));
        assertThat(templates).as("the contract's seven queries (and vLLM V0's KV gauge, asked only when a pod had no V1"
                + " series yet)").hasSizeBetween(7, 8)
                .allSatisfy(t -> assertThat(docs).as("docs/adaptation.md").contains("`" + t + "`"));
    }

    @Test
    void theTickPeriodAndRateWindowsAreTheIntervalInModelTimeOverTheEnginesTimeScale() {
        GliaOptimizationSpec spec = new GliaOptimizationSpec();
        spec.target = new GliaOptimizationSpec.Target();
        spec.target.engines = new GliaOptimizationSpec.EngineTarget();
        spec.target.engines.timeScale = 4.0;
        spec.autoscaling = new GliaOptimizationSpec.Autoscaling();
        spec.autoscaling.interval = "1m";
        AutoscalingDriver.Cadence c = AutoscalingDriver.Cadence.of(spec, AutoscalingDriver.Settings.DEFAULT);
        assertThat(c.seconds()).isEqualTo(60);
        assertThat(c.wall()).isEqualTo(Duration.ofSeconds(15));
        spec.target.engines.timeScale = null;
        spec.autoscaling.interval = null;
        c = AutoscalingDriver.Cadence.of(spec, AutoscalingDriver.Settings.DEFAULT);
        assertThat(c.wall()).as("vLLM, the operator's default interval").isEqualTo(Duration.ofSeconds(30));
    }

    /**
     * The policy alone, outside the driver: a fresh {@link AutoscalingLoop} of the recorded policy stepped on the view
     * the contract's queries give from the tick's answers.
     */
    private final class Reference {
        private final AutoscalingLoop loop = new AutoscalingLoop(PolicyCatalog.autoscaler(header.policy(), Map.of())
                .factory().get(), AutoscalingLoop.Actuation.DIRECT, header.deployment());
        private final ClusterObserver observer = new ClusterObserver(new PrometheusClient(
                prometheus.url(), Duration.ofSeconds(10)), header.timeScale());

        ScalingDecision step(RecordedAutoscaling.Tick t) {
            List<String> ready = new ArrayList<>();
            List<String> draining = new ArrayList<>();
            int starting = 0;
            for (Map.Entry<String, String> p : t.pods().entrySet()) {
                switch (p.getValue()) {
                    case "ready" -> ready.add(p.getKey());
                    case "draining" -> {
                        ready.add(p.getKey());
                        draining.add(p.getKey());
                    }
                    default -> starting++;
                }
            }
            double interval = OptimizationSpecs.duration(header.interval(), null).toNanos() / 1e9;
            double now = Duration.between(header.started(), t.at()).toNanos() / 1e9 * header.timeScale();
            ObservedCluster view = observer.observe(new ClusterObserver.Pods(ready, draining, starting), now, interval,
                    Duration.ofNanos(Math.round(interval * 1e9 / header.timeScale())), header.minReplicas(),
                    header.maxReplicas(), t.at());
            return loop.step(view, List.of());
        }
    }

    private GliaOptimization get(String name) {
        return client.resources(GliaOptimization.class).inNamespace(header.namespace()).withName(name).get();
    }

    private static double arrivalRate(RecordedAutoscaling.Tick t) {
        return t.answers().entrySet().stream().filter(e -> e.getKey().startsWith("sum(rate(glia_router_prompt_tokens"))
                .flatMap(e -> e.getValue().stream()).mapToDouble(s -> value(s.value())).findFirst().orElse(0);
    }

    private static double mean(double[] v, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += v[i];
        }
        return sum / (to - from);
    }

    /** Prometheus' number: a decimal, NaN or ±Inf. */
    private static double value(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    /**
     * The recorded tick as the world showed it: the engine pods on the API server (ready, starting not ready yet,
     * draining being deleted behind a finalizer), the clock at the tick's instant, and Prometheus answering the
     * recorded queries with the recorded answers.
     */
    private void replay(RecordedAutoscaling.Tick t) {
        clock.at(t.at());
        String ns = header.namespace();
        for (String name : List.copyOf(podStates.keySet())) {
            if (!t.pods().containsKey(name) || !t.pods().get(name).equals(podStates.get(name))) {
                if (podStates.get(name).equals("draining")) {
                    client.pods().inNamespace(ns).withName(name).edit(p -> {
                        p.getMetadata().setFinalizers(List.of());
                        return p;
                    });
                }
                client.pods().inNamespace(ns).withName(name).delete();
                podStates.remove(name);
            }
        }
        t.pods().forEach((name, state) -> {
            if (!state.equals(podStates.get(name))) {
                client.pods().inNamespace(ns).resource(pod(name, state)).create();
                if (state.equals("draining")) {
                    // as the API server does: a pod with a finalizer, deleted, stays with its deletionTimestamp
                    client.pods().inNamespace(ns).withName(name).delete();
                }
                podStates.put(name, state);
            }
        });
        Map<String, List<FakePrometheus.Series>> answers = new HashMap<>();
        t.answers().forEach((query, series) -> answers.put(query, series.stream()
                .map(s -> new FakePrometheus.Series(s.labels(), value(s.value()))).toList()));
        prometheus.answer(answers);
        prometheus.clear();
    }

    private static Pod pod(String name, String state) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace(header.namespace())
                .addToLabels("app", header.deployment()).endMetadata();
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
