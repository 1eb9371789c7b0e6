package dev.glia.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.catalog.PolicyCatalog;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

    /**
     * Twice what the engines can serve, for 6 seconds, into a bounded queue: HRA admits what the engines' KV cache
     * holds and keeps the rest in the global queue, which sheds with 429 (full) and 503 (waited too long); every
     * request the router accepted completes: accepted = completed, and client and router count alike.
     */
    @Test
    void atTwiceTheClustersCapacityTheRouterShedsAndCompletesEveryRequestItAccepted() throws Exception {
        try (RouterRig rig = RouterRig.start(2, 20, PolicyCatalog.router("hra-spf", Map.of()).factory().get(), o -> {
            o.numGpuBlocks = 64;
            o.maxQueue = 6;
            o.maxQueueSeconds = 1;
        })) {
            double perSecond = 24;
            long start = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 6 * perSecond; i++) {
                long due = start + (long) (i * 1e9 / perSecond);
                while (System.nanoTime() < due) {
                    RouterRig.sleep(1);
                }
                responses.add(rig.postAsync(RouterRig.completion(400, true)));
            }
            int completed = 0;
            int full = 0;
            int timedOut = 0;
            long lastDone = 0;
            for (CompletableFuture<HttpResponse<String>> f : responses) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                switch (r.statusCode()) {
                    case 200 -> {
                        assertThat(r.body()).endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
                        completed++;
                    }
                    case 429 -> {
                        assertThat(r.headers().firstValue("X-Glia-Reject-Reason")).hasValue("queue-full");
                        full++;
                    }
                    case 503 -> {
                        assertThat(r.headers().firstValue("X-Glia-Reject-Reason")).hasValue("queue-timeout");
                        assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
                        timedOut++;
                    }
                    default -> throw new AssertionError("unexpected " + r.statusCode() + ": " + r.body());
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(completed / seconds).as("the cluster served at most half of what was offered")
                    .isLessThan(perSecond / 2 * 1.1);
            assertThat(full + timedOut).isPositive();
            assertThat(completed + full + timedOut).isEqualTo(responses.size());
            assertThat(rig.router.requests("completed")).isEqualTo(completed);
            assertThat(rig.router.requests("queue_full")).isEqualTo(full);
            assertThat(rig.router.requests("queue_timeout")).isEqualTo(timedOut);
            assertThat(rig.metric("glia_router_queue_length")).isZero();
        }
    }

    @Test
    void theQueueIsBoundedInPromptTokensToo() {
        try (RouterRig rig = RouterRig.start(1, 20, (cluster, dispatch) -> { }, o -> o.maxQueueTokens = 100)) {
            var first = rig.postAsync(RouterRig.completion(5, true)); // held: the policy sends nothing
            RouterQueueTest.awaitMetric(rig, "glia_router_queue_length", 1);
            String longPrompt = RouterRig.completion(5, true).replace("The quick brown fox jumps over the lazy dog",
                    "word ".repeat(200));

            HttpResponse<String> refused = rig.send(RouterRig.post(rig.url("/v1/completions"), longPrompt));
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("X-Glia-Reject-Reason")).hasValue("queue-full");
            assertThat(refused.body()).contains("--max-queue-tokens 100");
            assertThat(rig.router.requests("queue_full")).isEqualTo(1);
            assertThat(first).isNotDone();
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
