package dev.glia.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * An OpenAI-compatible streaming server for tests that speaks vLLM's SSE wire format strictly:
 * token-ID (or chat) prompts, {@code stream}, {@code ignore_eos}, a positive {@code max_tokens} and
 * {@code stream_options.include_usage} are required (400 with vLLM's error body otherwise); after
 * {@code ttft} it streams one token per chunk every {@code itl} as {@code data: {json}\n\n}, the last
 * with {@code finish_reason: "length"}, then the usage chunk with empty choices, then
 * {@code data: [DONE]\n\n}. A script chooses a fault per (X-Request-Id, attempt): 429 with
 * Retry-After, 503, 500, 400, a connection reset after some tokens, a malformed chunk, an early
 * stop (ignore_eos not honoured), or a stall.
 */
final class FakeVllmServer implements AutoCloseable {
    static final String MODEL = "fake/llama-3-8b";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the server does with one attempt. */
    sealed interface Fault {
        record None() implements Fault {
        }

        record Status(int code, String retryAfter) implements Fault {
        }

        record ResetAfter(int tokens) implements Fault {
        }

        record MalformedChunk() implements Fault {
        }

        /** Stops after this many tokens with finish_reason "stop", as a server that ignores ignore_eos. */
        record StopAfter(int tokens) implements Fault {
        }

        /** Waits this long before the first token. */
        record Stall(long millis) implements Fault {
        }
    }

    static final Fault NONE = new Fault.None();

    /** One accepted request, as the server read it. */
    record Seen(int requestId, int promptTokens, int maxTokens, long arrivedNanos) {
    }

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    private final HttpServer server;
    private final long ttftMillis;
    private final long itlMillis;
    private volatile BiFunction<Integer, Integer, Fault> script = (id, attempt) -> NONE;
    private final Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();
    final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    final List<String> invalid = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger streaming = new AtomicInteger();
    final AtomicInteger maxStreaming = new AtomicInteger();

    FakeVllmServer(long ttftMillis, long itlMillis) {
        this.ttftMillis = ttftMillis;
        this.itlMillis = itlMillis;
        this.server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().join();
    }

    FakeVllmServer script(BiFunction<Integer, Integer, Fault> faults) {
        this.script = faults;
        return this;
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    private void handle(HttpServerRequest req) {
        if (req.method().name().equals("GET") && req.path().equals("/v1/models")) {
            req.response().putHeader("Content-Type", "application/json")
                    .end("{\"object\":\"list\",\"data\":[{\"id\":\"" + MODEL + "\",\"object\":\"model\",\"owned_by\":\"vllm\"}]}");
            return;
        }
        boolean chat = req.path().equals("/v1/chat/completions");
        if (!req.method().name().equals("POST") || !(chat || req.path().equals("/v1/completions"))) {
            error(req.response(), 404, "NotFoundError", "no route " + req.path());
            return;
        }
        req.body().onSuccess(body -> {
            long arrived = System.nanoTime();
            JsonNode json;
            try {
                json = JSON.readTree(body.getBytes());
            } catch (java.io.IOException e) {
                reject(req, "body is not JSON");
                return;
            }
            String problem = validate(json, chat);
            if (problem != null) {
                reject(req, problem);
                return;
            }
            String header = req.getHeader("X-Request-Id");
            // a plan's requests carry their index; warm-up requests ("warmup-<i>") are scripted as -1 - i
            int id = header.startsWith("warmup-") ? -1 - Integer.parseInt(header.substring(7)) : Integer.parseInt(header);
            int attempt = attempts.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            int prompt = chat ? json.path("messages").path(0).path("content").asText().split(" ").length
                    : json.path("prompt").size();
            int maxTokens = json.path(chat ? "max_completion_tokens" : "max_tokens").asInt();
            Fault fault = script.apply(id, attempt);
            if (fault instanceof Fault.Status s) {
                if (s.retryAfter() != null) {
                    req.response().putHeader("Retry-After", s.retryAfter());
                }
                error(req.response(), s.code(), s.code() == 429 ? "TooManyRequests" : "ServiceError", "injected");
                return;
            }
            seen.add(new Seen(id, prompt, maxTokens, arrived));
            stream(req, chat, prompt, maxTokens, fault);
        });
    }

    /** The checks vLLM's serving benchmark relies on: what it sends is what this server demands. */
    private static String validate(JsonNode json, boolean chat) {
        if (!MODEL.equals(json.path("model").asText())) {
            return "The model `" + json.path("model").asText() + "` does not exist.";
        }
        if (!json.path("stream").asBoolean(false)) {
            return "stream must be true";
        }
        if (!json.path("stream_options").path("include_usage").asBoolean(false)) {
            return "stream_options.include_usage must be true";
        }
        if (!json.path("ignore_eos").asBoolean(false)) {
            return "ignore_eos must be true";
        }
        JsonNode max = json.path(chat ? "max_completion_tokens" : "max_tokens");
        if (!max.isInt() || max.asInt() < 1) {
            return "max_tokens must be a positive integer";
        }
        if (chat) {
            JsonNode m = json.path("messages").path(0);
            return m.path("role").asText().equals("user") && m.path("content").isTextual() ? null : "bad messages";
        }
        JsonNode prompt = json.path("prompt");
        if (!prompt.isArray() || prompt.isEmpty()) {
            return "prompt must be a non-empty list of token ids";
        }
        for (JsonNode id : prompt) {
            if (!id.isInt() || id.asInt() < 0 || id.asInt() >= 128_000) {
                return "token id out of vocabulary: " + id;
            }
        }
        return null;
    }

    private void stream(HttpServerRequest req, boolean chat, int prompt, int maxTokens, Fault fault) {
        HttpServerResponse resp = req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
        int now = streaming.incrementAndGet();
        maxStreaming.accumulateAndGet(now, Math::max);
        AtomicBoolean over = new AtomicBoolean();
        Runnable leave = () -> {
            if (over.compareAndSet(false, true)) {
                streaming.decrementAndGet();
            }
        };
        resp.closeHandler(v -> leave.run());
        resp.endHandler(v -> leave.run());
        long first = ttftMillis + (fault instanceof Fault.Stall s ? s.millis() : 0);
        String id = (chat ? "chatcmpl-" : "cmpl-") + req.getHeader("X-Request-Id");
        if (chat) {
            resp.write(event(chunk(id, chat, "", null, true)));
        }
        AtomicInteger sent = new AtomicInteger();
        vertx.setTimer(Math.max(1, first), t -> emit(resp, id, chat, prompt, maxTokens, fault, sent));
    }

    private void emit(HttpServerResponse resp, String id, boolean chat, int prompt, int maxTokens, Fault fault,
                      AtomicInteger sent) {
        if (resp.closed()) {
            return;
        }
        if (fault instanceof Fault.ResetAfter r && sent.get() == r.tokens()) {
            resp.reset();
            return;
        }
        if (fault instanceof Fault.MalformedChunk && sent.get() == 1) {
            resp.write("data: {\"choices\": [\n\n");
        }
        int n = sent.incrementAndGet();
        boolean stop = fault instanceof Fault.StopAfter s && n == s.tokens();
        boolean last = n == maxTokens || stop;
        resp.write(event(chunk(id, chat, " tok" + n, stop ? "stop" : last ? "length" : null, false)));
        if (!last) {
            vertx.setTimer(Math.max(1, itlMillis), t -> emit(resp, id, chat, prompt, maxTokens, fault, sent));
            return;
        }
        ObjectNode usage = base(id, chat);
        usage.putArray("choices");
        usage.putObject("usage").put("prompt_tokens", prompt).put("total_tokens", prompt + n)
                .put("completion_tokens", n);
        resp.write(event(usage));
        resp.end("data: [DONE]\n\n");
    }

    private static ObjectNode chunk(String id, boolean chat, String text, String finish, boolean role) {
        ObjectNode c = base(id, chat);
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat) {
            ObjectNode delta = choice.putObject("delta");
            if (role) {
                delta.put("role", "assistant");
            }
            delta.put("content", text);
        } else {
            choice.put("text", text);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finish);
        choice.putNull("stop_reason");
        c.putNull("usage");
        return c;
    }

    private static ObjectNode base(String id, boolean chat) {
        ObjectNode c = JSON.createObjectNode();
        c.put("id", id);
        c.put("object", chat ? "chat.completion.chunk" : "text_completion");
        c.put("created", TimeUnit.MILLISECONDS.toSeconds(System.currentTimeMillis()));
        c.put("model", MODEL);
        return c;
    }

    private static String event(ObjectNode json) {
        return "data: " + json + "\n\n";
    }

    private void reject(HttpServerRequest req, String problem) {
        invalid.add(problem);
        error(req.response(), 400, "BadRequestError", problem);
    }

    /** vLLM's error body. */
    private static void error(HttpServerResponse resp, int code, String type, String message) {
        ObjectNode e = JSON.createObjectNode();
        e.putObject("error").put("message", message).put("type", type).put("param", (String) null).put("code", code);
        resp.setStatusCode(code).putHeader("Content-Type", "application/json").end(e.toString());
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
