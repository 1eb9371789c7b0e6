package dev.glia.router;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The router's own refusals and failures, in OpenAI's error shape (as vLLM answers). */
record OpenAiError(int status, String type, String message, String reason) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Names why the router refused a request, for clients and load balancers that do not read bodies. */
    static final String REASON_HEADER = "X-Glia-Reject-Reason";

    static OpenAiError queueFull(int maxQueue) {
        return new OpenAiError(429, "RateLimitError", "The router's global queue is full (" + maxQueue
                + " requests, --max-queue): retry later.", "queue-full");
    }

    static OpenAiError queueFullOfTokens(long maxTokens, int promptTokens) {
        return new OpenAiError(429, "RateLimitError", "The router's global queue holds too many prompt tokens for"
                + " this request's " + promptTokens + " (--max-queue-tokens " + maxTokens + "): retry later.",
                "queue-full");
    }

    static OpenAiError queueTimeout(double seconds) {
        return new OpenAiError(503, "ServiceUnavailableError", "The request waited " + seconds
                + " s in the router's global queue (--max-queue-seconds) without an engine taking it.",
                "queue-timeout");
    }

    static OpenAiError badRequest(String message) {
        return new OpenAiError(400, "BadRequestError", message, "bad-request");
    }

    static OpenAiError noEngine(String message) {
        return new OpenAiError(503, "ServiceUnavailableError", message, "no-engine");
    }

    static OpenAiError upstreamFailed(String message) {
        return new OpenAiError(502, "BadGatewayError", message, "upstream-failed");
    }

    /** {@code {"error": {...}}}: a response body, or the data of an SSE error event. */
    String json() {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("message", message).put("type", type).put("code", status).putNull("param");
        return body.toString();
    }
}
