package dev.glia.operator.router;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glia.catalog.PolicyDocument;
import dev.glia.control.CanaryEngines;
import dev.glia.control.RouterAdmin;
import dev.glia.control.RouterResult.Outcome;
import dev.glia.control.RouterResult;
import dev.glia.control.RouterState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link RouterAdmin} over the router's admin API (docs/router.md, "The admin API"): JSON bodies, the router's state in
 * each 200, and {@code {"error": {"message", "code"}}} otherwise. 400 and other 4xx are {@link Outcome#REFUSED}, 409
 * {@link Outcome#CONFLICT}, 5xx and answers that are not the admin API's {@link Outcome#ROUTER_ERROR}, no answer
 * {@link Outcome#UNREACHABLE}; each carries the router's message. Nothing throws but an interrupt.
 */
public final class HttpRouterAdmin implements RouterAdmin {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Duration timeout;
    private final HttpClient client;

    /**
     * @param base    the admin endpoint, e.g. {@code http://glia-router.glia.svc:8081}
     * @param timeout how long one call may take; installing Java source compiles it on the router, so allow a minute
     */
    public HttpRouterAdmin(URI base, Duration timeout) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout.compareTo(Duration.ofSeconds(5)) < 0 ? timeout : Duration.ofSeconds(5)).build();
    }

    @Override
    public RouterResult installPolicy(PolicyDocument policy) {
        return send("PUT", "/admin/policy", document(policy));
    }

    @Override
    public RouterResult startCanary(PolicyDocument policy, CanaryEngines engines, Double share, boolean control) {
        ObjectNode body = JSON.createObjectNode();
        body.set("policy", document(policy));
        if (engines instanceof CanaryEngines.Count c) {
            body.put("engines", c.count());
        } else if (engines instanceof CanaryEngines.Ids ids) {
            ids.ids().forEach(body.putArray("engines")::add);
        }
        if (share != null) {
            body.put("share", share);
        }
        if (control) { // only when asked for: a router that predates control pools refuses the field
            body.put("control", true);
        }
        return send("PUT", "/admin/canary", body);
    }

    @Override
    public RouterResult promote() {
        return send("POST", "/admin/canary/promote", null);
    }

    @Override
    public RouterResult rollback() {
        return send("POST", "/admin/canary/rollback", null);
    }

    @Override
    public RouterResult state() {
        return send("GET", "/admin/policy", null);
    }

    /** The policy document as the router reads it: {@code {router: {name | source, parameters}, batchPriority}}. */
    static ObjectNode document(PolicyDocument policy) {
        ObjectNode doc = JSON.createObjectNode();
        doc.set("router", part(policy.router()));
        if (policy.batchPriority() != null) {
            doc.set("batchPriority", part(policy.batchPriority()));
        }
        return doc;
    }

    private static ObjectNode part(PolicyDocument.Part part) {
        ObjectNode node = JSON.createObjectNode();
        if (part.name() != null) {
            node.put("name", part.name());
        } else {
            node.put("source", part.source());
        }
        if (!part.parameters().isEmpty()) {
            ObjectNode p = node.putObject("parameters");
            part.parameters().forEach(p::put);
        }
        return node;
    }

    private RouterResult send(String method, String path, JsonNode body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            return RouterResult.failed(Outcome.UNREACHABLE, 0, method + " " + base + path + ": no answer within "
                    + timeout);
        } catch (IOException e) {
            return RouterResult.failed(Outcome.UNREACHABLE, 0, method + " " + base + path + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return RouterResult.failed(Outcome.UNREACHABLE, 0, method + " " + base + path + ": interrupted");
        }
        return answer(response.statusCode(), response.body());
    }

    /** An admin API answer: the state for a 2xx, the router's message otherwise. */
    static RouterResult answer(int status, String body) {
        if (status / 100 == 2) {
            try {
                return RouterResult.applied(status, state(JSON.readTree(body)));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                return RouterResult.failed(Outcome.ROUTER_ERROR, status, "not the admin API's state: "
                        + abbreviate(body));
            }
        }
        Outcome outcome = status == 409 ? Outcome.CONFLICT : status / 100 == 4 ? Outcome.REFUSED
                : Outcome.ROUTER_ERROR;
        return RouterResult.failed(outcome, status, message(body));
    }

    private static String message(String body) {
        try {
            JsonNode m = JSON.readTree(body).path("error").path("message");
            if (m.isTextual()) {
                return m.asText();
            }
        } catch (JsonProcessingException e) {
            // not the admin API's error document: say what came
        }
        return abbreviate(body);
    }

    private static String abbreviate(String body) {
        String s = body == null ? "" : body.strip();
        return s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }

    /** {@code {"pools": [{"pool", "policy": {name, hash, ...}, "engines": [...], "queued", "share"}]}}. */
    private static RouterState state(JsonNode root) {
        JsonNode pools = root == null ? null : root.get("pools");
        if (pools == null || !pools.isArray()) {
            throw new IllegalArgumentException("no pools");
        }
        List<RouterState.Pool> out = new ArrayList<>();
        for (JsonNode p : pools) {
            List<RouterState.Engine> engines = new ArrayList<>();
            for (JsonNode e : p.path("engines")) {
                engines.add(new RouterState.Engine(e.path("id").asInt(), e.path("url").asText(),
                        e.path("accepting").asBoolean(), e.path("inflight").asInt()));
            }
            JsonNode policy = p.path("policy");
            out.add(new RouterState.Pool(p.path("pool").asText(), policy.path("name").asText(),
                    policy.path("hash").asText(), engines, p.path("queued").asInt(),
                    p.has("share") ? p.get("share").asDouble() : Double.NaN));
        }
        return new RouterState(out);
    }

    @Override
    public String toString() {
        return "router admin at " + base;
    }
}
