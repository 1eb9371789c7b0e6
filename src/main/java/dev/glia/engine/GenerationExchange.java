package dev.glia.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;

/**
 * One generation request between the client and the engine: the engine's events, which come from its clock thread,
 * are moved onto the connection's event loop and written as vLLM writes them — SSE chunks in vLLM's shapes when
 * streaming, one response with the usage otherwise. A client that goes away aborts the request in the engine.
 */
final class GenerationExchange implements GenerationListener {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServingRequest request;
    private final String id;
    private final String model;
    private final long created;
    private final HttpServerResponse response;
    private final Context context;
    private final EngineMetrics metrics;
    private Generation generation;
    private int generated;
    private double lastTokenSeconds = Double.NaN;
    private boolean done;

    GenerationExchange(ServingRequest request, String id, String model, HttpServerResponse response, Context context,
            EngineMetrics metrics) {
        this.request = request;
        this.id = id;
        this.model = model;
        this.created = System.currentTimeMillis() / 1000;
        this.response = response;
        this.context = context;
        this.metrics = metrics;
    }

    /** Admits the request; on the event loop. Throws what the engine's submit throws (a dead engine). */
    void start(EngineBackend backend, String requestId) {
        if (request.stream()) {
            response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8");
        }
        generation = backend.submit(new GenerationRequest(requestId, request.promptTokens(), request.maxTokens(),
                request.minTokens(), request.ignoreEos(), request.priority()), this);
        response.closeHandler(v -> clientGone()); // only once admitted: a refused request has nothing to abort
        if (request.stream() && !done && !response.headWritten()) {
            response.writeHead(); // the status line and headers now, as Starlette's StreamingResponse sends them
        }
    }

    @Override
    public void onTokens(int count, double modelSeconds, long emittedNanos) {
        context.runOnContext(v -> tokens(count, modelSeconds));
    }

    @Override
    public void onFinish(String reason, RequestTimes times) {
        context.runOnContext(v -> finish(reason, times));
    }

    @Override
    public void onError(String message) {
        context.runOnContext(v -> fail(message));
    }

    private void tokens(int count, double modelSeconds) {
        if (done) {
            return;
        }
        if (generated == 0) {
            metrics.prefilled(request.promptTokens());
        }
        metrics.generated(count, modelSeconds - lastTokenSeconds);
        lastTokenSeconds = modelSeconds;
        if (request.stream()) {
            if (generated == 0 && request.endpoint() == Endpoint.CHAT) {
                ObjectNode delta = JSON.createObjectNode().put("role", "assistant").put("content", "");
                send(chunk(delta, null));
            }
            send(chunk(text(FillerText.tokens(generated, count)), null));
        }
        generated += count;
    }

    private void finish(String reason, RequestTimes times) {
        if (done) {
            return;
        }
        done = true;
        metrics.finished(reason, times, request.maxTokens());
        if (!request.stream()) {
            response.putHeader("Content-Type", "application/json").end(full(reason).toString());
            return;
        }
        send(chunk(text(""), reason));
        if (request.includeUsage()) {
            ObjectNode last = header(request.endpoint().chunkObject);
            last.putArray("choices");
            last.set("usage", usage());
            send(last);
        }
        response.end("data: [DONE]\n\n");
    }

    /** The engine died under this request: vLLM sends an error event on a stream, an empty 500 otherwise. */
    private void fail(String message) {
        if (done) {
            return;
        }
        done = true;
        if (!request.stream()) {
            response.setStatusCode(500).end();
            return;
        }
        ObjectNode event = JSON.createObjectNode();
        event.set("error", ApiError.generationFailed(message).errorInfo());
        send(event);
        response.end("data: [DONE]\n\n");
    }

    private void clientGone() {
        if (!done) {
            done = true;
            metrics.aborted();
            if (generation != null) {
                generation.abort();
            }
        }
    }

    private void send(ObjectNode event) {
        response.write("data: " + event + "\n\n");
    }

    /** The text of a chunk: a completion choice's {@code text}, a chat choice's {@code delta}. */
    private ObjectNode text(String text) {
        return JSON.createObjectNode().put(request.endpoint() == Endpoint.CHAT ? "content" : "text", text);
    }

    private ObjectNode chunk(ObjectNode content, String finishReason) {
        ObjectNode chunk = header(request.endpoint().chunkObject);
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        if (request.endpoint() == Endpoint.CHAT) {
            choice.set("delta", content);
        } else {
            choice.setAll(content);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        if (request.endpoint() == Endpoint.COMPLETIONS || finishReason != null) {
            choice.putNull("stop_reason");
        }
        if (request.endpoint() == Endpoint.COMPLETIONS) {
            chunk.putNull("usage");
        }
        return chunk;
    }

    private ObjectNode full(String finishReason) {
        ObjectNode body = header(request.endpoint().object);
        ArrayNode choices = body.putArray("choices");
        ObjectNode choice = choices.addObject().put("index", 0);
        String text = FillerText.tokens(0, generated);
        if (request.endpoint() == Endpoint.CHAT) {
            ObjectNode message = choice.putObject("message").put("role", "assistant").put("content", text);
            message.putNull("refusal");
            message.putArray("tool_calls");
            message.putNull("reasoning_content");
        } else {
            choice.put("text", text);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        choice.putNull("stop_reason");
        if (request.endpoint() == Endpoint.COMPLETIONS) {
            choice.putNull("prompt_logprobs");
        }
        body.set("usage", usage());
        body.putNull("prompt_logprobs");
        return body;
    }

    private ObjectNode header(String object) {
        return JSON.createObjectNode().put("id", id).put("object", object).put("created", created).put("model", model);
    }

    private ObjectNode usage() {
        ObjectNode usage = JSON.createObjectNode().put("prompt_tokens", request.promptTokens())
                .put("total_tokens", request.promptTokens() + generated).put("completion_tokens", generated);
        usage.putNull("prompt_tokens_details");
        return usage;
    }
}
