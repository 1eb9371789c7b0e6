package dev.glia.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import java.util.Arrays;
import java.util.concurrent.TimeoutException;

/**
 * One planned request on the wire: its attempts, and what the client measured, the way vLLM's
 * serving benchmark measures it. TTFT is the arrival of the first chunk with text; each later
 * chunk adds one inter-token latency per token it carries (its gap shared among them); the
 * request ends with its last token. Attempts that fail before any token arrived are retried when
 * the failure can pass (429, 503, 5xx, lost connection), after the server's Retry-After or an
 * exponential back-off; a request that fails for good keeps the reason of its last attempt.
 * Lives on the load generator's event loop: no locking.
 */
final class Exchange {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_EVENT_BYTES = 1 << 20;
    private static final int MAX_REASON_BYTES = 300;

    final int index;
    final int promptTokens;
    final int outputTokens;
    /** When the plan wanted it sent, in nanoseconds from the start of the run (as are the times below). */
    final long plannedAt;
    long sentAt = -1;
    long firstTokenAt = -1;
    long lastTokenAt = -1;
    /** Tokens counted from the stream; the usage chunk's figure wins when the server sends one. */
    int tokens;
    int usageTokens = -1;
    int status;
    int attempts;
    boolean completed;
    ErrorKind error;
    String reason;
    /** Seconds as floats: a long run keeps every gap of every stream, and microseconds are precision enough. */
    private float[] itl = new float[16];
    private int itlCount;

    private final LoadGenerator generator;
    private Runnable onDone;
    /** The server of the attempt in flight, or -1. */
    private int target = -1;
    /** The attempt in progress, 0 between attempts: late callbacks of an attempt given up are ignored. */
    private int live;
    private HttpClientRequest request;
    private long timer = -1;
    private boolean sawDone;
    /** The response of the attempt was read to its end: its connection can serve the next request. */
    private boolean responseEnded;

    Exchange(LoadGenerator generator, int index, int promptTokens, int outputTokens, long plannedAt) {
        this.generator = generator;
        this.index = index;
        this.promptTokens = promptTokens;
        this.outputTokens = outputTokens;
        this.plannedAt = plannedAt;
    }

    void start(Runnable whenDone) {
        this.onDone = whenDone;
        sentAt = generator.now();
        send();
    }

    /** Tokens received: the usage chunk's count, else the stream's. */
    int received() {
        return usageTokens >= 0 ? usageTokens : tokens;
    }

    /** Inter-token latencies in wall seconds. */
    double[] interTokenLatencies() {
        double[] out = new double[itlCount];
        for (int i = 0; i < itlCount; i++) {
            out[i] = itl[i];
        }
        return out;
    }

    private void send() {
        int attempt = ++attempts;
        live = attempt;
        sawDone = false;
        responseEnded = false;
        request = null;
        Buffer body = Buffer.buffer(generator.endpoint().body(generator.model(), generator.plan().promptIds(index),
                outputTokens));
        timer = generator.vertx().setTimer(generator.timeoutMillis(), id -> {
            timer = -1;
            fail(attempt, ErrorKind.TIMEOUT, "no complete answer within " + generator.timeoutMillis() / 1000.0 + " s", -1);
        });
        target = generator.pickTarget();
        generator.client().request(generator.requestOptions(index, target))
                .compose(req -> {
                    if (live != attempt) {
                        req.reset();
                        return Future.failedFuture("given up");
                    }
                    request = req;
                    return req.send(body);
                })
                .onSuccess(response -> respond(attempt, response))
                .onFailure(t -> fail(attempt, kindOf(t), describe(t), -1));
    }

