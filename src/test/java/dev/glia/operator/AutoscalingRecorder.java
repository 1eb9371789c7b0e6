package dev.glia.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.glia.control.ScalingDecision;
import dev.glia.engine.EngineModelBackends;
import dev.glia.engine.EngineOptions;
import dev.glia.engine.EngineServer;
import dev.glia.load.Endpoint;
import dev.glia.load.LoadGenerator;
import dev.glia.load.LoadOptions;
import dev.glia.load.RequestPlan;
import dev.glia.metrics.RealPrometheus;
import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.router.LoadedPolicy;
import dev.glia.router.RouterOptions;
import dev.glia.router.RouterServer;
import dev.glia.router.discovery.EngineDiscovery;
import dev.glia.router.discovery.EnginePort;
import dev.glia.router.discovery.KubernetesDiscovery;
import dev.glia.router.discovery.PodEndpoints;
import dev.glia.router.discovery.Selector;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.prometheus.client.CollectorRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records the metric series {@link AutoscalingDriverTest} replays: {@code glia-sinusoid-autoscale} (7.5 → 22.5 → 7.5
 * QPS over two model hours) sent by the load generator through a live router to emulated A10 engines at time scale
 * {@value #TIME_SCALE}, a real Prometheus scraping the router and each engine pod, and the operator's autoscaling
 * driver closing the loop: it ticks every 30 model seconds against that Prometheus (through a proxy that records each
 * query and answer), scales the engines' Deployment on fabric8's mock API server, and a kubelet played here turns the
 * Deployment's replicas into engine pods (a cold start of 60 model seconds, then an engine that the router discovers
 * from the pod, as in a cluster; a scaled-down pod drains, deleted with a finalizer, until its engine is idle).
 *
 * <p>Not part of the suite (the name does not end in Test): about {@code 7200 / TIME_SCALE} seconds of wall clock.
 * Run it with {@code bench/record-autoscaling.sh}; it writes {@code -Dglia.record.out} (default
 * {@code target/glia-sinusoid-autoscale.recorded.jsonl.gz}).
 */
