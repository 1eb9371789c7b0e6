package dev.glia.router.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Pod discovery against fabric8's API server mock in CRUD mode: what is published as pods are created, become ready
 * or unready, change IP, start terminating and are deleted.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesDiscoveryTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    static KubernetesClient client;

    /** Every set a discovery published, in order. */
    private static final class Recorder {
        final List<List<Endpoint>> sets = new CopyOnWriteArrayList<>();

        void accept(List<Endpoint> set) {
            sets.add(set);
        }

        /** Waits (up to 10 s) until the last published set is exactly these endpoints. */
        void awaitLast(Endpoint... expected) {
            List<Endpoint> want = Arrays.asList(expected);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                if (!sets.isEmpty() && sets.get(sets.size() - 1).equals(want)) {
                    return;
                }
                Thread.onSpinWait();
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
            assertThat(sets).as("published sets").isNotEmpty().last().isEqualTo(want);
        }
    }

    private static KubernetesDiscovery discovery(String namespace) {
        return new KubernetesDiscovery(client, new PodEndpoints(namespace, Selector.parse("app=vllm"),
                new EnginePort.Number(8000)));
    }

    private static Endpoint at(String namespace, String name, String ip) {
        return new Endpoint(namespace + "/" + name, URI.create("http://" + ip + ":8000"));
    }

    private static Pod create(Pod pod) {
        return client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
    }

    private static void edit(String namespace, String name, UnaryOperator<PodBuilder> change) {
        client.pods().inNamespace(namespace).withName(name).edit(p -> change.apply(new PodBuilder(p)).build());
    }

    private static PodBuilder ready(PodBuilder p, boolean ready) {
        return p.editStatus().withConditions(new PodConditionBuilder().withType("Ready")
                .withStatus(ready ? "True" : "False").build()).endStatus();
    }

    @Test
    void publishesTheReadyMatchingPodsThenEachChange() throws Exception {
        String ns = "serving";
        create(Pods.ready(ns, "a", "10.0.0.1"));
        create(Pods.engine(ns, "b", Map.of("app", "vllm"), "10.0.0.2", false).build());
        create(Pods.engine(ns, "other-app", Map.of("app", "sglang"), "10.0.0.3", true).build());
        create(Pods.ready("elsewhere", "a", "10.0.0.4"));
        Recorder published = new Recorder();

        try (KubernetesDiscovery discovery = discovery(ns)) {
            discovery.start(published::accept).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(published.sets).first().isEqualTo(List.of(at(ns, "a", "10.0.0.1")));

            edit(ns, "b", p -> ready(p, true));
            published.awaitLast(at(ns, "a", "10.0.0.1"), at(ns, "b", "10.0.0.2"));

            edit(ns, "a", p -> ready(p, false));
            published.awaitLast(at(ns, "b", "10.0.0.2"));

            edit(ns, "b", p -> p.editStatus().withPodIP("10.0.0.22").endStatus());
            published.awaitLast(at(ns, "b", "10.0.0.22"));

            client.pods().inNamespace(ns).withName("b").delete();
            published.awaitLast();

            edit("elsewhere", "a", p -> p.editStatus().withPodIP("10.0.0.44").endStatus()); // not watched
            create(Pods.ready(ns, "c", "10.0.0.5"));
            published.awaitLast(at(ns, "c", "10.0.0.5"));
        }
        for (int i = 1; i < published.sets.size(); i++) {
            assertThat(published.sets.get(i)).as("set %d differs from the one before", i)
                    .isNotEqualTo(published.sets.get(i - 1));
        }
        assertThat(published.sets).noneMatch(set -> set.stream().anyMatch(e -> e.id().startsWith("elsewhere/")
                || e.id().endsWith("/other-app")));
    }

    @Test
    void anEmptyNamespaceIsPublishedAsAnEmptySet() throws Exception {
        Recorder published = new Recorder();

        try (KubernetesDiscovery discovery = discovery("nothing-here")) {
            discovery.start(published::accept).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        assertThat(published.sets).containsExactly(List.of());
    }

    @Test
    void aPodThatStartsTerminatingLeavesTheSetBeforeItIsGone() throws Exception {
        String ns = "draining";
        create(new PodBuilder(Pods.ready(ns, "a", "10.0.1.1")).editMetadata()
                .withFinalizers("glia.dev/test-hold").endMetadata().build());
        create(Pods.ready(ns, "b", "10.0.1.2"));
        Recorder published = new Recorder();

        try (KubernetesDiscovery discovery = discovery(ns)) {
            discovery.start(published::accept).toCompletableFuture().get(10, TimeUnit.SECONDS);
            published.awaitLast(at(ns, "a", "10.0.1.1"), at(ns, "b", "10.0.1.2"));

            client.pods().inNamespace(ns).withName("a").delete(); // held by its finalizer: terminating, still Ready
            published.awaitLast(at(ns, "b", "10.0.1.2"));
            assertThat(client.pods().inNamespace(ns).withName("a").get().getMetadata().getDeletionTimestamp())
                    .isNotNull();
        }
    }

    @Test
    void noEventReachesTheListenerAfterClose() throws Exception {
        String ns = "closing";
        Recorder published = new Recorder();
        KubernetesDiscovery discovery = discovery(ns);
        discovery.start(published::accept).toCompletableFuture().get(10, TimeUnit.SECONDS);
        discovery.close();

        create(Pods.ready(ns, "late", "10.0.2.1"));
        // the informer is closed: a watcher of our own sees the pod, so the event was there to be missed
        assertThat(client.pods().inNamespace(ns).withName("late")
                .waitUntilCondition(p -> p != null, 10, TimeUnit.SECONDS)).isNotNull();

        assertThat(published.sets).containsExactly(List.of());
    }

    @Test
    void anApiServerThatCannotBeReachedFailsStartSayingWhatToCheck() {
        try (KubernetesClient unreachable = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:1").withRequestRetryBackoffLimit(0).build()).build();
                KubernetesDiscovery discovery = new KubernetesDiscovery(unreachable, new PodEndpoints("serving",
                        Selector.parse("app=vllm"), new EnginePort.Number(8000)))) {
            assertThatThrownBy(() -> discovery.start(set -> { }).toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .cause().hasMessageStartingWith("cannot list pods matching app=vllm in namespace serving (does"
                            + " the router's service account have get, list and watch on pods there?)");
        }
    }
}
