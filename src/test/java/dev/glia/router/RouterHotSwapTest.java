package dev.glia.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.policy.builtin.BuiltinRouters;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policies change under load without a restart: through the admin API and through the watched policy file. Every
 * queued and in-flight request completes, and a policy that fails is contained by the last good one.
 */
class RouterHotSwapTest {
    /** A least-outstanding router from Java source that throws on its 100th call. */
    static final String THROWS_ON_ITS_100TH_CALL = """
            router:
              source: |
                import dev.glia.policy.ClusterView;
                import dev.glia.policy.Dispatch;
                import dev.glia.policy.ReplicaView;
                import dev.glia.policy.RequestView;
                import dev.glia.policy.Router;
                import java.util.List;

                public class HundredthCall implements Router {
                    private int calls;

                    @Override
                    public void route(ClusterView cluster, Dispatch dispatch) {
                        if (++calls == 100) {
                            throw new IllegalStateException("the 100th call");
                        }
                        List<? extends ReplicaView> replicas = cluster.replicas();
                        int[] load = new int[replicas.size()];
                        for (int i = 0; i < load.length; i++) {
                            load[i] = replicas.get(i).outstanding();
                        }
                        for (RequestView request : cluster.queue()) {
                            int best = -1;
                            for (int i = 0; i < load.length; i++) {
                                if (replicas.get(i).accepting() && (best < 0 || load[i] < load[best])) {
                                    best = i;
                                }
                            }
                            if (best < 0) {
                                return;
                            }
                            dispatch.send(request, replicas.get(best));
                            load[best]++;
                        }
                    }
                }
            """;

    @Test
    void llqThenHraSpfThenAPolicyThatThrowsOnItsHundredthCallUnderLoadFailsNoRequest() throws Exception {
        try (RouterRig rig = RouterRig.start(3, 20, BuiltinRouters.create("llq"), o -> { });
             Load load = new Load(rig, 40)) {
            RouterRig.sleep(500);
            HttpResponse<String> hra = rig.admin("PUT", "/admin/policy", "router: {name: hra-spf}");
            assertThat(hra.statusCode()).as(hra.body()).isEqualTo(200);
            assertThat(hra.body()).contains("\"name\" : \"hra-spf\"", "\"shortestPromptFirst\" : 1.0");
            RouterRig.sleep(500);

            HttpResponse<String> thrower = rig.admin("PUT", "/admin/policy", THROWS_ON_ITS_100TH_CALL);
            assertThat(thrower.statusCode()).as(thrower.body()).isEqualTo(200);
            await(() -> rig.metric("glia_router_policy_failures_total"), 1);
            RouterRig.sleep(300);
            load.stopAndAwaitEveryResponse();

            assertThat(rig.metric("glia_router_policy_failures_total")).isEqualTo(1);
            assertThat(rig.get(rig.url("/metrics")).body())
                    .contains("glia_router_policy_failures_total{pool=\"stable\",policy=\"")
                    .contains("fallback=\"last_good_router\",} 1.0")
                    .contains("glia_router_policy_changes_total{source=\"admin\",result=\"installed\",} 2.0")
                    .containsPattern("glia_router_policy_info\\{pool=\"stable\",policy=\"\\w{12}\",name=\"hra-spf\",} 1.0");
            assertThat(rig.admin("GET", "/admin/policy", null).body()).contains("\"name\" : \"hra-spf\"");
            assertThat(rig.router.requests("completed")).isEqualTo(load.sent());
            assertThat(decisionsByPolicy(rig)).as("llq, hra-spf and the thrower each sent requests").hasSize(3);
        }
    }

    @Test
    void aPolicyThatDoesNotCompileIsRefusedAndChangesNothing() {
        try (RouterRig rig = RouterRig.start(1, 20, BuiltinRouters.create("llq"), o -> { })) {
            String before = rig.admin("GET", "/admin/policy", null).body();

            HttpResponse<String> refused = rig.admin("PUT", "/admin/policy",
                    "router:\n  source: |\n    public class Broken implements dev.glia.policy.Router { }\n");
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("the policy did not load; nothing changed", "Broken");
            assertThat(rig.admin("PUT", "/admin/policy", "router: {name: fastest}").body())
                    .contains("no router named fastest; known: llq,");
            assertThat(rig.admin("PUT", "/admin/policy", "routr: {name: llq}").body())
                    .contains("unknown field `routr` (expected one of batchPriority, router)");
            assertThat(rig.admin("GET", "/admin/policy", null).body()).isEqualTo(before);
            assertThat(rig.metric("glia_router_policy_changes_total{source=\"admin\",result=\"failed\",}")).isEqualTo(3);
        }
    }

