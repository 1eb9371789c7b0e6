package dev.glia.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.policy.builtin.BuiltinRouters;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The router is live as soon as it serves, and ready only while an engine accepts requests. */
class RouterReadinessTest {

    @Test
    void withNoEngineReachableTheRouterIsLiveButNotReadyAndRequestsTimeOutInTheQueue() throws Exception {
        RouterOptions options = new RouterOptions("127.0.0.1", 0, List.of(URI.create("http://127.0.0.1:1")), 0.05,
                100, 0.2, false);
        try (RouterServer router = RouterServer.start(options, BuiltinRouters.create("llq"))) {
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + router.port();

            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/ready")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
            HttpResponse<String> models = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(models.statusCode()).isEqualTo(503);
            assertThat(models.headers().firstValue("X-Glia-Reject-Reason")).hasValue("no-engine");
            HttpResponse<String> queued = client.send(RouterRig.post(base + "/v1/completions",
                    RouterRig.completion(5, true)), HttpResponse.BodyHandlers.ofString());
            assertThat(queued.statusCode()).isEqualTo(503);
            assertThat(router.requests("queue_timeout")).isEqualTo(1);
        }
    }
}