class AutoscalingRecorder {
    static final double TIME_SCALE = 4;
    private static final String NS = "serving";
    private static final String DEPLOYMENT = "vllm-llama-3-8b";
    private static final int INITIAL = 6;
    private static final double COLD_START = 60;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void recordTheSinusoidThroughTheRouter() throws Exception {
        Path out = Path.of(System.getProperty("glia.record.out", "target/glia-sinusoid-autoscale.recorded.jsonl.gz"));
        double seconds = Double.parseDouble(System.getProperty("glia.record.seconds", "7200"));
        RealPrometheus.assumeAvailable();
        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        api.init();
        Vertx engineLoop = Vertx.vertx();
        try (KubernetesClient client = api.createClient()) {
            MockCrds.install(client);
            client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder().withNewMetadata()
                    .withName(DEPLOYMENT).withNamespace(NS).endMetadata().withNewSpec().withReplicas(INITIAL)
                    .withNewSelector().addToMatchLabels("app", DEPLOYMENT).endSelector().withNewTemplate()
                    .withNewMetadata().addToLabels("app", DEPLOYMENT).endMetadata().withNewSpec().addNewContainer()
                    .withName("vllm").withImage("vllm/vllm-openai:v0.10.1").endContainer().endSpec().endTemplate()
                    .endSpec().build()).create();
            Path targets = tmp.resolve("engines.json");
            Kubelet kubelet = new Kubelet(client, engineLoop, targets);
            kubelet.startReady(INITIAL);
            Selector selector = Selector.parse("app=" + DEPLOYMENT);
            EnginePort port = new EnginePort.Named("http");
            RouterServer router = RouterServer.start(new RouterOptions("127.0.0.1", 0, List.of(), 0.05, 100_000, 3600,
                    false, EngineDiscovery.Kind.KUBERNETES, NS, selector, port, "127.0.0.1", -1, null, 1,
                    RouterOptions.DEFAULT_MAX_QUEUE_TOKENS * 10, 0), LoadedPolicy.of("llq",
                    BuiltinRouters.create("llq")), new KubernetesDiscovery(client, new PodEndpoints(NS, selector,
                    port)));
            try (RealPrometheus prometheus = RealPrometheus.start(tmp, List.of(new RealPrometheus.Target("glia-router",
                    "127.0.0.1:" + router.port())), "vllm", targets);
                    RecordingProxy proxy = RecordingProxy.start(prometheus.url())) {
                prometheus.awaitTargetsUp(1 + INITIAL, Duration.ofSeconds(30));
                GliaOptimization o = Examples.read(Examples.OPTIMIZATION, NS, "sinusoid");
                o.getSpec().components.autoscaler = true;
                o.getSpec().target.prometheus.url = proxy.url().toString();
                o.getSpec().target.engines.timeScale = TIME_SCALE;
                o.getSpec().autoscaling = new GliaOptimizationSpec.Autoscaling();
                o.getSpec().autoscaling.actuation = GliaOptimizationSpec.Actuation.DIRECT;
                o.getSpec().autoscaling.minReplicas = 2;
                o.getSpec().autoscaling.maxReplicas = 16;
                o.getSpec().autoscaling.interval = "30s";
                client.resource(o).create();

                Scenario scenario = ScenarioLoader.load("glia-sinusoid-autoscale");
                RequestPlan plan = RequestPlan.of(scenario, scenario.seed(), Integer.MAX_VALUE);
                LoadGenerator load = new LoadGenerator(new LoadOptions(URI.create("http://127.0.0.1:"
                        + router.port()), null, Endpoint.COMPLETIONS, TIME_SCALE, 4096, 0, 3600));
                Thread sender = new Thread(() -> load.run(plan, "llama-3-8b"), "load");
                sender.setDaemon(true);
                sender.start();
                // the driver's clock, set at each tick and recorded, so that a replay gives it the same instants
                AutoscalingDriverTest.MutableClock clock = new AutoscalingDriverTest.MutableClock();
                Instant started = Instant.now();
                clock.at(started);
                AutoscalingDriver driver = new AutoscalingDriver(client, clock, AutoscalingDriver.Settings.DEFAULT,
                        new CollectorRegistry());
                Duration period = Duration.ofNanos(Math.round(30e9 / TIME_SCALE));
                RecordedAutoscaling.Header header = new RecordedAutoscaling.Header("glia-sinusoid-autoscale",
                        AutoscalingDriver.DEFAULT_POLICY, TIME_SCALE, "30s", NS, DEPLOYMENT, INITIAL, 2, 16, started,
                        String.format(Locale.ROOT, "%s, %d cores, %s; recorded %s", System.getProperty("os.name"),
                                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                                started));
                Files.createDirectories(out.toAbsolutePath().getParent());
                int ticks = 0;
                try (OutputStream file = Files.newOutputStream(out); Writer w = RecordedAutoscaling.open(file, header)) {
                    Instant next = started.plus(period);
                    while (Duration.between(started, Instant.now()).toNanos() / 1e9 * TIME_SCALE < seconds) {
                        kubelet.reconcile();
                        if (Instant.now().isBefore(next)) {
                            Thread.sleep(50);
                            continue;
                        }
                        next = next.plus(period);
                        Map<String, String> pods = kubelet.podStates();
                        Instant at = Instant.now();
                        clock.at(at);
                        proxy.begin();
                        ScalingDecision d = driver.tick(client.resources(GliaOptimization.class).inNamespace(NS)
                                .withName("sinusoid").get());
                        Map<String, JsonNode> answers = proxy.end();
                        assertThat(d).as("a decision at tick %d; the status says why not", ticks).isNotNull();
                        int replicas = client.apps().deployments().inNamespace(NS).withName(DEPLOYMENT).get()
                                .getSpec().getReplicas();
                        RecordedAutoscaling.write(w, new RecordedAutoscaling.Tick(at, pods, Map.of(), d.answer(),
                                d.desired(), d.reason(), replicas), answers);
                        ticks++;
                        System.out.printf(Locale.ROOT, "t=%6.0f model s: %2d pods (%s), %s -> %d (%s); sent %d,"
                                        + " completed %d, in flight %d%n",
                                Duration.between(started, Instant.now()).toNanos() / 1e9 * TIME_SCALE,
                                pods.size(), summary(pods), d.answer(), d.desired(), d.reason(), load.sent(),
                                load.completed(), load.inFlight());
                    }
                } finally {
                    load.close();
                    sender.interrupt();
                }
                System.out.printf("recorded %d ticks into %s%n", ticks, out);
            } finally {
                router.close();
                kubelet.close();
            }
        } finally {
            engineLoop.close();
            api.destroy();
        }
    }

    private static String summary(Map<String, String> pods) {
        Map<String, Integer> counts = new TreeMap<>();
        pods.values().forEach(s -> counts.merge(s, 1, Integer::sum));
        return counts.toString();
    }

    /**
     * The kubelet and ReplicaSet of the engines' Deployment: keeps {@code spec.replicas} pods not being deleted;
     * a new pod is Pending and not ready for the cold start, then runs an emulated engine on a free port (its
     * container port {@code http}) and turns Ready; a pod scaled away (a starting one first, else the newest) is
     * deleted with a finalizer that is removed once its engine is idle. Prometheus finds the engines through the
     * file-based discovery file, each labelled with its pod.
     */
    private static final class Kubelet implements AutoCloseable {
        private final KubernetesClient client;
        private final Vertx vertx;
        private final Path targets;
        private final EngineModelBackends backends = new EngineModelBackends(f -> { });
        private final EngineOptions options = EngineOptions.builder().host("127.0.0.1").port(0).model("llama-3-8b")
                .gpu("a10").numGpuBlocksOverride(2240).maxModelLen(8192).maxNumSeqs(128).maxNumBatchedTokens(8192)
                .timeScale(TIME_SCALE).replicas(1).build();
        private final Map<String, EngineServer> engines = new TreeMap<>();
        private final Map<String, Instant> startingSince = new TreeMap<>();
        private int created;

        Kubelet(KubernetesClient client, Vertx vertx, Path targets) {
            this.client = client;
            this.vertx = vertx;
            this.targets = targets;
        }

        void startReady(int n) {
            for (int i = 0; i < n; i++) {
                String name = create();
                ready(name);
            }
            publishTargets();
        }

        private String create() {
            String name = String.format("%s-%05d", DEPLOYMENT, created++);
            client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                    .addToLabels("app", DEPLOYMENT).endMetadata().withNewSpec().addNewContainer().withName("vllm")
                    .endContainer().endSpec().withNewStatus().withPhase("Pending").addNewCondition().withType("Ready")
                    .withStatus("False").endCondition().endStatus().build()).create();
            startingSince.put(name, Instant.now());
            return name;
        }

        private void ready(String name) {
            EngineServer engine = EngineServer.start(vertx, backends.create(options, created), options, 0);
            engines.put(name, engine);
            startingSince.remove(name);
            client.pods().inNamespace(NS).withName(name).edit(p -> new PodBuilder(p).editSpec().editFirstContainer()
                    .addNewPort().withName("http").withContainerPort(engine.port()).endPort().endContainer().endSpec()
                    .editStatus().withPhase("Running").withPodIP("127.0.0.1").editFirstCondition().withStatus("True")
                    .endCondition().endStatus().build());
        }

        /** One pass: start, ready, scale down and finalize pods as the Deployment asks. */
        void reconcile() {
            int desired = client.apps().deployments().inNamespace(NS).withName(DEPLOYMENT).get().getSpec()
                    .getReplicas();
            List<Pod> pods = client.pods().inNamespace(NS).list().getItems();
            List<String> live = pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .map(p -> p.getMetadata().getName()).sorted().toList();
            boolean changed = false;
            for (int i = live.size(); i < desired; i++) {
                create();
            }
            // as a ReplicaSet chooses: pods not ready yet first, then the newest
            List<String> victims = new java.util.ArrayList<>(live.stream().filter(startingSince::containsKey)
                    .sorted(java.util.Comparator.reverseOrder()).toList());
            live.stream().filter(n -> !startingSince.containsKey(n)).sorted(java.util.Comparator.reverseOrder())
                    .forEach(victims::add);
            for (String victim : victims.subList(0, Math.max(0, live.size() - desired))) {
                if (startingSince.remove(victim) != null) {
                    client.pods().inNamespace(NS).withName(victim).delete();
                } else {
                    client.pods().inNamespace(NS).withName(victim).edit(p -> new PodBuilder(p).editMetadata()
                            .addToFinalizers("glia.dev/drain").endMetadata().build());
                    client.pods().inNamespace(NS).withName(victim).delete();
                }
            }
            Instant now = Instant.now();
            for (Map.Entry<String, Instant> e : List.copyOf(startingSince.entrySet())) {
                if (Duration.between(e.getValue(), now).toNanos() / 1e9 * TIME_SCALE >= COLD_START) {
                    ready(e.getKey());
                    changed = true;
                }
            }
            for (Pod p : client.pods().inNamespace(NS).list().getItems()) {
                String name = p.getMetadata().getName();
                EngineServer engine = engines.get(name);
                if (p.getMetadata().getDeletionTimestamp() != null && engine != null) {
                    var stats = engine.backend().stats();
                    if (stats.waiting() + stats.running() == 0) {
                        client.pods().inNamespace(NS).withName(name).edit(q -> new PodBuilder(q).editMetadata()
                                .withFinalizers(List.of()).endMetadata().build());
                        stop(engines.remove(name));
                        changed = true;
                    }
                }
            }
            if (changed) {
                publishTargets();
            }
        }

        /** The pods by name as the autoscaler counts them. */
        Map<String, String> podStates() {
            Map<String, String> states = new TreeMap<>();
            for (Pod p : client.pods().inNamespace(NS).list().getItems()) {
                String name = p.getMetadata().getName();
                states.put(name, p.getMetadata().getDeletionTimestamp() != null ? "draining"
                        : engines.containsKey(name) ? "ready" : "starting");
            }
            return states;
        }

        private void publishTargets() {
            Map<String, Map<String, String>> t = new LinkedHashMap<>();
            engines.forEach((name, e) -> t.put("127.0.0.1:" + e.port(), Map.of("pod", name, "namespace", NS)));
            RealPrometheus.writeFileTargets(targets, t);
        }

        private static void stop(EngineServer engine) {
            engine.close();
            if (engine.backend() instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        @Override
        public void close() {
            engines.values().forEach(Kubelet::stop);
        }
    }

    /**
     * Prometheus' instant-query endpoint, forwarded to the real server and recorded: each query of the current tick
     * with the {@code data.result} it got.
     */
    private static final class RecordingProxy implements AutoCloseable {
        private final HttpServer server;
        private final URI upstream;
        private final HttpClient http = HttpClient.newHttpClient();
        private final Map<String, JsonNode> answers = new LinkedHashMap<>();

        private RecordingProxy(HttpServer server, URI upstream) {
            this.server = server;
            this.upstream = upstream;
        }

        static RecordingProxy start(URI upstream) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            RecordingProxy p = new RecordingProxy(server, upstream);
            server.createContext("/", p::handle);
            server.start();
            return p;
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        synchronized void begin() {
            answers.clear();
        }

        synchronized Map<String, JsonNode> end() {
            return new LinkedHashMap<>(answers);
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                String form = exchange.getRequestMethod().equals("POST")
                        ? new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                        : exchange.getRequestURI().getRawQuery();
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(upstream.resolve(
                        exchange.getRequestURI().getPath())).header("Content-Type",
                        "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form == null
                        ? "" : form)).build(), HttpResponse.BodyHandlers.ofByteArray());
                String query = null;
                for (String pair : form == null ? new String[0] : form.split("&")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals("query")) {
                        query = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    }
                }
                if (r.statusCode() == 200 && query != null) {
                    JsonNode body = JSON.readTree(r.body());
                    synchronized (this) {
                        answers.put(query, body.path("data").path("result"));
                    }
                }
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(r.statusCode(), r.body().length);
                exchange.getResponseBody().write(r.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(503, -1);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
