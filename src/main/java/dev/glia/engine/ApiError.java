package dev.glia.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A request the server refuses, answered as vLLM answers it: {@code {"error": {message, type, param, code}}}
 * (vLLM's {@code ErrorResponse} since the OpenAI-style envelope), FastAPI's {@code {"detail": ...}} for routing
 * errors, or no body at all where vLLM sends none (a dead engine).
 */
final class ApiError extends RuntimeException {
    private static final ObjectMapper JSON = new ObjectMapper();

    final int status;
    private final String type;
    private final String param;
    private final Shape shape;

    private enum Shape { ERROR, DETAIL, EMPTY }

    private ApiError(int status, String type, String message, String param, Shape shape) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.shape = shape;
    }

    /** What vLLM's {@code create_error_response} makes of a ValueError: 400 BadRequestError, no param. */
    static ApiError badRequest(String message) {
        return new ApiError(400, "BadRequestError", message, null, Shape.ERROR);
    }

    /** vLLM's {@code VLLMValidationError}: the parameter is named in {@code param} and after the message. */
    static ApiError invalid(String message, String param, Object value) {
        return new ApiError(400, "BadRequestError", message + " (parameter=" + param + ", value=" + value + ")",
                param, Shape.ERROR);
    }

    /**
     * FastAPI's RequestValidationError as vLLM's handler turns it into a 400: type "Bad Request" (the status
     * phrase), the message the errors in pydantic's repr.
     */
    static ApiError validation(List<String> errors) {
        StringBuilder message = new StringBuilder().append(errors.size())
                .append(errors.size() == 1 ? " validation error:" : " validation errors:");
        errors.forEach(e -> message.append("\n  ").append(e));
        return new ApiError(400, "Bad Request", message.toString(), null, Shape.ERROR);
    }

    static ApiError modelNotFound(String model) {
        return new ApiError(404, "NotFoundError", "The model `" + model + "` does not exist.", "model", Shape.ERROR);
    }

    /** vLLM's handler for EngineDeadError: 500 with an empty body. */
    static ApiError engineDead(String reason) {
        return new ApiError(500, null, reason, null, Shape.EMPTY);
    }

    /** The engine failed under a request already streaming: vLLM's error event for an unexpected exception. */
    static ApiError generationFailed(String message) {
        return new ApiError(500, "InternalServerError", message, null, Shape.ERROR);
    }

    /** The emulator only: the engine is still loading ({@code --slow-start}). */
    static ApiError loading(String message) {
        return new ApiError(503, "ServiceUnavailableError", message, null, Shape.ERROR);
    }

    /** Starlette's routing errors, which vLLM leaves to FastAPI's default handler: {@code {"detail": "Not Found"}}. */
    static ApiError route(int status, String detail) {
        return new ApiError(status, null, detail, null, Shape.DETAIL);
    }

    /** The body to send; empty when vLLM sends none. */
    String body() {
        ObjectNode root = JSON.createObjectNode();
        switch (shape) {
            case EMPTY:
                return "";
            case DETAIL:
                root.put("detail", getMessage());
                return root.toString();
            default:
                root.set("error", errorInfo());
                return root.toString();
        }
    }

    /** The {@code error} object alone, as an SSE error event carries it. */
    ObjectNode errorInfo() {
        ObjectNode info = JSON.createObjectNode().put("message", getMessage()).put("type", type);
        info.put("param", param);
        info.put("code", status);
        return info;
    }

    boolean hasJsonBody() {
        return shape != Shape.EMPTY;
    }
}
