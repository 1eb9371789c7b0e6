package dev.glia.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.policy.builtin.BuiltinRouters;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An engine that dies under load loses only the requests it had started streaming. */
class RouterFaultTest {

    @Test
    void requestsWithoutAFirstByteOnAKilledEngineCompleteElsewhereAndNoneHangs() throws Exception {
        // two sequences a batch: most requests on each engine wait, with no first byte, when engine 0 dies
        try (RouterRig rig = RouterRig.start(2, 20, BuiltinRouters.create("llq"), o -> o.maxNumSeqs = 2)) {
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                responses.add(rig.postAsync(RouterRig.completion(200, true)));
            }
            RouterRig.sleep(100);
            rig.send(HttpRequest.newBuilder(java.net.URI.create(rig.engineUrl(0, "/admin/kill")))
                    .POST(HttpRequest.BodyPublishers.noBody()).build());

            CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            int completed = 0;
            for (CompletableFuture<HttpResponse<String>> f : responses) {
                HttpResponse<String> r = f.get();
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).endsWith("data: [DONE]\n\n");
                completed += r.body().contains("\"error\"") ? 0 : 1;
            }
            assertThat(completed).isGreaterThanOrEqualTo(16 - 2); // at most engine 0's batch of 2 was streaming
            assertThat(rig.finished.stream().filter(f -> f.engine() == 1).count())
                    .as("engine 1 finished its own share and the retried requests").isGreaterThan(8);
            assertThat(rig.router.requests("completed")).isEqualTo(16);
            assertThat(rig.get(rig.url("/ready")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void requestsOnAnEngineThatStallsWithoutFailingAreRetriedElsewhereAfterTheFirstByteTimeout() throws Exception {
        try (RouterRig rig = RouterRig.start(2, 20, BuiltinRouters.create("llq"), o -> o.firstByteTimeout = 0.5)) {
            rig.send(HttpRequest.newBuilder(java.net.URI.create(rig.engineUrl(0, "/admin/stall?seconds=60")))
                    .POST(HttpRequest.BodyPublishers.noBody()).build());
            long start = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                responses.add(rig.postAsync(RouterRig.completion(20, true)));
            }
            for (CompletableFuture<HttpResponse<String>> f : responses) {
                HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
            }
            assertThat((System.nanoTime() - start) / 1e9).as("well before the 60 s stall ends").isLessThan(20);
            assertThat(rig.finished.stream().filter(f -> f.engine() == 1).count())
                    .as("each request ran once on engine 1: giving up on engine 0 retried it once").isEqualTo(8);
            assertThat(rig.router.requests("completed")).isEqualTo(8);
            assertThat(rig.metric("glia_router_inflight")).isZero();
        }
    }
}
