package dev.glia.operator.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.glia.catalog.PolicyDocument;
import dev.glia.control.Baseline;
import dev.glia.control.CanaryEngines;
import dev.glia.control.RouterResult.Outcome;
import dev.glia.control.RouterResult;
import dev.glia.control.RouterState;
import dev.glia.engine.EngineFleet;
import dev.glia.engine.EngineModelBackends;
import dev.glia.engine.EngineOptions;
import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.router.RouterOptions;
import dev.glia.router.RouterServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's router client against a real router (and three emulated engines) started by the test: every admin
 * call as docs/router.md specifies it, and each failure typed with the router's own message.
 */
class HttpRouterAdminTest {
    private EngineFleet engines;
    private RouterServer router;
    private HttpRouterAdmin admin;

    @BeforeEach
    void startRouter() {
        engines = EngineFleet.start(EngineOptions.builder().host("127.0.0.1").port(0).model("llama-3-8b").gpu("a10")
                .maxModelLen(8192).timeScale(20).replicas(3).build(), new EngineModelBackends(r -> { }));
        List<URI> urls = engines.servers().stream().map(s -> URI.create("http://127.0.0.1:" + s.port())).toList();
        router = RouterServer.start(new RouterOptions("127.0.0.1", 0, urls, 0.05, 1000, 60, false)
                .withAdmin("127.0.0.1", 0, null, 1), BuiltinRouters.create("llq"));
        admin = new HttpRouterAdmin(URI.create("http://127.0.0.1:" + router.adminPort()), Duration.ofSeconds(60));
    }

    @AfterEach
    void stop() {
        router.close();
        engines.close();
    }

    @Test
    void stateShowsTheStablePoolWithItsEngines() {
        RouterResult result = admin.state();

        assertThat(result.outcome()).as(result.message()).isEqualTo(Outcome.APPLIED);
        assertThat(result.status()).isEqualTo(200);
        RouterState.Pool stable = result.state().pool("stable");
        assertThat(stable.engines()).hasSize(3);
        assertThat(stable.policyHash()).matches("[0-9a-f]{12}");
        assertThat(result.state().canaryRuns()).isFalse();
    }

    @Test
    void installPolicyHotSwapsTheStablePoolAndRefusesWhatDoesNotLoadWithTheRoutersMessage() {
        PolicyDocument hra = new PolicyDocument(PolicyDocument.Part.named("hra-spf",
                Map.of("decodeToPrefillRatio", 2.0)), null);
        RouterResult installed = admin.installPolicy(hra);
        assertThat(installed.outcome()).as(installed.message()).isEqualTo(Outcome.APPLIED);
        assertThat(installed.state().pool("stable").policyName()).isEqualTo("hra-spf");

        RouterResult refused = admin.installPolicy(PolicyDocument.router("fastest"));
        assertThat(refused.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.message()).startsWith("the policy did not load; nothing changed:").contains("fastest");
        assertThat(admin.state().state().pool("stable").policyName()).as("nothing changed").isEqualTo("hra-spf");
    }

    @Test
    void aCanaryStartsOnTheGivenEnginesAndShareThenPromotes() {
        RouterResult canary = admin.startCanary(PolicyDocument.router("hra-spf"), CanaryEngines.count(1), 0.25, false);
        assertThat(canary.outcome()).as(canary.message()).isEqualTo(Outcome.APPLIED);
        RouterState.Pool pool = canary.state().pool("canary");
        assertThat(pool.policyName()).isEqualTo("hra-spf");
        assertThat(pool.engines()).hasSize(1);
        assertThat(pool.share()).isEqualTo(0.25);
        assertThat(canary.state().pool("stable").engines()).hasSize(2);

        RouterResult again = admin.startCanary(PolicyDocument.router("hra-spf"), CanaryEngines.count(1), 0.25, false);
        assertThat(again.outcome()).as("asking again for the running canary is no conflict: %s", again.message())
                .isEqualTo(Outcome.APPLIED);
        assertThat(again.state().pool("canary").engines()).extracting(RouterState.Engine::id)
                .as("the same engines (whether scraped yet or not)")
                .isEqualTo(pool.engines().stream().map(RouterState.Engine::id).toList());
        assertThat(admin.startCanary(PolicyDocument.router("hra-spf"), CanaryEngines.count(1), 0.5, false).outcome())
                .as("another share is another canary").isEqualTo(Outcome.CONFLICT);

        RouterResult second = admin.startCanary(PolicyDocument.router("lor"), CanaryEngines.count(1), null, false);
        assertThat(second.outcome()).as("one canary at a time").isEqualTo(Outcome.CONFLICT);
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.message()).isNotBlank();