    private void respond(int attempt, HttpClientResponse response) {
        if (live != attempt) {
            return;
        }
        status = response.statusCode();
        if (status != 200) {
            double retryAfter = retryAfter(response.getHeader("Retry-After"));
            Buffer text = Buffer.buffer();
            response.handler(b -> text.appendBuffer(b, 0, Math.min(b.length(), MAX_REASON_BYTES - text.length())));
            response.exceptionHandler(t -> fail(attempt, ErrorKind.ofStatus(status), "HTTP " + status, retryAfter));
            response.endHandler(v -> {
                responseEnded = true;
                fail(attempt, ErrorKind.ofStatus(status), ("HTTP " + status + " " + text.toString().strip()).strip(),
                        retryAfter);
            });
            return;
        }
        EventStream stream = new EventStream(MAX_EVENT_BYTES, data -> event(attempt, data));
        response.handler(b -> {
            if (live != attempt) {
                return;
            }
            try {
                stream.feed(b);
            } catch (EventStream.MalformedStream e) {
                fail(attempt, ErrorKind.MALFORMED, e.getMessage(), -1);
            }
        });
        response.exceptionHandler(t -> fail(attempt, kindOf(t), describe(t), -1));
        response.endHandler(v -> {
            responseEnded = true;
            if (!sawDone) {
                fail(attempt, ErrorKind.MALFORMED, stream.hasPartialEvent() ? "the stream ended inside an event"
                        : "the stream ended without data: [DONE]", -1);
            } else if (tokens == 0) {
                fail(attempt, ErrorKind.MALFORMED, "the stream carried no token", -1);
            } else {
                succeed(attempt);
            }
        });
    }

    private void event(int attempt, String data) {
        if (live != attempt) {
            return;
        }
        if (data.equals("[DONE]")) {
            sawDone = true;
            return;
        }
        JsonNode chunk;
        try {
            chunk = JSON.readTree(data);
        } catch (JsonProcessingException e) {
            throw new EventStream.MalformedStream("data that is not JSON: " + abbreviate(data));
        }
        if (chunk.has("error")) {
            fail(attempt, ErrorKind.SERVER_ERROR, "error event: " + abbreviate(chunk.path("error").toString()), -1);
            return;
        }
        JsonNode choice = chunk.path("choices").path(0);
        if (!choice.isMissingNode() && !generator.endpoint().text(choice).isEmpty()) {
            token(tokensIn(choice));
        }
        JsonNode usage = chunk.path("usage");
        if (usage.has("completion_tokens")) {
            usageTokens = usage.get("completion_tokens").asInt();
        }
    }

    /** Tokens a chunk carries, where the server says (vLLM's token_ids, or logprobs); else one. */
    private static int tokensIn(JsonNode choice) {
        int ids = choice.path("token_ids").size();
        int logprobs = choice.path("logprobs").path("tokens").size();
        return ids > 0 ? ids : logprobs > 0 ? logprobs : 1;
    }

    private void token(int n) {
        long now = generator.now();
        if (firstTokenAt < 0) {
            firstTokenAt = now;
        } else {
            double gap = (now - lastTokenAt) / 1e9 / n;
            for (int k = 0; k < n; k++) {
                if (itlCount == itl.length) {
                    itl = Arrays.copyOf(itl, 2 * itlCount);
                }
                itl[itlCount++] = (float) gap;
            }
        }
        lastTokenAt = now;
        tokens += n;
    }

    private void succeed(int attempt) {
        if (live != attempt) {
            return;
        }
        endAttempt();
        completed = true;
        error = null;
        reason = null;
        onDone.run();
    }

    /** Ends the attempt with a failure: retried if it can pass and nothing was streamed yet, else final. */
    private void fail(int attempt, ErrorKind kind, String why, double retryAfterSeconds) {
        if (live != attempt) {
            return;
        }
        endAttempt();
        if (request != null && !responseEnded) {
            request.reset(); // a stream given up mid-way must not return to the pool
        }
        generator.countError(kind);
        error = kind;
        reason = why;
        if (kind.retryable() && tokens == 0 && attempts <= generator.retries()) {
            double wait = retryAfterSeconds >= 0 ? retryAfterSeconds : Math.min(30, 0.5 * Math.pow(2, attempts - 1));
            generator.countRetry();
            generator.vertx().setTimer(Math.max(1, Math.round(wait * 1000)), id -> send());
            return;
        }
        onDone.run();
    }

    private void endAttempt() {
        live = 0;
        if (target >= 0) {
            generator.release(target);
            target = -1;
        }
        if (timer >= 0) {
            generator.vertx().cancelTimer(timer);
            timer = -1;
        }
    }

    /** Retry-After in seconds (delay-seconds; fractions accepted), or -1 when absent or a date. */
    static double retryAfter(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Math.max(0, Double.parseDouble(header.strip()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static ErrorKind kindOf(Throwable t) {
        return t instanceof TimeoutException ? ErrorKind.TIMEOUT : ErrorKind.CONNECTION;
    }

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    private static String abbreviate(String s) {
        return s.length() <= MAX_REASON_BYTES ? s : s.substring(0, MAX_REASON_BYTES) + "...";
    }
}
