package dev.glia.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Replays a {@link RequestPlan} against a server. Non-blocking: one Vert.x event loop carries
 * every stream, and all state lives on it. Open loop: request i is due at
 * {@code start + arrival(i) / timeScale} on the wall clock; a timer wakes for the next due
 * request and sends every request due by then, so a late wake-up catches up instead of drifting.
 * Closed loop: each user sends, waits for the answer (or its failure), thinks, and sends again
 * while model time is under the plan's duration. Sends beyond {@code maxConcurrency} wait in
 * order; the connection pool has that many connections.
 */
public final class LoadGenerator implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LoadOptions options;
    private final Vertx vertx;
    private final HttpClient client;
    private final Context context;
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "glia-load-pacer");
        t.setDaemon(true);
        return t;
    });
    private final String authorization = System.getenv("OPENAI_API_KEY");

    // the run in progress, touched only on the event loop (volatile where progress reads it)
    private RequestPlan plan;
    private String model;
    private long start;
    private int next;
    private int liveUsers;
    private final ArrayDeque<Exchange> waiting = new ArrayDeque<>();
    /** Attempts in flight per server. */
    private final int[] targetLoad;
    private final List<Exchange> exchanges = new ArrayList<>();
    private final Map<ErrorKind, Integer> errors = new EnumMap<>(ErrorKind.class);
    private int retried;
    private long lastCompletion;
    private CompletableFuture<Void> finished;
    private volatile int sent;
    private volatile int completed;
    private volatile int failed;
    private volatile int inFlight;
    private volatile long startedAt;

    public LoadGenerator(LoadOptions options) {
        this.options = options;
        this.targetLoad = new int[options.urls().size()];
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                        .setConnectTimeout(10_000),
                new PoolOptions().setHttp1MaxSize(options.maxConcurrency()).setMaxWaitQueueSize(-1));
        this.context = vertx.getOrCreateContext();
    }

    /** The first model the server lists ({@code GET /v1/models}), as vLLM's benchmark picks it. */
    public String firstModel() {
        CompletableFuture<String> answer = new CompletableFuture<>();
        RequestOptions get = base(0).setMethod(HttpMethod.GET).setURI(LoadOptions.basePath(options.url()) + "/v1/models");
        // On the client's event loop, body() chained inside send(): from another thread, or one stage later, the
        // response may have ended before body() is asked for, and its future then never completes (Vert.x #4705)
        context.runOnContext(v -> client.request(get).compose(req -> req.send().compose(resp -> resp.body().map(body -> {
            if (resp.statusCode() != 200) {
                throw new IllegalStateException("GET /v1/models answered HTTP " + resp.statusCode());
            }
            return body;
        }))).onSuccess(body -> {
            try {
                JsonNode first = JSON.readTree(body.getBytes()).path("data").path(0).path("id");
                if (first.isTextual()) {
                    answer.complete(first.asText());
                } else {
                    answer.completeExceptionally(new IllegalStateException("GET /v1/models lists no model"));
                }
            } catch (java.io.IOException e) {
                answer.completeExceptionally(e);
            }
        }).onFailure(answer::completeExceptionally));
        try {
            return answer.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalArgumentException("cannot ask " + options.url() + " for its models: "
                    + e.getCause().getMessage() + " (give --model)", e.getCause());
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot ask " + options.url() + " for its models: " + e, e);
        }
    }

    /**
     * Sends {@code requests} short requests at once and forgets them: open connections stay in the
     * pool, and a cold JVM's first requests (milliseconds of wall clock, ten times that in model
     * time at time scale 10) do not land in the measurement.
     */
    public void warmUp(int requests, String model) {
        if (requests > 0) {
            run(RequestPlan.warmUp(requests), model);
        }
    }

    /** Sends the plan to {@code model} and returns when every request sent has completed or failed. */
    public LoadRun run(RequestPlan plan, String model) {
        CompletableFuture<Void> reset = new CompletableFuture<>();
        context.runOnContext(v -> {
            next = 0;
            liveUsers = 0;
            waiting.clear();
            exchanges.clear();
            errors.clear();
            retried = 0;
            lastCompletion = 0;
            sent = 0;
            completed = 0;
            failed = 0;
            reset.complete(null);
        });
        reset.join();
        this.plan = plan;
        this.model = model;
        this.finished = new CompletableFuture<>();
        Instant wallStart = Instant.now();
        context.runOnContext(v -> begin());
        try {
            finished.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        CompletableFuture<LoadRun> result = new CompletableFuture<>();
        context.runOnContext(v -> result.complete(new LoadRun(plan, List.copyOf(exchanges), new EnumMap<>(errors),
                retried, lastCompletion, options.timeScale(), wallStart, (System.nanoTime() - start) / 1e9)));
        return result.join();
    }

    private void begin() {
        start = System.nanoTime();
        startedAt = start;
        if (plan.closedLoop()) {
            liveUsers = plan.users();
            for (int u = 0; u < plan.users(); u++) {
                userSends(0);
            }
        } else {
            pump();
        }
        checkDone();
    }

    /** Open loop: sends everything due, then sleeps until the next arrival. */
    private void pump() {
        long now = now();
        while (next < plan.size() && due(next) <= now) {
            enqueue(new Exchange(this, next, plan.promptTokens(next), plan.outputTokens(next), due(next)));
            next++;
        }
        if (next < plan.size()) {
            // Vert.x timers tick in whole milliseconds, ten model milliseconds at time scale 10: the
            // pacer parks to the nanosecond and hands the send back to the event loop
            pacer.schedule(() -> context.runOnContext(v -> pump()), due(next) - now, TimeUnit.NANOSECONDS);
        }
        checkDone();
    }

    private long due(int i) {
        return Math.round(plan.arrival(i) / options.timeScale() * 1e9);
    }

    /** Closed loop: one user's next request, unless the plan's time or size is over. */
    private void userSends(long plannedAt) {
        if (next >= plan.size() || modelSeconds(now()) >= plan.duration()) {
            liveUsers--;
            checkDone();
            return;
        }
        int index = next++;
        enqueue(new Exchange(this, index, plan.promptTokens(index), plan.outputTokens(index), plannedAt));
    }

    private void enqueue(Exchange exchange) {
        exchanges.add(exchange);
        waiting.add(exchange);
        drain();
    }

    private void drain() {
        while (inFlight < options.maxConcurrency() && !waiting.isEmpty()) {
            Exchange x = waiting.poll();
            inFlight++;
            sent++;
            x.start(() -> done(x));
        }
    }

    private void done(Exchange x) {
        inFlight--;
        if (x.completed) {
            completed++;
            lastCompletion = Math.max(lastCompletion, x.lastTokenAt);
        } else {
            failed++;
        }
        if (plan.closedLoop()) {
            long think = Math.round(plan.thinkSeconds() / options.timeScale() * 1e9);
            long at = now() + think;
            if (modelSeconds(at) < plan.duration()) {
                if (think <= 0) {
                    context.runOnContext(v -> userSends(at));
                } else {
                    vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(think)), id -> userSends(at));
                }
            } else {
                liveUsers--;
            }
        }
        drain();
        checkDone();
    }

    private void checkDone() {
        boolean planDone = plan.closedLoop() ? liveUsers == 0 : next == plan.size();
        if (planDone && waiting.isEmpty() && inFlight == 0) {
            finished.complete(null);
        }
    }

    private double modelSeconds(long nanos) {
        return nanos / 1e9 * options.timeScale();
    }

    // ---- what exchanges use -------------------------------------------------------------------

    long now() {
        return System.nanoTime() - start;
    }

    Vertx vertx() {
        return vertx;
    }

    HttpClient client() {
        return client;
    }

    Endpoint endpoint() {
        return options.endpoint();
    }

    String model() {
        return model;
    }

    RequestPlan plan() {
        return plan;
    }

    int retries() {
        return options.retries();
    }

    long timeoutMillis() {
        return Math.max(1, Math.round(options.timeoutSeconds() * 1000));
    }

    /**
     * The server for the next attempt: the one with the fewest attempts in flight from this client
     * (LLQ by client-side accounting), the lowest index on ties. The caller {@link #release}s it.
     */
    int pickTarget() {
        int best = 0;
        for (int t = 1; t < targetLoad.length; t++) {
            if (targetLoad[t] < targetLoad[best]) {
                best = t;
            }
        }
        targetLoad[best]++;
        return best;
    }

    void release(int target) {
        targetLoad[target]--;
    }

    /** The POST of request {@code index} to server {@code target}, with its index as X-Request-Id to join the server's logs. */
    RequestOptions requestOptions(int index, int target) {
        return base(target).setMethod(HttpMethod.POST)
                .setURI(LoadOptions.basePath(options.urls().get(target)) + options.endpoint().path())
                .putHeader("Content-Type", "application/json").putHeader("Accept", "text/event-stream")
                .putHeader("X-Request-Id", plan.requestId(index));
    }

    private RequestOptions base(int target) {
        URI url = options.urls().get(target);
        RequestOptions o = new RequestOptions().setHost(url.getHost()).setPort(LoadOptions.port(url))
                .setSsl(LoadOptions.ssl(url));
        if (authorization != null && !authorization.isBlank()) {
            o.putHeader("Authorization", "Bearer " + authorization);
        }
        return o;
    }

    void countError(ErrorKind kind) {
        errors.merge(kind, 1, Integer::sum);
    }

    void countRetry() {
        retried++;
    }

    // ---- progress (read from any thread) --------------------------------------------------------

    public int sent() {
        return sent;
    }

    public int completed() {
        return completed;
    }

    public int failed() {
        return failed;
    }

    public int inFlight() {
        return inFlight;
    }

    /** Wall seconds since the run began (0 before). */
    public double elapsedSeconds() {
        long s = startedAt;
        return s == 0 ? 0 : (System.nanoTime() - s) / 1e9;
    }

    @Override
    public void close() {
        pacer.shutdownNow();
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