        RouterResult promoted = admin.promote();
        assertThat(promoted.outcome()).as(promoted.message()).isEqualTo(Outcome.APPLIED);
        assertThat(promoted.state().canaryRuns()).isFalse();
        assertThat(promoted.state().pool("stable").policyName()).isEqualTo("hra-spf");
        assertThat(promoted.state().pool("stable").engines()).hasSize(3);
        assertThat(admin.promote().outcome()).as("no canary runs any more").isEqualTo(Outcome.CONFLICT);
    }

    @Test
    void aCanaryOnNamedEnginesRollsBackToTheStablePolicy() {
        int last = admin.state().state().pool("stable").engines().get(2).id();
        RouterResult canary = admin.startCanary(PolicyDocument.router("round-robin"), CanaryEngines.ids(List.of(last)),
                null, false);
        assertThat(canary.outcome()).as(canary.message()).isEqualTo(Outcome.APPLIED);
        assertThat(canary.state().pool("canary").engines()).extracting(RouterState.Engine::id).containsExactly(last);

        RouterResult rolledBack = admin.rollback();
        assertThat(rolledBack.outcome()).as(rolledBack.message()).isEqualTo(Outcome.APPLIED);
        assertThat(rolledBack.state().canaryRuns()).isFalse();
        assertThat(rolledBack.state().pool("stable").policyName()).isNotEqualTo("round-robin");
        RouterResult none = admin.rollback();
        assertThat(none.outcome()).isEqualTo(Outcome.CONFLICT);
        assertThat(none.message()).isNotBlank();

        RouterResult unknownEngine = admin.startCanary(PolicyDocument.router("lor"), CanaryEngines.ids(List.of(99)),
                null, false);
        assertThat(unknownEngine.outcome()).isIn(Outcome.REFUSED, Outcome.CONFLICT);
        assertThat(unknownEngine.message()).contains("99");
    }

    @Test
    void aCanaryWithAControlPoolIsComparedWithItAndTooFewEnginesForOneAreRefused() {
        assertThat(Baseline.fitting(admin.state().state().engines(), CanaryEngines.count(1)))
                .as("3 engines: one canary, one control, one stable").isEqualTo(Baseline.CONTROL);
        assertThat(Baseline.fitting(3, CanaryEngines.count(2))).isEqualTo(Baseline.STABLE);
        RouterResult tooFew = admin.startCanary(PolicyDocument.router("hra-spf"), CanaryEngines.count(2), null, true);
        assertThat(tooFew.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(tooFew.message()).contains("needs 5 engines");

        RouterResult canary = admin.startCanary(PolicyDocument.router("hra-spf"), CanaryEngines.count(1), 0.25, true);
        assertThat(canary.outcome()).as(canary.message()).isEqualTo(Outcome.APPLIED);
        RouterState.Pool control = canary.state().pool("control");
        assertThat(control.policyHash()).isEqualTo(canary.state().pool("stable").policyHash());
        assertThat(control.engines()).hasSize(1);
        assertThat(control.share()).isEqualTo(0.25);
        assertThat(canary.state().baseline()).isEqualTo(Baseline.CONTROL);
        assertThat(canary.state().engines()).isEqualTo(3);
        assertThat(admin.startCanary(PolicyDocument.router("hra-spf"), CanaryEngines.count(1), 0.25, true).outcome())
                .as("the same canary again").isEqualTo(Outcome.APPLIED);

        RouterResult rolledBack = admin.rollback();
        assertThat(rolledBack.state().pools()).extracting(RouterState.Pool::pool).containsExactly("stable");
        assertThat(rolledBack.state().baseline()).isEqualTo(Baseline.STABLE);
    }

    @Test
    void aRouterThatDoesNotAnswerIsUnreachable() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        RouterResult result = new HttpRouterAdmin(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(2))
                .promote();

        assertThat(result.outcome()).isEqualTo(Outcome.UNREACHABLE);
        assertThat(result.status()).isZero();
        assertThat(result.message()).contains("/admin/canary/promote");
    }

    @Test
    void aServerErrorOrAForeignAnswerIsARouterError() throws IOException {
        HttpServer broken = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        broken.createContext("/admin/policy", exchange -> {
            byte[] body = "not the admin API".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        broken.createContext("/admin/canary/promote", exchange -> {
            byte[] body = "{\"error\": {\"message\": \"the router is shutting down\", \"code\": 503}}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(503, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        broken.start();
        try {
            HttpRouterAdmin client = new HttpRouterAdmin(URI.create("http://127.0.0.1:"
                    + broken.getAddress().getPort() + "/"), Duration.ofSeconds(5));
            RouterResult error = client.promote();
            assertThat(error.outcome()).isEqualTo(Outcome.ROUTER_ERROR);
            assertThat(error.status()).isEqualTo(503);
            assertThat(error.message()).isEqualTo("the router is shutting down");
            RouterResult foreign = client.state();
            assertThat(foreign.outcome()).isEqualTo(Outcome.ROUTER_ERROR);
            assertThat(foreign.message()).contains("not the admin API");
        } finally {
            broken.stop(0);
        }
    }
}
