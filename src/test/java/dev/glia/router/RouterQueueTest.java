package dev.glia.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;
import dev.glia.policy.Router;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The global queue lives in the router: what the policy does not send waits there. */
class RouterQueueTest {
    /** Sends the oldest queued requests to engines with fewer than two requests in flight, and nothing else. */
    static final Router TWO_IN_FLIGHT = (cluster, dispatch) -> {
        List<? extends RequestView> queue = cluster.queue();
        int next = 0;
        for (ReplicaView engine : cluster.replicas()) {
            int inFlight = engine.waiting().size() + engine.running().size();
            for (; inFlight < 2 && next < queue.size() && engine.accepting(); inFlight++) {
                dispatch.send(queue.get(next++), engine);
            }
        }
    };

    @Test
    void aPolicyThatHoldsRequestsBackKeepsThemInTheGlobalQueueUntilItSendsThem() throws Exception {
        try (RouterRig rig = RouterRig.start(2, 20, TWO_IN_FLIGHT, o -> { })) {
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                responses.add(rig.postAsync(RouterRig.completion(200, true)));
            }
            double longestQueue = 0;
            while (!CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).isDone()) {
                longestQueue = Math.max(longestQueue, rig.metric("glia_router_queue_length"));
                RouterRig.sleep(5);
            }

            assertThat(longestQueue).isEqualTo(6); // 10 arrived, 2 engines × 2 in flight
            for (CompletableFuture<HttpResponse<String>> r : responses) {
                assertThat(r.get().statusCode()).isEqualTo(200);
                assertThat(r.get().body()).endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
            }
            assertThat(rig.metric("glia_router_queue_length")).isZero();
            assertThat(rig.router.requests("completed")).isEqualTo(10);
        }
    }

    @Test
    void aClientThatDisconnectsWhileQueuedLeavesTheQueue() throws Exception {
        Router sendsNothing = (cluster, dispatch) -> { };
        try (RouterRig rig = RouterRig.start(1, 20, sendsNothing, o -> { })) {
            byte[] body = RouterRig.completion(10, true).getBytes(StandardCharsets.UTF_8);
            try (Socket socket = new Socket("127.0.0.1", rig.router.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/completions HTTP/1.1\r\nHost: router\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                awaitMetric(rig, "glia_router_queue_length", 1);
            }
            awaitMetric(rig, "glia_router_queue_length", 0);
            assertThat(rig.router.requests("client_disconnected")).isEqualTo(1);
        }
    }

    @Test
    void aClientThatDisconnectsWhileStreamingAbortsItsRequestAtTheEngine() throws Exception {
        try (RouterRig rig = RouterRig.start(1, 20, TWO_IN_FLIGHT, o -> { })) {
            byte[] body = RouterRig.completion(5_000, true).getBytes(StandardCharsets.UTF_8);
            try (Socket socket = new Socket("127.0.0.1", rig.router.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/completions HTTP/1.1\r\nHost: router\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                assertThat(new String(socket.getInputStream().readNBytes(200), StandardCharsets.US_ASCII))
                        .startsWith("HTTP/1.1 200 OK").contains("data: {");
            }
            awaitMetric(rig, "glia_router_requests_total{pool=\"stable\",policy=\"" + rig.policyHash()
                    + "\",outcome=\"client_disconnected\",}", 1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!rig.get(rig.engineUrl(0, "/metrics")).body().contains("vllm:num_requests_running{")
                    || engineRunning(rig) != 0) {
                assertThat(System.nanoTime()).as("the engine never aborted the request").isLessThan(deadline);
                RouterRig.sleep(5);
            }
            // the reset's own callbacks neither count a second outcome nor retry the request elsewhere
            assertThat(rig.router.requests("upstream_failed")).isZero();
            assertThat(rig.metric("glia_router_decisions_total")).isEqualTo(1);
            assertThat(rig.metric("glia_router_inflight")).isZero();
        }
    }

    private static double engineRunning(RouterRig rig) {
        for (String line : rig.get(rig.engineUrl(0, "/metrics")).body().split("\n")) {
            if (line.startsWith("vllm:num_requests_running{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    static void awaitMetric(RouterRig rig, String sample, double value) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (rig.metric(sample) != value) {
            assertThat(System.nanoTime()).as(sample + " never reached " + value).isLessThan(deadline);
            RouterRig.sleep(5);
        }
    }
}
