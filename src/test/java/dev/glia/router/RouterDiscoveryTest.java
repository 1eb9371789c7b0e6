package dev.glia.router;

import dev.glia.catalog.PolicyDocument;
import dev.glia.engine.EngineFleet;
import dev.glia.engine.EngineModelBackends;
import dev.glia.engine.EngineOptions;
import dev.glia.engine.WallClockEngine;
import dev.glia.router.discovery.EngineDiscovery;
import dev.glia.router.discovery.EnginePort;
import dev.glia.router.discovery.KubernetesDiscovery;
import dev.glia.router.discovery.PodEndpoints;
import dev.glia.router.discovery.Selector;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * With Kubernetes discovery the router serves the ready pods of its selector: a pod that turns unready drains (its
 * requests in flight complete, nothing new goes to it) and one that turns ready joins, all without a restart.
 */
@EnableKubernetesMockClient(crud = true)
class RouterDiscoveryTest {
    static KubernetesClient client;

    @Test
    void anEngineThatTurnsUnreadyDrainsAndOneThatTurnsReadyJoins() throws Exception {
        ConcurrentLinkedQueue<WallClockEngine.FinishedRequest> finished = new ConcurrentLinkedQueue<>();
        try (EngineFleet fleet = EngineFleet.start(EngineOptions.builder().host("127.0.0.1").port(0)
                .model(RouterRig.MODEL).gpu("a10").numGpuBlocksOverride(2240).maxModelLen(8192).timeScale(20)
                .replicas(2).build(), new EngineModelBackends(finished::add))) {
            for (int i = 0; i < 2; i++) { // both pods on loopback, each engine behind its own named port
                client.pods().inNamespace("serving").resource(pod("engine-" + i, fleet.servers().get(i).port(), i == 0))
                        .create();
            }
            RouterOptions options = new RouterOptions("127.0.0.1", 0, List.of(), 0.05, 1000, 60, false,
                    EngineDiscovery.Kind.KUBERNETES, "serving", Selector.parse("app=vllm"), new EnginePort.Named("http"),
                    "127.0.0.1", -1, null, 1, RouterOptions.DEFAULT_MAX_QUEUE_TOKENS, 0);
            KubernetesDiscovery discovery = new KubernetesDiscovery(client,
                    new PodEndpoints(options.namespace(), options.selector(), options.enginePort()));
            try (RouterServer router = RouterServer.start(options, LoadedPolicy.load(PolicyDocument.router("llq",
                    Map.of())), discovery)) {
                String url = "http://127.0.0.1:" + router.port() + "/v1/completions";
                assertThat(served(url, 6, finished)).containsOnly(0);

                setReady("engine-1", true);
                awaitServedBy(url, finished, 1);

                List<CompletableFuture<HttpResponse<String>>> long1 = send(url, 6, LONG); // LLQ puts 3 on engine 1
                RouterRig.sleep(200);
                setReady("engine-1", false);
                RouterRig.sleep(300);
                assertThat(served(url, 6, finished)).as("nothing new goes to a draining engine").containsOnly(0);
                for (CompletableFuture<HttpResponse<String>> r : long1) {
                    assertThat(r.get(60, TimeUnit.SECONDS).body()).endsWith("data: [DONE]\n\n")
                            .doesNotContain("\"error\"");
                }
                assertThat(finished.stream().filter(f -> f.times().generatedTokens() == LONG)
                        .map(WallClockEngine.FinishedRequest::engine)).as("the draining engine finished its requests")
                        .contains(1);
                assertThat(router.requests("upstream_failed")).isZero();
            }
        }
    }

    /** Output tokens of a request still running when its engine starts draining (seconds at time scale 20). */
    static final int LONG = 2000;

    private static PodBuilder podBuilder(String name, int port, boolean ready) {
        return new PodBuilder()
                .withNewMetadata().withNamespace("serving").withName(name).withLabels(Map.of("app", "vllm")).endMetadata()
                .withNewSpec().addNewContainer().withName("vllm").withImage("vllm/vllm-openai")
                .withPorts(new ContainerPortBuilder().withName("http").withContainerPort(port).build())
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1")
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False").build())
                .endStatus();
    }

    private static io.fabric8.kubernetes.api.model.Pod pod(String name, int port, boolean ready) {
        return podBuilder(name, port, ready).build();
    }

    private static void setReady(String name, boolean ready) {
        client.pods().inNamespace("serving").withName(name).edit(p -> new PodBuilder(p).editStatus()
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False").build())
                .endStatus().build());
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static List<CompletableFuture<HttpResponse<String>>> send(String url, int n, int maxTokens) {
        List<CompletableFuture<HttpResponse<String>>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(HTTP.sendAsync(RouterRig.post(url, RouterRig.completion(maxTokens, true)),
                    HttpResponse.BodyHandlers.ofString()));
        }
        return out;
    }

    /** Sends {@code n} short requests, awaits them, and returns the engines that finished them. */
    private static List<Integer> served(String url, int n, ConcurrentLinkedQueue<WallClockEngine.FinishedRequest> log)
            throws Exception {
        log.removeIf(f -> f.times().generatedTokens() == SHORT);
        for (CompletableFuture<HttpResponse<String>> r : send(url, n, SHORT)) {
            assertThat(r.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        return log.stream().filter(f -> f.times().generatedTokens() == SHORT).map(WallClockEngine.FinishedRequest::engine)
                .toList();
    }

    static final int SHORT = 8;

    private static void awaitServedBy(String url, ConcurrentLinkedQueue<WallClockEngine.FinishedRequest> log,
            int engine) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!served(url, 4, log).contains(engine)) {
            assertThat(System.nanoTime()).as("engine " + engine + " never received a request").isLessThan(deadline);
            RouterRig.sleep(50);
        }
    }
}
