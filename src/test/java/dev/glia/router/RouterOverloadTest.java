package dev.glia.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Overload is explicit: a full queue answers 429, a long wait 503, and an accepted request always completes. */
class RouterOverloadTest {

    @Test
    void aFullQueueShedsWith429AndRetryAfterAndEveryAcceptedRequestCompletes() throws Exception {
        try (RouterRig rig = RouterRig.start(1, 20, RouterQueueTest.TWO_IN_FLIGHT, o -> o.maxQueue = 3)) {
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                responses.add(rig.postAsync(RouterRig.completion(100, true)));
            }
            int accepted = 0;
            int shed = 0;
            for (CompletableFuture<HttpResponse<String>> f : responses) {
                HttpResponse<String> r = f.get();
                if (r.statusCode() == 429) {
                    shed++;
                    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
                    assertThat(r.headers().firstValue("X-Glia-Reject-Reason")).hasValue("queue-full");
                    assertThat(r.body()).contains("\"type\":\"RateLimitError\"");
                } else {
                    accepted++;
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(r.body()).endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
                }
            }
            assertThat(shed).isPositive();
            assertThat(accepted).isGreaterThanOrEqualTo(5); // 2 in flight + 3 queued at least
            assertThat(rig.router.requests("completed")).isEqualTo(accepted);
            assertThat(rig.router.requests("queue_full")).isEqualTo(shed);
        }
    }

    @Test
    void aRequestThatWaitsLongerThanTheQueueTimeLimitIsAnswered503() {
        try (RouterRig rig = RouterRig.start(1, 20, (cluster, dispatch) -> { }, o -> o.maxQueueSeconds = 0.2)) {
            long start = System.nanoTime();
            HttpResponse<String> r = rig.send(RouterRig.post(rig.url("/v1/completions"), RouterRig.completion(5, true)));

            assertThat(r.statusCode()).isEqualTo(503);
            assertThat((System.nanoTime() - start) / 1e9).isBetween(0.2, 2.0);
            assertThat(r.headers().firstValue("X-Glia-Reject-Reason")).hasValue("queue-timeout");
            assertThat(r.body()).startsWith("{\"error\":{\"message\":\"The request waited 0.2 s");
            assertThat(rig.router.requests("queue_timeout")).isEqualTo(1);
            assertThat(rig.metric("glia_router_queue_length")).isZero();
        }
    }
}
