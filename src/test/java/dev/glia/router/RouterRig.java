package dev.glia.router;

import dev.glia.engine.EngineFleet;
import dev.glia.engine.EngineModelBackends;
import dev.glia.engine.EngineOptions;
import dev.glia.engine.WallClockEngine;
import dev.glia.policy.Router;
import dev.glia.vllm.SchedulingPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/** Emulated engines (the simulator's engine model on the wall clock) behind a router, all in-process. */
final class RouterRig implements AutoCloseable {
    static final String MODEL = "llama-3-8b";

    /** Every request an engine finished, in the order they finished. */
    final ConcurrentLinkedQueue<WallClockEngine.FinishedRequest> finished;
    final EngineFleet engines;
    final RouterServer router;
    /** HTTP/1.1, as OpenAI clients speak it (the JDK would otherwise upgrade to h2c and cap concurrent streams). */
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private RouterRig(ConcurrentLinkedQueue<WallClockEngine.FinishedRequest> finished, EngineFleet engines,
            RouterServer router) {
        this.finished = finished;
        this.engines = engines;
        this.router = router;
    }

    /** {@code replicas} A10s serving llama-3-8b at {@code timeScale}, behind a router tuned by {@code options}. */
    static RouterRig start(int replicas, double timeScale, Router policy, Consumer<Options> options) {
        return start(replicas, timeScale, policy == null ? null : LoadedPolicy.of("custom", policy), options);
    }

    /** The same with a loaded policy (a router and a batch priority), or none when a policy file gives it. */
    static RouterRig start(int replicas, double timeScale, LoadedPolicy policy, Consumer<Options> options) {
        Options o = new Options();
        options.accept(o);
        ConcurrentLinkedQueue<WallClockEngine.FinishedRequest> log = new ConcurrentLinkedQueue<>();
        EngineFleet fleet = EngineFleet.start(EngineOptions.builder().host("127.0.0.1").port(0).model(MODEL).gpu("a10")
                .numGpuBlocksOverride(o.numGpuBlocks).maxNumSeqs(o.maxNumSeqs)
                .schedulingPolicy(o.priorityScheduling ? SchedulingPolicy.PRIORITY : SchedulingPolicy.FCFS).maxModelLen(8192).timeScale(timeScale).replicas(replicas)
                .build(), new EngineModelBackends(log::add));
        List<URI> urls = fleet.servers().stream().map(s -> URI.create("http://127.0.0.1:" + s.port())).toList();
        RouterOptions routerOptions = new RouterOptions("127.0.0.1", 0, urls, 0.05, o.maxQueue, o.maxQueueSeconds,
                o.priorityScheduling).withAdmin("127.0.0.1", 0, o.policyFile, 0.05).withMaxQueueTokens(o.maxQueueTokens)
                .withFirstByteTimeout(o.firstByteTimeout);
        RouterServer router = RouterServer.start(routerOptions, policy);
        RouterRig rig = new RouterRig(log, fleet, router);
        log.clear();
        rig.awaitReady();
        return rig;
    }

    /** The router's limits and the engines' batch size, which a test may change. */
    static final class Options {
        int maxNumSeqs = 128;
        int numGpuBlocks = 2240;
        int maxQueue = 10_000;
        double maxQueueSeconds = 60;
        long maxQueueTokens = RouterOptions.DEFAULT_MAX_QUEUE_TOKENS;
        double firstByteTimeout;
        boolean priorityScheduling;
        /** A watched policy document (polled every 50 ms here); the policy given to start must then be null. */
        java.nio.file.Path policyFile;
    }

    /** The hash the stable pool's policy is labelled with in /metrics. */
    String policyHash() {
        String info = get(url("/metrics")).body().lines().filter(l -> l.startsWith("glia_router_policy_info{pool=\"stable\""))
                .findFirst().orElseThrow();
        int at = info.indexOf("policy=\"") + 8;
        return info.substring(at, info.indexOf('"', at));
    }

    /** A call to the admin API: {@code method} on {@code path} with a YAML or JSON {@code body} (null: none). */
    HttpResponse<String> admin(String method, String path, String body) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.adminPort() + path))
                .header("Content-Type", "application/yaml").timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build());
    }

    String url(String path) {
        return "http://127.0.0.1:" + router.port() + path;
    }

    String engineUrl(int replica, String path) {
        return "http://127.0.0.1:" + engines.servers().get(replica).port() + path;
    }

    private void awaitReady() {
        awaitReady(client, router.port());
    }

    /** Until the router on {@code port} answers /ready with 200 (an engine scraped), at most 10 s. */
    static void awaitReady(HttpClient client, int port) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).GET().build();
        while (statusOf(client, ready) != 200) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the router never became ready");
            }
            sleep(10);
        }
    }

    private static int statusOf(HttpClient client, HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    CompletableFuture<HttpResponse<String>> postAsync(String body) {
        return postAsync("/v1/completions", body);
    }

    /** A streamed text completion of a fixed prompt that runs to {@code maxTokens}. */
    static String completion(int maxTokens, boolean stream) {
        return """
                {"model": "%s", "prompt": "The quick brown fox jumps over the lazy dog", "max_tokens": %d,
                 "ignore_eos": true, "stream": %s, "stream_options": %s}"""
                .formatted(MODEL, maxTokens, stream, stream ? "{\"include_usage\": true}" : "null");
    }

    static HttpRequest post(String url, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    CompletableFuture<HttpResponse<String>> postAsync(String path, String body) {
        return client.sendAsync(post(url(path), body), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }

    /**
     * A sample of the router's /metrics: {@code name} sums the series of every label set, {@code name{labels}}
     * (labels as the exposition writes them) reads one; NaN when there is none.
     */
    double metric(String sample) {
        double sum = Double.NaN;
        for (String line : get(url("/metrics")).body().split("\n")) {
            boolean match = sample.contains("{") ? line.startsWith(sample + " ")
                    : line.startsWith(sample + " ") || line.startsWith(sample + "{");
            if (match) {
                double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
                sum = Double.isNaN(sum) ? v : sum + v;
            }
        }
        return sum;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        router.close();
        engines.close();
    }
}
