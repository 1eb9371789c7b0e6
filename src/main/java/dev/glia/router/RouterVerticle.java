package dev.glia.router;

import dev.glia.catalog.PolicyDocument;
import dev.glia.metrics.VllmMetrics;
import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;
import dev.glia.policy.runtime.Cluster;
import dev.glia.policy.runtime.Fallback;
import dev.glia.policy.runtime.OnFailure;
import dev.glia.policy.runtime.PolicyRuntime;
import dev.glia.router.RouterMetrics.Outcome;
import dev.glia.router.discovery.Endpoint;
import dev.glia.router.discovery.EngineDiscovery;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The router on one event loop, which owns the global queue, the views and every exchange, so nothing on the hot
 * path takes a lock. The policy is invoked on every arrival, completion and engine refresh; what it does not send
 * waits in the queue.
 */
final class RouterVerticle extends AbstractVerticle {
    /** Engines one request may try when each fails before its first byte. */
    static final int MAX_ATTEMPTS = 3;
    /** What a client is told to wait before retrying a request the router shed. */
    static final String RETRY_AFTER_SECONDS = "1";
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "host",
            "content-length", "upgrade", "te", "trailer", "proxy-connection");

    private static final Logger LOG = Logger.getLogger(RouterVerticle.class.getName());
    /** The end of the runtime's fallback chain, as metrics and the admin API name it. */
    private static final LoadedPolicy LLQ = LoadedPolicy.load(PolicyDocument.router("llq", java.util.Map.of()));

    private final RouterOptions options;
    private final RouterMetrics metrics;
    private final long startNanos = System.nanoTime();
    /** When the last request arrived (0: none yet), for the inter-arrival histogram. */
    private long lastArrivalNanos;
    /** Every engine, in id order. */
    private final List<Upstream> engines = new ArrayList<>();
    /** The stable pool first; while a canary runs, the canary's second and its control pool (if any) third. */
    private final List<Pool> pools = new ArrayList<>();
    /** Sends accepted during a routing call; carried out once it returns, so the policy sees a still queue. */
    private final List<RoutedRequest> accepted = new ArrayList<>();
    private final List<Upstream> acceptedEngines = new ArrayList<>();
    private HttpServer server;
    private HttpServer adminServer;
    private HttpClient client;
    private long nextId;
    private boolean routing;
    private final PolicyFile policyFile;

    private final EngineDiscovery discovery;
    /** The engines discovery lists now, and those draining after it stopped listing them. */
    private final Map<Endpoint, Upstream> discovered = new HashMap<>();
    /** Ids are never reused, so one names the same engine for as long as it lives. */
    private int nextEngineId;

    RouterVerticle(RouterOptions options, LoadedPolicy policy, EngineDiscovery discovery, String policyFileContent,
            RouterMetrics metrics) {
        this.options = options;
        this.metrics = metrics;
        this.discovery = discovery;
        pools.add(newPool(Pool.STABLE, policy, List.of()));
        this.policyFile = options.policyFile() == null ? null : new PolicyFile(options.policyFile(), policyFileContent);
    }

    private Pool newPool(String name, LoadedPolicy policy, List<Upstream> members) {
        Pool pool = new Pool(name, new LiveCluster(startNanos, members));
        members.forEach(e -> e.pool = pool);
        pool.runtime = new PolicyRuntime<>(new Routing(pool), pool.cluster, policy.router().get(),
                policy.batchPriority().get(), options.priorityScheduling(), null, OnFailure.fallBack((failure, to) -> {
                    LOG.log(Level.WARNING, pool.name + " pool: " + failure.getMessage() + "; falling back to "
                            + to.name().toLowerCase(Locale.ROOT).replace('_', ' '), failure);
                    pool.series.policyFailed(to.name().toLowerCase(Locale.ROOT));
                    if (to == Fallback.LAST_GOOD_ROUTER && pool.lastGood != null) {
                        setPolicy(pool, pool.lastGood);
                        pool.lastGood = null;
                    } else if (to == Fallback.LLQ) {
                        setPolicy(pool, LLQ);
                    }
                }));
        setPolicy(pool, policy);
        return pool;
    }

    private void setPolicy(Pool pool, LoadedPolicy policy) {
        if (pool.policy != null) {
            metrics.policyInfo.remove(pool.name, pool.policy.hash(), pool.policy.name());
        }
        pool.policy = policy;
        pool.series = metrics.series(pool.name, policy.hash());
        metrics.policyInfo.labels(pool.name, policy.hash(), policy.name()).set(1);
    }

    int port() {
        return server.actualPort();
    }

    RouterMetrics metrics() {
        return metrics;
    }

    @Override
    public void start(Promise<Void> started) {
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                .setConnectTimeout(2_000), new PoolOptions().setHttp1MaxSize(1_024));
        long interval = Math.max(1, Math.round(options.scrapeIntervalSeconds() * 1e3));
        vertx.setPeriodic(interval, id -> engines.forEach(this::refresh));
        if (policyFile != null) {
            long every = Math.max(1, Math.round(options.policyFilePollSeconds() * 1e3));
            vertx.setPeriodic(every, id -> pollPolicyFile());
        }
        server = vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true)).requestHandler(this::handle);
        io.vertx.core.Context loop = context;
        Future<?> listening = Future.fromCompletionStage(discovery.start(set -> loop.runOnContext(v -> reconcile(set))),
                        context)
                .compose(v -> server.listen(options.port(), options.host()));
        if (options.adminPort() >= 0) {
            adminServer = vertx.createHttpServer().requestHandler(new AdminApi(this)::handle);
            listening = listening.compose(s -> adminServer.listen(options.adminPort(), options.adminHost()));
        }
        listening.<Void>mapEmpty().onComplete(started);
    }

    @Override
    public void stop() {
        discovery.close();
    }

    /**
     * Follows discovery: a new engine joins the stable pool (offered to policies after its first scrape); one no
     * longer listed drains: nothing new is sent to it, and it leaves once its in-flight requests finish.
     */
    private void reconcile(List<Endpoint> set) {
        Set<Endpoint> listed = new HashSet<>(set);
        for (Endpoint e : set) {
            Upstream known = discovered.get(e);
            if (known != null) {
                known.draining = false; // listed again before it finished draining
                continue;
            }
            Upstream engine = new Upstream(nextEngineId++, e.url());
            engine.inflightGauge = metrics.inflight.labels(engine.toString());
            discovered.put(e, engine);
            engines.add(engine);
            Pool stable = pools.get(0);
            stable.cluster.add(engine);
            engine.pool = stable;
            LOG.info("engine " + engine.id + " discovered: " + e);
            refresh(engine);
        }
        for (Map.Entry<Endpoint, Upstream> e : List.copyOf(discovered.entrySet())) {
            if (!listed.contains(e.getKey()) && !e.getValue().draining) {
                e.getValue().draining = true;
                LOG.info("engine " + e.getValue().id + " no longer discovered: draining " + e.getValue().inflight()
                        + " requests in flight");
                leaveIfDrained(e.getValue());
            }
        }
    }

    /** A draining engine with nothing in flight leaves its pool, the router and the metrics. */
    private void leaveIfDrained(Upstream engine) {
        if (!engine.draining || engine.inflight() > 0) {
            return;
        }
        if (engine.pool != null) {
            engine.pool.cluster.remove(engine);
            engine.pool = null;
        }
        engines.remove(engine);
        discovered.values().remove(engine);
        metrics.inflight.remove(engine.toString());
        metrics.scrapeAge.remove(engine.toString());
    }

    int adminPort() {
        return adminServer == null ? -1 : adminServer.actualPort();
    }

    private void handle(HttpServerRequest req) {
        switch (req.path()) {
            case "/v1/completions" -> accept(req, false);
            case "/v1/chat/completions" -> accept(req, true);
            case "/v1/models" -> models(req);
            case "/health" -> req.response().end();
            case "/ready" -> req.response().setStatusCode(anyAccepting() ? 200 : 503).end();
            case "/metrics" -> {
                pools.forEach(p -> metrics.queueLength.labels(p.name).set(p.cluster.queueLength()));
                long now = System.nanoTime();
                engines.forEach(e -> metrics.scrapeAge.labels(e.toString()).set(e.scrapeAgeSeconds(now)));
                req.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                        .end(metrics.scrape());
            }
            default -> refuse(req.response(),
                    new OpenAiError(404, "NotFoundError", "Not Found: " + req.path(), "not-found"));
        }
    }

    private boolean anyAccepting() {
        return engines.stream().anyMatch(ReplicaView::accepting);
    }

    // ---- arrival, the queue, the policy --------------------------------------------------------------------------

    private void accept(HttpServerRequest req, boolean chat) {
        long arrival = System.nanoTime();
        if (req.method() != HttpMethod.POST) {
            req.response().putHeader(HttpHeaders.ALLOW, "POST");
            refuse(req.response(), new OpenAiError(405, "MethodNotAllowed", "Method Not Allowed", "method"));
            return;
        }
        if (lastArrivalNanos != 0) {
            metrics.interarrival.observe((arrival - lastArrivalNanos) / 1e9);
        }
        lastArrivalNanos = arrival;
        Pool pool = poolForArrival();
        RouterMetrics.PolicySeries series = pool.series;
        req.body().onSuccess(body -> {
            if (req.response().closed()) { // gone before its body was read: nothing to queue
                series.count(Outcome.CLIENT_DISCONNECTED);
                return;
            }
            ParsedRequest parsed;
            try {
                parsed = ParsedRequest.parse(body.getBytes(), chat);
            } catch (IllegalArgumentException e) {
                series.count(Outcome.BAD_REQUEST);
                refuse(req.response(), OpenAiError.badRequest(e.getMessage()));
                return;
            }
            if (queued() >= options.maxQueue()) {
                series.count(Outcome.QUEUE_FULL);
                req.response().putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
                refuse(req.response(), OpenAiError.queueFull(options.maxQueue()));
                return;
            }
            if (queuedTokens() + parsed.promptTokens() > options.maxQueueTokens() && queued() > 0) {
                series.count(Outcome.QUEUE_FULL); // one request alone is never refused for its size: the engine judges it
                req.response().putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
                refuse(req.response(), OpenAiError.queueFullOfTokens(options.maxQueueTokens(), parsed.promptTokens()));
                return;
            }
            RoutedRequest r = new RoutedRequest(nextId++, req, parsed, body, arrival, (arrival - startNanos) / 1e9);
            r.pool = pool.cluster.replicas().isEmpty() ? pools.get(0) : pool;
            r.series = r.pool.series;
            metrics.promptTokens.observe(parsed.promptTokens());
            req.response().closeHandler(v -> clientGone(r));
            enqueue(r);
            route(r.pool);
        });
    }

    /**
     * The stable pool, or the canary or control pool for its share of arrivals, deterministically: each one's share
     * accrues per arrival, and the first owed a whole arrival takes this one.
     */
    private Pool poolForArrival() {
        for (int i = 1; i < pools.size(); i++) {
            pools.get(i).credit += pools.get(i).share;
        }
        for (int i = 1; i < pools.size(); i++) {
            Pool pool = pools.get(i);
            if (pool.credit >= 1) {
                pool.credit -= 1;
                return pool;
            }
        }
        return pools.get(0);
    }

    private long queuedTokens() {
        long n = 0;
        for (Pool p : pools) {
            n += p.cluster.queuedTokens();
        }
        return n;
    }

    /** Requests in every pool's queue: the global queue's bound holds across pools. */
    private int queued() {
        int n = 0;
        for (Pool p : pools) {
            n += p.cluster.queueLength();
        }
        return n;
    }

    private void enqueue(RoutedRequest r) {
        r.state = RoutedRequest.State.QUEUED;
        r.engine = null;
        r.upstream = null;
        r.pool.cluster.enqueue(r);
        r.queueTimer = vertx.setTimer(Math.max(1, Math.round(options.maxQueueSeconds() * 1e3)), id -> queueTimeout(r));
    }

    private void dequeue(RoutedRequest r) {
        r.pool.cluster.dequeue(r);
        vertx.cancelTimer(r.queueTimer);
    }

    /** Asks the pool's policy what to send now; the sends apply once it has returned, so it sees a still queue. */
    private void route(Pool pool) {
        if (routing || pool.cluster.queueLength() == 0) {
            return;
        }
        routing = true;
        try {
            pool.runtime.route();
        } finally {
            routing = false;
        }
    }

    /** The live cluster of one pool as the policy runtime checks and carries out sends. */
    private final class Routing implements Cluster<RoutedRequest, Upstream> {
        private final Pool pool;

        Routing(Pool pool) {
            this.pool = pool;
        }

        @Override
        public RoutedRequest request(RequestView view) {
            return view instanceof RoutedRequest r && r.pool == pool ? r : null;
        }

        @Override
        public Upstream replica(ReplicaView view) {
            return view instanceof Upstream u && u.pool == pool ? u : null;
        }

        @Override
        public boolean queued(RoutedRequest request) {
            return request.state == RoutedRequest.State.QUEUED;
        }

        @Override
        public String state(RoutedRequest request) {
            return request.state.name().toLowerCase(Locale.ROOT);
        }

        @Override
        public String state(Upstream replica) {
            return replica.draining ? "draining (leaving discovery)" : "out of service (failed, awaiting /health)";
        }

        @Override
        public int sentInCall(RoutedRequest request) {
            return request.routeCall;
        }

        @Override
        public void accept(RoutedRequest request, Upstream replica, int call, int priority) {
            request.routeCall = call;
            request.priority = priority;
            request.series = pool.series;
            accepted.add(request);
            acceptedEngines.add(replica);
        }

        @Override
        public void dequeueSent() {
            for (int i = 0; i < accepted.size(); i++) {
                send(accepted.get(i), acceptedEngines.get(i));
            }
            accepted.clear();
            acceptedEngines.clear();
        }
    }

    private void queueTimeout(RoutedRequest r) {
        if (r.state != RoutedRequest.State.QUEUED) {
            return;
        }
        dequeue(r);
        end(r, Outcome.QUEUE_TIMEOUT);
        r.client.response().putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        refuse(r.client.response(), OpenAiError.queueTimeout(options.maxQueueSeconds()));
    }

    private void clientGone(RoutedRequest r) {
        HttpClientRequest abandoned = null;
        switch (r.state) {
            case QUEUED -> dequeue(r);
            case SENT, STREAMING -> abandoned = r.upstream; // vLLM frees its KV blocks when it is reset
            case DONE -> {
                return;
            }
        }
        end(r, Outcome.CLIENT_DISCONNECTED);
        abort(abandoned); // after end(): its callbacks must not retry a request whose client is gone
    }

    /**
     * The request leaves the router: its engine holds it no more, and the policy may send what waits. Called before
     * the client's response ends, so that whoever reads the answer finds it counted.
     */
    private void end(RoutedRequest r, Outcome outcome) {
        r.state = RoutedRequest.State.DONE;
        vertx.cancelTimer(r.firstByteTimer);
        Pool freed = r.pool;
        if (r.engine != null) {
            r.engine.finished(r);
            r.engine.inflightGauge.set(r.engine.inflight());
            freed = r.engine.pool;
            leaveIfDrained(r.engine);
        }
        r.series.count(outcome);
        if (outcome == Outcome.COMPLETED) {
            r.series.e2e.observe((System.nanoTime() - r.arrivalNanos) / 1e9);
            if (r.parsed.stream()) {
                metrics.outputTokens.observe(r.streamed.count());
            }
        }
        route(freed);
    }

    // ---- the exchange with an engine -----------------------------------------------------------------------------

    private void send(RoutedRequest r, Upstream engine) {
        dequeue(r);
        if (r.attempts == 0) {
            r.series.queueWait.observe((System.nanoTime() - r.arrivalNanos) / 1e9);
        }
        r.series.decisions.inc();
        int attempt = ++r.attempts;
        r.state = RoutedRequest.State.SENT;
        r.engine = engine;
        engine.sent(r);
        if (options.firstByteTimeoutSeconds() > 0) {
            r.firstByteTimer = vertx.setTimer(Math.max(1, Math.round(options.firstByteTimeoutSeconds() * 1e3)), id -> {
                if (!stale(r, attempt) && r.state == RoutedRequest.State.SENT) {
                    failedBeforeFirstByte(r, "no first byte within " + options.firstByteTimeoutSeconds()
                            + " s (--first-byte-timeout)");
                }
            });
        }
        engine.inflightGauge.set(engine.inflight());
        Buffer body = options.priorityScheduling() ? Buffer.buffer(r.parsed.withPriority(r.priority)) : r.body;
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST)
                .setAbsoluteURI(engine.target(r.client.uri()));
        client.request(request).onComplete(created -> {
            if (stale(r, attempt)) {
                if (created.succeeded()) {
                    created.result().reset();
                }
                return;
            }
            if (created.failed()) {
                failedBeforeFirstByte(r, created.cause().toString());
                return;
            }
            r.upstream = created.result();
            copyHeaders(r.client.headers(), r.upstream.headers());
            r.upstream.send(body).onComplete(answered -> {
                if (stale(r, attempt)) {
                    return;
                }
                if (answered.failed()) {
                    failedBeforeFirstByte(r, answered.cause().toString());
                } else {
                    relay(r, answered.result(), attempt);
                }
            });
        });
    }

    /** A callback of an attempt the request has moved on from (retried, finished, its client gone). */
    private static boolean stale(RoutedRequest r, int attempt) {
        return r.attempts != attempt || r.state == RoutedRequest.State.DONE || r.state == RoutedRequest.State.QUEUED;
    }

    private void relay(RoutedRequest r, HttpClientResponse answer, int attempt) {
        HttpServerResponse res = r.client.response();
        answer.handler(chunk -> {
            if (stale(r, attempt)) {
                return;
            }
            if (r.state == RoutedRequest.State.SENT) {
                if (failedBeforeFirstToken(r, answer, chunk)) {
                    failedBeforeFirstByte(r, "the engine failed the request before its first token: "
                            + answer.statusCode() + " " + chunk);
                    return;
                }
                firstByte(r, answer);
            }
            if (r.parsed.stream()) {
                int before = r.streamed.count();
                r.streamed.accept(chunk);
                tokens(r, r.streamed.count() - before);
            }
            res.write(chunk);
            if (res.writeQueueFull()) { // backpressure: read from the engine no faster than the client reads
                answer.pause();
                res.drainHandler(v -> answer.resume());
            }
        });
        answer.exceptionHandler(e -> {
            if (!stale(r, attempt)) {
                failed(r, e.toString());
            }
        });
        answer.endHandler(v -> {
            if (stale(r, attempt)) {
                return;
            }
            if (r.state == RoutedRequest.State.SENT) {
                if (answer.statusCode() >= 500) {
                    failedBeforeFirstByte(r, "the engine answered " + answer.statusCode() + " with no body");
                    return;
                }
                firstByte(r, answer);
            }
            end(r, answer.statusCode() / 100 == 2 ? Outcome.COMPLETED : Outcome.ENGINE_ERROR);
            res.end();
        });
    }

    /** A 5xx, or a stream whose first event is an error: what vLLM sends when its engine dies under a request. */
    private static boolean failedBeforeFirstToken(RoutedRequest r, HttpClientResponse answer, Buffer firstChunk) {
        return answer.statusCode() >= 500
                || r.parsed.stream() && firstChunk.toString().startsWith("data: {\"error\"");
    }

    private void firstByte(RoutedRequest r, HttpClientResponse answer) {
        r.state = RoutedRequest.State.STREAMING;
        vertx.cancelTimer(r.firstByteTimer);
        r.engine.firstToken(r);
        if (r.parsed.stream()) {
            r.series.ttft.observe((System.nanoTime() - r.arrivalNanos) / 1e9);
        }
        HttpServerResponse res = r.client.response();
        res.setStatusCode(answer.statusCode()).setStatusMessage(answer.statusMessage());
        copyHeaders(answer.headers(), res.headers());
        String length = answer.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            res.putHeader(HttpHeaders.CONTENT_LENGTH, length);
        } else {
            res.setChunked(true);
        }
    }

    /** Inter-token latency: the gap since the last output event, then 0 for the others that came with it. */
    private static void tokens(RoutedRequest r, int events) {
        if (events <= 0) {
            return;
        }
        long now = System.nanoTime();
        if (r.lastTokenNanos > 0) {
            r.series.itl.observe((now - r.lastTokenNanos) / 1e9);
            events--;
        } else {
            events--; // the first token is TTFT's, not an inter-token gap
        }
        for (; events > 0; events--) {
            r.series.itl.observe(0);
        }
        r.lastTokenNanos = now;
    }

    /** Nothing reached the client yet: the engine is taken out until healthy, and the request tries another. */
    private void failedBeforeFirstByte(RoutedRequest r, String reason) {
        Upstream engine = r.engine;
        engine.failed();
        engine.finished(r);
        engine.inflightGauge.set(engine.inflight());
        leaveIfDrained(engine);
        HttpClientRequest abandoned = r.upstream;
        if (r.attempts < MAX_ATTEMPTS) {
            if (!pools.contains(r.pool)) { // its canary or control pool ended while it was in flight
                r.pool = pools.get(0);
            }
            enqueue(r);
            route(r.pool);
        } else {
            end(r, Outcome.UPSTREAM_FAILED);
            refuse(r.client.response(), OpenAiError.upstreamFailed("the request failed on " + r.attempts
                    + " engines before its first token; the last said: " + reason));
        }
        abort(abandoned);
    }

    /**
     * Resets an engine request the router gave up on (vLLM aborts it). Only once the request has moved on: a reset
     * fails the exchange's futures at once, on this thread, and its callbacks must find their attempt over.
     */
    private static void abort(HttpClientRequest upstream) {
        if (upstream != null) {
            upstream.reset();
        }
    }

    /** After the first byte: a stream ends with an OpenAI-style error event, anything else is cut. */
    private void failed(RoutedRequest r, String reason) {
        if (r.state == RoutedRequest.State.SENT) {
            failedBeforeFirstByte(r, reason);
            return;
        }
        end(r, Outcome.UPSTREAM_FAILED);
        HttpServerResponse res = r.client.response();
        if (r.parsed.stream()) {
            res.end("data: " + OpenAiError.upstreamFailed("the engine failed mid-stream: " + reason).json()
                    + "\n\ndata: [DONE]\n\n");
        } else {
            res.reset();
        }
    }

    private static void copyHeaders(MultiMap from, MultiMap to) {
        from.forEach(h -> {
            if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                to.add(h.getKey(), h.getValue());
            }
        });
    }

    private static void refuse(HttpServerResponse res, OpenAiError error) {
        if (res.ended() || res.closed()) {
            return;
        }
        res.setStatusCode(error.status()).putHeader(OpenAiError.REASON_HEADER, error.reason())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(error.json());
    }

    // ---- policy changes without a restart (admin API, watched file) ---------------------------------------------

    /**
     * A hot swap in the stable pool, and in the control pool, which runs the stable policy: queued and in-flight
     * requests stay; the old policy becomes the last good one.
     */
    void install(LoadedPolicy policy) {
        for (Pool pool : List.copyOf(pools)) {
            if (!pool.name.equals(Pool.CANARY)) {
                replace(pool, policy);
                LOG.info("installed " + pool);
                route(pool);
            }
        }
    }

    /**
     * Moves {@code engineIds} from the stable pool into a canary pool run by {@code policy}, which then receives
     * {@code share} of arrivals (NaN: its engines' fraction). With {@code control}, as many of the last other stable
     * engines form a control pool under the stable policy with the same share. Requests in flight on the engines that
     * move finish there.
     */
    void startCanary(LoadedPolicy policy, List<Integer> engineIds, double share, boolean control) {
        if (pools.size() > 1) {
            throw new IllegalStateException("a canary already runs (" + pools.get(1) + "): promote or roll it back first");
        }
        Pool stable = pools.get(0);
        List<Upstream> moving = new ArrayList<>();
        for (int id : engineIds) {
            Upstream e = engines.stream().filter(u -> u.id == id).findFirst().orElse(null);
            if (e == null || e.pool != stable || e.draining) {
                throw new IllegalArgumentException("engine " + id + " is not in the stable pool (its engines: "
                        + stable.cluster.replicas().stream().map(u -> u.id).toList() + ")");
            }
            if (!moving.contains(e)) {
                moving.add(e);
            }
        }
        int stableEngines = stable.cluster.replicas().size();
        if (moving.isEmpty() || moving.size() >= stableEngines) {
            throw new IllegalArgumentException("a canary needs at least one engine and must leave one to the stable"
                    + " pool; the stable pool has " + stableEngines);
        }
        // the control: the last engines the canary leaves, none draining (its ids as predictable as the canary's)
        List<Upstream> left = stable.cluster.replicas().stream().filter(u -> !moving.contains(u) && !u.draining)
                .toList();
        List<Upstream> baseline = control ? left.subList(Math.max(0, left.size() - moving.size()), left.size())
                : List.of();
        if (control && (baseline.size() < moving.size() || 2 * moving.size() >= stableEngines)) {
            throw new IllegalArgumentException("a canary of " + moving.size() + " engine(s) with a control pool needs "
                    + (2 * moving.size() + 1) + " engines (as many for the control and one left to the stable pool);"
                    + " the stable pool has " + stableEngines + ": ask for fewer canary engines or control: false");
        }
        double fraction = Double.isNaN(share) ? (double) moving.size() / stableEngines : share;
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("share must be between 0 and 1 (exclusive), got " + share);
        }
        if (control && fraction >= 0.5) {
            throw new IllegalArgumentException("share must be below 0.5 with a control pool, which takes as much,"
                    + " got " + fraction);
        }
        moving.forEach(stable.cluster::remove);
        baseline.forEach(stable.cluster::remove);
        Pool canary = newPool(Pool.CANARY, policy, moving);
        canary.share = fraction;
        pools.add(canary);
        LOG.info("canary: " + canary + " on engines " + engineIds + " with " + fraction + " of arrivals");
        if (control) {
            Pool controlPool = newPool(Pool.CONTROL, stable.policy, baseline);
            controlPool.share = fraction;
            pools.add(controlPool);
            LOG.info("control: " + controlPool + " on engines " + baseline.stream().map(u -> u.id).toList()
                    + " with " + fraction + " of arrivals");
        }
    }

    private void replace(Pool pool, LoadedPolicy policy) {
        if (pool.runtime.install(policy.router().get(), policy.batchPriority().get())) {
            pool.lastGood = pool.policy;
        }
        setPolicy(pool, policy);
    }

    /** The canary's policy runs everywhere: its and the control's engines and queued requests join the stable pool. */
    void promote() {
        Pool canary = canary();
        Pool stable = pools.get(0);
        replace(stable, canary.policy);
        mergeAll();
        LOG.info("promoted the canary: " + stable);
    }

    /** The canary ends: its and the control's engines and queued requests return to the stable pool and policy. */
    void rollback() {
        Pool canary = canary();
        mergeAll();
        LOG.info("rolled back the canary " + canary.policy.name() + " (" + canary.policy.hash() + ")");
    }

    private void mergeAll() {
        for (Pool pool : List.copyOf(pools.subList(1, pools.size()))) {
            merge(pool);
        }
    }

    private Pool canary() {
        if (pools.size() < 2) {
            throw new IllegalStateException("no canary runs");
        }
        return pools.get(1);
    }

    /** Ends a canary or control pool: engines and queue (in arrival order) to the stable pool; none lost or resent. */
    private void merge(Pool ending) {
        Pool stable = pools.get(0);
        for (Upstream e : List.copyOf(ending.cluster.replicas())) {
            ending.cluster.remove(e);
            stable.cluster.add(e);
            e.pool = stable;
        }
        for (RoutedRequest r : ending.cluster.drain()) {
            r.pool = stable;
            stable.cluster.enqueue(r);
        }
        pools.remove(ending);
        metrics.policyInfo.remove(ending.name, ending.policy.hash(), ending.policy.name());
        metrics.queueLength.labels(ending.name).set(0);
        route(stable);
    }

    /** What runs where, for the admin API. */
    List<Pool> pools() {
        return pools;
    }

    void pollPolicyFile() {
        policyFile.poll(vertx, this::install, metrics);
    }

    // ---- engine state and the models list ------------------------------------------------------------------------

    /** A scrape of the engine's {@code /metrics}; an engine out of service must first answer {@code /health}. */
    private void refresh(Upstream engine) {
        if (engine.refreshing || engine.draining) {
            return;
        }
        engine.refreshing = true;
        Upstream.ScrapeIssued issued = engine.issueScrape();
        Future<Buffer> health = engine.healthy() ? Future.succeededFuture() : get(engine, "/health");
        health.compose(ok -> get(engine, "/metrics")).onComplete(scraped -> {
            engine.refreshing = false;
            if (scraped.failed()) {
                engine.failed();
                return;
            }
            List<VllmMetrics> engines = EngineScrape.engines(scraped.result().toString());
            if (engines.isEmpty()) {
                engine.failed();
                return;
            }
            engine.scraped(engines.get(0), issued, System.nanoTime());
            if (engine.pool != null) {
                route(engine.pool);
            }
        });
    }

    private Future<Buffer> get(Upstream engine, String path) {
        RequestOptions get = new RequestOptions().setMethod(HttpMethod.GET)
                .setAbsoluteURI(engine.url.resolve(path).toString()).setIdleTimeout(2_000);
        // body() inside send(): asked one stage later, the response may already have ended (Vert.x #4705)
        return client.request(get).compose(req -> req.send().compose(res -> res.statusCode() == 200 ? res.body()
                : Future.failedFuture(path + " answered " + res.statusCode())));
    }

    private void models(HttpServerRequest req) {
        Upstream engine = engines.stream().filter(Upstream::healthy).findFirst().orElse(null);
        if (engine == null) {
            refuse(req.response(), OpenAiError.noEngine("no engine is ready"));
            return;
        }
        get(engine, "/v1/models").onComplete(models -> {
            if (models.failed()) {
                refuse(req.response(), OpenAiError.upstreamFailed(String.valueOf(models.cause().getMessage())));
            } else {
                req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(models.result());
            }
        });
    }
}
