package dev.glia.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.engine.EngineFleet;
import dev.glia.engine.EngineModelBackends;
import dev.glia.engine.EngineOptions;
import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.router.discovery.Endpoint;
import dev.glia.router.discovery.EngineDiscovery;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Discovery during a canary with a control pool, as during any canary: an engine that leaves discovery drains out of
 * the pool that holds it (here the control's, whose share then goes to the stable pool), and one that comes joins the
 * stable pool; rollback returns every engine to the stable pool.
 */
class RouterCanaryDiscoveryTest {

    /** Publishes the sets the test gives it. */
    private static final class Published implements EngineDiscovery {
        private volatile Consumer<List<Endpoint>> listener;

        @Override
        public CompletionStage<Void> start(Consumer<List<Endpoint>> onChange) {
            listener = onChange;
            return CompletableFuture.completedFuture(null);
        }

        void publish(List<Endpoint> set) {
            listener.accept(set);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void theControlsEngineLeavingDiscoveryDrainsOutAndANewEngineJoinsTheStablePool() throws Exception {
        EngineFleet fleet = EngineFleet.start(EngineOptions.builder().host("127.0.0.1").port(0).model(RouterRig.MODEL)
                .gpu("a10").maxModelLen(8192).timeScale(20).replicas(4).build(), new EngineModelBackends(r -> { }));
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            endpoints.add(new Endpoint("engine-" + i, URI.create("http://127.0.0.1:" + fleet.servers().get(i).port())));
        }
        Published discovery = new Published();
        // the options' engines stand unused: the engines are what the test's discovery publishes
        List<URI> urls = endpoints.stream().map(Endpoint::url).toList();
        RouterServer router = RouterServer.start(new RouterOptions("127.0.0.1", 0, urls, 0.05, 1000, 60, false)
                .withAdmin("127.0.0.1", 0, null, 1), LoadedPolicy.of("custom", BuiltinRouters.create("llq")),
                discovery);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            discovery.publish(endpoints);
            RouterRig.awaitReady(client, router.port());
            String canary = admin(client, router, "PUT", "/admin/canary",
                    "{policy: {router: {name: round-robin}}, engines: 1, share: 0.25, control: true}");
            assertThat(RouterHotSwapTest.engines(canary, "canary")).containsExactly(3);
            assertThat(RouterHotSwapTest.engines(canary, "control")).containsExactly(2);

            discovery.publish(List.of(endpoints.get(0), endpoints.get(1), endpoints.get(3)));
            await(() -> RouterHotSwapTest.engines(admin(client, router, "GET", "/admin/policy", null), "control")
                    .isEmpty(), "the control's engine to drain out");
            for (int i = 0; i < 8; i++) { // the control's arrivals among them go to the stable pool
                HttpResponse<String> r = client.send(RouterRig.post("http://127.0.0.1:" + router.port()
                        + "/v1/completions", RouterRig.completion(5, false)), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }

            discovery.publish(endpoints);
            await(() -> RouterHotSwapTest.engines(admin(client, router, "GET", "/admin/policy", null), "stable")
                    .contains(4), "the engine listed again to join the stable pool as a new engine");
            String state = admin(client, router, "POST", "/admin/canary/rollback", null);
            assertThat(RouterHotSwapTest.engines(state, "stable")).containsExactly(0, 1, 3, 4);
            assertThat(state).doesNotContain("\"control\"", "\"canary\"");
        } finally {
            router.close();
            fleet.close();
        }
    }

    private static String admin(HttpClient client, RouterServer router, String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.adminPort() + path))
                .timeout(Duration.ofSeconds(30)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return r.body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(java.util.function.BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            RouterRig.sleep(20);
        }
    }
}
