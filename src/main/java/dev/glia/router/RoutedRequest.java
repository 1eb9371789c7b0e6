package dev.glia.router;

import dev.glia.policy.RequestView;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServerRequest;

/**
 * One client request from arrival to its last byte, as the router accounts for it. Touched only on the router's
 * event loop.
 */
final class RoutedRequest implements RequestView {
    enum State { QUEUED, SENT, STREAMING, DONE }

    final long id;
    final HttpServerRequest client;
    final ParsedRequest parsed;
    final Buffer body;
    final long arrivalNanos;
    private final double arrivalTime;
    State state = State.QUEUED;
    /** The engine it was last sent to; null while queued. */
    Upstream engine;
    /** The request to the engine in flight; null before it is sent. */
    HttpClientRequest upstream;
    /** Engines tried so far: a failure before the first byte retries on another, a bounded number of times. */
    int attempts;
    long queueTimer = -1;
    /** The timer of {@code --first-byte-timeout} for the current attempt; -1 when none. */
    long firstByteTimer = -1;
    final TextEvents streamed = new TextEvents();
    int priority;
    /** The pool whose queue holds it, or whose policy sent it. */
    Pool pool;
    /** The series of the pool and policy that last held it: where its outcome and latencies are counted. */
    RouterMetrics.PolicySeries series;
    /** When its last output event arrived, for inter-token latency; 0 before the first. */
    long lastTokenNanos;
    /** The routing call that last sent it, to catch a router sending it twice in one call. */
    int routeCall = -1;

    RoutedRequest(long id, HttpServerRequest client, ParsedRequest parsed, Buffer body, long arrivalNanos,
            double arrivalTime) {
        this.id = id;
        this.client = client;
        this.parsed = parsed;
        this.body = body;
        this.arrivalNanos = arrivalNanos;
        this.arrivalTime = arrivalTime;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public double arrivalTime() {
        return arrivalTime;
    }

    @Override
    public int promptTokens() {
        return parsed.promptTokens();
    }

    /** Events with output text streamed so far, one per decoding step as vLLM streams; 0 when not streamed. */
    @Override
    public int generatedTokens() {
        return streamed.count();
    }

    @Override
    public int priority() {
        return priority;
    }
}
