package dev.glia.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An OpenAI-compatible chat-completions endpoint for tests, as strict as OpenAI's: it answers 401
 * to a wrong key, 400 to an assistant message with neither content nor tool calls, and 400
 * {@code context_length_exceeded} to a conversation longer than its context (about four
 * characters a token), with OpenAI's error bodies. It replays a Researcher trajectory (tool calls,
 * text, empty replies), answers Supervisor requests (recognised by their system prompt) with a
 * line, and can answer 429 or stall once to exercise retries.
 */
final class FakeOpenAiServer implements AutoCloseable {
    static final String KEY = "sk-test";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<Map<String, Object>> researcherScript;
    private final String supervisorLine;
    final List<JsonNode> requests = new ArrayList<>();
    private int next;
    private int rateLimitsLeft;
    private int stallAtCall;
    private long stallMillis;
    private int contextTokens = 128_000;
    int rateLimited;
    int supervisorCalls;
    int contextLengthErrors;
    int invalidRequests;
    int unauthorized;

    FakeOpenAiServer(List<Map<String, Object>> researcherScript, String supervisorLine) throws IOException {
        this.researcherScript = researcherScript;
        this.supervisorLine = supervisorLine;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    FakeOpenAiServer rateLimitFirst(int times) {
        rateLimitsLeft = times;
        return this;
    }

    /** The researcher call with this index (1-based) answers only after {@code millis}: past the client's timeout. */
    FakeOpenAiServer stallOnce(int call, long millis) {
        stallAtCall = call;
        stallMillis = millis;
        return this;
    }

    /** The model's context window, in tokens of about four characters. */
    FakeOpenAiServer contextTokens(int tokens) {
        contextTokens = tokens;
        return this;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** One scripted tool call of the Researcher. */
    static Map<String, Object> call(String tool, Map<String, Object> arguments) {
        return Map.of("tool", tool, "arguments", arguments);
    }

    /** One scripted text reply of the Researcher. */
    static Map<String, Object> say(String text) {
        return Map.of("text", text);
    }

    /** A reply with neither text nor tool calls, as weak models send. */
    static Map<String, Object> empty() {
        return Map.of();
    }

    private synchronized void handle(HttpExchange ex) throws IOException {
        JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
        requests.add(body);
        if (!("Bearer " + KEY).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            unauthorized++;
            send(ex, 401, error("Incorrect API key provided. You can find your API key at "
                    + "https://platform.openai.com/account/api-keys.", null, "invalid_api_key"));
            return;
        }
        long chars = 0;
        JsonNode messages = body.path("messages");
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            boolean content = m.path("content").isTextual() && !m.path("content").asText().isEmpty()
                    || m.path("content").isArray() && !m.path("content").isEmpty();
            if (m.path("role").asText().equals("assistant") && !content && m.path("tool_calls").isEmpty()) {
                invalidRequests++;
                send(ex, 400, error("Invalid value for 'content': expected a string, got null.",
                        "messages.[" + i + "].content", null));
                return;
            }
            chars += m.path("content").toString().length() + m.path("tool_calls").toString().length();
        }
        if (chars / 4 > contextTokens) {
            contextLengthErrors++;
            send(ex, 400, error("This model's maximum context length is " + contextTokens + " tokens. However, your "
                    + "messages resulted in " + chars / 4 + " tokens. Please reduce the length of the messages.",
                    "messages", "context_length_exceeded"));
            return;
        }
        String system = messages.path(0).path("content").asText();
        if (rateLimitsLeft > 0) {
            rateLimitsLeft--;
            rateLimited++;
            send(ex, 429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}");
            return;
        }
        ObjectNode message = JSON.createObjectNode().put("role", "assistant");
        String finish = "stop";
        if (system.contains("You are the Supervisor")) {
            supervisorCalls++;
            message.put("content", supervisorLine);
        } else {
            int index = next + 1;
            if (index == stallAtCall) {
                stallAtCall = -1;
                try {
                    Thread.sleep(stallMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                send(ex, 504, "{\"error\":{\"message\":\"upstream timeout\"}}");
                return;
            }
            if (next < researcherScript.size()) {
                Map<String, Object> step = researcherScript.get(next++);
                if (step.containsKey("tool")) {
                    message.putNull("content");
                    ArrayNode calls = message.putArray("tool_calls");
                    ObjectNode c = calls.addObject().put("id", "call_" + next).put("type", "function");
                    c.putObject("function").put("name", (String) step.get("tool"))
                            .put("arguments", JSON.writeValueAsString(step.get("arguments")));
                    finish = "tool_calls";
                } else if (step.containsKey("text")) {
                    message.put("content", (String) step.get("text"));
                } else {
                    message.putNull("content");
                }
            } else {
                message.put("content", "I have finished.");
            }
        }
        ObjectNode response = JSON.createObjectNode().put("id", "chatcmpl-" + requests.size())
                .put("object", "chat.completion").put("created", 1_700_000_000L).put("model", body.path("model").asText());
        response.putArray("choices").addObject().put("index", 0).put("finish_reason", finish).set("message", message);
        response.putObject("usage").put("prompt_tokens", 1500).put("completion_tokens", 120).put("total_tokens", 1620);
        send(ex, 200, JSON.writeValueAsString(response));
    }

    private static String error(String message, String param, String code) {
        ObjectNode e = JSON.createObjectNode();
        ObjectNode inner = e.putObject("error").put("message", message).put("type", "invalid_request_error");
        inner.put("param", param);
        inner.put("code", code);
        return e.toString();
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        try {
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
        } catch (IOException e) {
            // the client gave up (timeout); nothing to deliver
        } finally {
            ex.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
