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
 * An OpenAI-compatible chat-completions endpoint for tests: replays a Researcher trajectory (tool
 * calls), answers Supervisor requests (recognised by their system prompt) with a question, and
 * can answer 429 or stall once to exercise retries. Speaks the real wire format.
 */
final class FakeOpenAiServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<Map<String, Object>> researcherScript;
    private final String supervisorLine;
    final List<JsonNode> requests = new ArrayList<>();
    private int next;
    private int rateLimitsLeft;
    private int stallAtCall;
    private long stallMillis;
    int rateLimited;
    int supervisorCalls;

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

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** One scripted tool call of the Researcher. */
    static Map<String, Object> call(String tool, Map<String, Object> arguments) {
        return Map.of("tool", tool, "arguments", arguments);
    }

    private synchronized void handle(HttpExchange ex) throws IOException {
        JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
        requests.add(body);
        String system = body.path("messages").path(0).path("content").asText();
        if (rateLimitsLeft > 0) {
            rateLimitsLeft--;
            rateLimited++;
            send(ex, 429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}");
            return;
        }
        ObjectNode message = JSON.createObjectNode().put("role", "assistant");
        String finish;
        if (system.contains("You are the Supervisor")) {
            supervisorCalls++;
            message.put("content", supervisorLine);
            finish = "stop";
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
                message.putNull("content");
                ArrayNode calls = message.putArray("tool_calls");
                ObjectNode c = calls.addObject().put("id", "call_" + next).put("type", "function");
                c.putObject("function").put("name", (String) step.get("tool"))
                        .put("arguments", JSON.writeValueAsString(step.get("arguments")));
                finish = "tool_calls";
            } else {
                message.put("content", "I have finished.");
                finish = "stop";
            }
        }
        ObjectNode response = JSON.createObjectNode().put("id", "chatcmpl-" + requests.size())
                .put("object", "chat.completion").put("created", 1_700_000_000L).put("model", body.path("model").asText());
        response.putArray("choices").addObject().put("index", 0).put("finish_reason", finish).set("message", message);
        response.putObject("usage").put("prompt_tokens", 1500).put("completion_tokens", 120).put("total_tokens", 1620);
        send(ex, 200, JSON.writeValueAsString(response));
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