    @Test
    void theWatchedPolicyFileInstallsWhatItSaysAndKeepsThePolicyWhenItBreaks(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, "router: {name: llq}\n");
        try (RouterRig rig = RouterRig.start(2, 20, (LoadedPolicy) null, o -> o.policyFile = file);
             Load load = new Load(rig, 30)) {
            assertThat(rig.admin("GET", "/admin/policy", null).body()).contains("\"name\" : \"llq\"");

            Files.writeString(file.resolveSibling("next.yaml"), "router:\n  name: hra-spf\n");
            Files.move(file.resolveSibling("next.yaml"), file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING); // as kubelet swaps a ConfigMap
            await(() -> rig.metric("glia_router_policy_changes_total{source=\"file\",result=\"installed\",}"), 1);
            assertThat(rig.admin("GET", "/admin/policy", null).body()).contains("\"name\" : \"hra-spf\"");

            Files.writeString(file, "router: [not, a, policy]\n");
            await(() -> rig.metric("glia_router_policy_changes_total{source=\"file\",result=\"failed\",}"), 1);
            RouterRig.sleep(300); // polled again: the same broken bytes are not tried twice
            assertThat(rig.metric("glia_router_policy_changes_total{source=\"file\",result=\"failed\",}")).isEqualTo(1);
            assertThat(rig.admin("GET", "/admin/policy", null).body()).contains("\"name\" : \"hra-spf\"");
            load.stopAndAwaitEveryResponse();
            assertThat(rig.router.requests("completed")).isEqualTo(load.sent());
        }
    }

    @Test
    void aCanaryTakesItsEnginesAndShareThenIsPromotedOrRolledBackWithoutLosingARequest() throws Exception {
        try (RouterRig rig = RouterRig.start(3, 20, BuiltinRouters.create("llq"), o -> { });
             Load load = new Load(rig, 40)) {
            HttpResponse<String> canary = rig.admin("PUT", "/admin/canary",
                    "{policy: {router: {name: hra-spf}}, engines: [2], share: 0.5}");
            assertThat(canary.statusCode()).as(canary.body()).isEqualTo(200);
            assertThat(canary.body()).contains("\"pool\" : \"canary\"", "\"share\" : 0.5");
            assertThat(rig.admin("PUT", "/admin/canary", "{policy: {router: {name: lor}}}").statusCode())
                    .as("one canary at a time").isEqualTo(409);
            await(() -> rig.metric("glia_router_requests_total{pool=\"canary\",policy=\""
                    + hash(canary.body(), "canary") + "\",outcome=\"completed\",}"), 10);

            HttpResponse<String> promoted = rig.admin("POST", "/admin/canary/promote", null);
            assertThat(promoted.statusCode()).isEqualTo(200);
            assertThat(promoted.body()).doesNotContain("\"canary\"").contains("\"name\" : \"hra-spf\"")
                    .contains("\"id\" : 0", "\"id\" : 1", "\"id\" : 2");

            assertThat(rig.admin("PUT", "/admin/canary", "{policy: {router: {name: round-robin}}, engines: 1}")
                    .statusCode()).isEqualTo(200);
            RouterRig.sleep(500);
            HttpResponse<String> rolledBack = rig.admin("POST", "/admin/canary/rollback", null);
            assertThat(rolledBack.body()).doesNotContain("\"canary\"", "round-robin").contains("\"name\" : \"hra-spf\"");
            assertThat(rig.admin("POST", "/admin/canary/rollback", null).statusCode()).as("no canary runs").isEqualTo(409);
            assertThat(rig.admin("PUT", "/admin/canary", "{policy: {router: {name: lor}}, engines: [7]}").body())
                    .contains("engine 7 is not in the stable pool");

            load.stopAndAwaitEveryResponse();
            assertThat(rig.router.requests("completed")).isEqualTo(load.sent());
        }
    }

    @Test
    void aCanaryWithAControlPoolSplitsArrivalsThreeWaysAndEndsWithoutLosingARequest() throws Exception {
        try (RouterRig rig = RouterRig.start(3, 20, BuiltinRouters.create("llq"), o -> { });
             Load load = new Load(rig, 40)) {
            HttpResponse<String> tooFew = rig.admin("PUT", "/admin/canary",
                    "{policy: {router: {name: hra-spf}}, engines: 2, control: true}");
            assertThat(tooFew.statusCode()).isEqualTo(400);
            assertThat(tooFew.body()).contains("needs 5 engines", "control: false");
            assertThat(rig.admin("PUT", "/admin/canary", "{policy: {router: {name: hra-spf}}, control: maybe}").body())
                    .contains("control: expected true or false");
            assertThat(rig.admin("PUT", "/admin/canary",
                    "{policy: {router: {name: hra-spf}}, engines: 1, share: 0.5, control: true}").body())
                    .contains("below 0.5 with a control pool");

            String ask = "{policy: {router: {name: hra-spf}}, engines: 1, share: 0.25, control: true}";
            HttpResponse<String> canary = rig.admin("PUT", "/admin/canary", ask);
            assertThat(canary.statusCode()).as(canary.body()).isEqualTo(200);
            String stableHash = hash(canary.body(), "stable");
            assertThat(hash(canary.body(), "control")).as("the control runs the stable policy").isEqualTo(stableHash);
            assertThat(engines(canary.body(), "stable")).containsExactly(0);
            assertThat(engines(canary.body(), "control")).containsExactly(1);
            assertThat(engines(canary.body(), "canary")).containsExactly(2);
            assertThat(rig.admin("PUT", "/admin/canary", ask).statusCode()).as("the same canary again").isEqualTo(200);
            assertThat(rig.admin("PUT", "/admin/canary", ask.replace("control: true", "control: false")).statusCode())
                    .as("the same canary without its control is another canary").isEqualTo(409);
            await(() -> rig.metric("glia_router_requests_total{pool=\"control\",policy=\"" + stableHash
                    + "\",outcome=\"completed\",}"), 10);
            await(() -> rig.metric("glia_router_e2e_seconds_count{pool=\"control\",policy=\"" + stableHash
                    + "\",}"), 10);
            double control = rig.metric("glia_router_decisions_total{pool=\"control\",policy=\"" + stableHash + "\",}");
            double canaryDecisions = rig.metric("glia_router_decisions_total{pool=\"canary\",policy=\""
                    + hash(canary.body(), "canary") + "\",}");
            assertThat(canaryDecisions).as("the canary and the control take the same share").isBetween(control - 3,
                    control + 3);

            HttpResponse<String> promoted = rig.admin("POST", "/admin/canary/promote", null);
            assertThat(promoted.statusCode()).isEqualTo(200);
            assertThat(promoted.body()).doesNotContain("\"canary\"", "\"control\"").contains("\"name\" : \"hra-spf\"");
            assertThat(engines(promoted.body(), "stable")).containsExactly(0, 1, 2);

            assertThat(rig.admin("PUT", "/admin/canary", "{policy: {router: {name: round-robin}}, control: true}")
                    .statusCode()).isEqualTo(200);
            RouterRig.sleep(500);
            HttpResponse<String> rolledBack = rig.admin("POST", "/admin/canary/rollback", null);
            assertThat(rolledBack.body()).doesNotContain("\"canary\"", "\"control\"", "round-robin")
                    .contains("\"name\" : \"hra-spf\"");
            assertThat(engines(rolledBack.body(), "stable")).containsExactly(0, 1, 2);

            load.stopAndAwaitEveryResponse();
            assertThat(rig.router.requests("completed")).isEqualTo(load.sent());
        }
    }

    /** The engine ids of {@code pool} in an admin API answer. */
    static List<Integer> engines(String state, String pool) {
        for (com.fasterxml.jackson.databind.JsonNode p : readTree(state).path("pools")) {
            if (p.path("pool").asText().equals(pool)) {
                List<Integer> ids = new ArrayList<>();
                p.path("engines").forEach(e -> ids.add(e.path("id").asInt()));
                return ids;
            }
        }
        return List.of();
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The policy hash of {@code pool} in an admin API answer. */
    static String hash(String state, String pool) {
        String key = "\"hash\" : \"";
        int at = state.indexOf(key, state.indexOf("\"pool\" : \"" + pool + "\"")) + key.length();
        return state.substring(at, state.indexOf('"', at));
    }

    /** Policy hashes that made at least one decision. */
    static List<String> decisionsByPolicy(RouterRig rig) {
        return rig.get(rig.url("/metrics")).body().lines().filter(l -> l.startsWith("glia_router_decisions_total{"))
                .filter(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) > 0).toList();
    }

    static void await(DoubleSupplier metric, double atLeast) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(metric.getAsDouble() >= atLeast)) {
            assertThat(System.nanoTime()).as("a metric never reached " + atLeast).isLessThan(deadline);
            RouterRig.sleep(20);
        }
    }

    /** Streamed completions at a steady rate until stopped; every response must be a whole, error-free stream. */
    static final class Load implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        private final Thread sender;

        Load(RouterRig rig, double perSecond) {
            sender = new Thread(() -> {
                long start = System.nanoTime();
                for (int i = 0; running.get(); i++) {
                    long due = start + (long) (i * 1e9 / perSecond);
                    while (System.nanoTime() < due) {
                        RouterRig.sleep(1);
                    }
                    CompletableFuture<HttpResponse<String>> r = rig.postAsync(RouterRig.completion(10 + i % 40, true));
                    synchronized (responses) {
                        responses.add(r);
                    }
                }
            }, "load");
            sender.start();
        }

        int sent() {
            synchronized (responses) {
                return responses.size();
            }
        }

        void stopAndAwaitEveryResponse() throws Exception {
            running.set(false);
            sender.join();
            for (CompletableFuture<HttpResponse<String>> r : responses) {
                HttpResponse<String> response = r.get(60, TimeUnit.SECONDS);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(response.body()).endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
            }
        }

        @Override
        public void close() throws Exception {
            if (running.get()) {
                stopAndAwaitEveryResponse();
            }
        }
    }
}
