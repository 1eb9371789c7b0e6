package dev.glia.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glia.catalog.PolicyDocument;
import dev.glia.catalog.Resources;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The admin endpoints, on their own port ({@code --admin-port}) so that a NetworkPolicy can keep them from clients:
 *
 * <ul>
 *   <li>{@code GET /admin/policy}: what each pool runs;
 *   <li>{@code PUT /admin/policy}: a {@link PolicyDocument} document, installed in the stable pool without a restart;
 *   <li>{@code PUT /admin/canary}: {@code {policy: <spec>, engines: [ids] | N, share: 0.25, control: true}} starts a
 *       canary, with {@code control} a control pool of as many engines under the stable policy and the same share;
 *   <li>{@code POST /admin/canary/promote} and {@code POST /admin/canary/rollback} end it.
 * </ul>
 *
 * Policies load (and compile) off the event loop; a document that does not load changes nothing and is answered
 * 400 with the reason.
 */
final class AdminApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CANARY_FIELDS = Set.of("policy", "engines", "share", "control");

    private final RouterVerticle router;

    AdminApi(RouterVerticle router) {
        this.router = router;
    }

    void handle(HttpServerRequest req) {
        String path = req.path();
        HttpMethod method = req.method();
        switch (path) {
            case "/admin/policy" -> {
                if (method == HttpMethod.GET) {
                    ok(req.response(), state());
                } else if (method == HttpMethod.PUT || method == HttpMethod.POST) {
                    req.body().onSuccess(body -> load(req, () -> PolicyDocument.parse(body.toString(), "the request body"),
                            loaded -> {
                                router.install(loaded);
                                return state();
                            }));
                } else {
                    notAllowed(req.response(), "GET, PUT");
                }
            }
            case "/admin/canary" -> {
                if (method == HttpMethod.PUT || method == HttpMethod.POST) {
                    req.body().onSuccess(body -> canary(req, body.toString()));
                } else if (method == HttpMethod.DELETE) {
                    end(req.response(), router::rollback);
                } else {
                    notAllowed(req.response(), "PUT, DELETE");
                }
            }
            case "/admin/canary/promote" -> postOnly(req, router::promote);
            case "/admin/canary/rollback" -> postOnly(req, router::rollback);
            default -> error(req.response(), 404, "Not Found: " + path + " (admin endpoints: /admin/policy,"
                    + " /admin/canary, /admin/canary/promote, /admin/canary/rollback)");
        }
    }

    private void canary(HttpServerRequest req, String text) {
        JsonNode root;
        List<Integer> ids = new ArrayList<>();
        int[] count = {-1}; // engines given as a count (or by default: 1), not as ids
        double share;
        boolean control;
        try {
            root = Resources.YAML.readTree(text);
            if (root == null || !root.isObject() || !root.has("policy")) {
                throw new IllegalArgumentException("expected {policy: {router: ...}, engines: [ids] or N, share: F,"
                        + " control: true or false}");
            }
            root.fieldNames().forEachRemaining(f -> {
                if (!CANARY_FIELDS.contains(f)) {
                    throw new IllegalArgumentException("unknown field `" + f
                            + "` (expected policy, engines, share, control)");
                }
            });
            JsonNode engines = root.path("engines");
            int total = router.pools().get(0).cluster.replicas().size();
            if (engines.isInt()) {
                count[0] = engines.asInt();
                List<Upstream> stable = router.pools().get(0).cluster.replicas();
                for (int k = 0; k < engines.asInt() && k < total; k++) {
                    ids.add(stable.get(total - 1 - k).id); // the last engines, so the canary's ids are stable
                }
            } else if (engines.isArray()) {
                engines.forEach(e -> {
                    if (!e.isInt()) {
                        throw new IllegalArgumentException("engines: expected engine ids (integers), got " + e);
                    }
                    ids.add(e.asInt());
                });
            } else if (engines.isMissingNode()) {
                count[0] = 1;
                ids.add(router.pools().get(0).cluster.replicas().get(total - 1).id);
            } else {
                throw new IllegalArgumentException("engines: expected a count or a list of engine ids, got " + engines);
            }
            JsonNode s = root.path("share");
            if (!s.isMissingNode() && !s.isNumber()) {
                throw new IllegalArgumentException("share: expected a number between 0 and 1, got " + s);
            }
            share = s.isNumber() ? s.asDouble() : Double.NaN;
            JsonNode c = root.path("control");
            if (!c.isMissingNode() && !c.isBoolean()) {
                throw new IllegalArgumentException("control: expected true or false, got " + c);
            }
            control = c.asBoolean(false);
        } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
            error(req.response(), 400, "the canary request: " + e.getMessage());
            return;
        }
        JsonNode policy = root.get("policy");
        load(req, () -> PolicyDocument.parse(policy, "policy"), loaded -> {
            if (!alreadyTheCanary(loaded, ids, count[0], share, control)) {
                router.startCanary(loaded, ids, share, control);
            }
            return state();
        });
    }

    /**
     * Whether the running canary is the one asked for: the same policy (hash), engines (their number when given as a
     * count, their ids otherwise), share, and a control pool or none. PUT is idempotent: a controller that asks
     * again, not knowing its first request took effect (it crashed before recording the answer), gets the state, not
     * a conflict.
     */
    private boolean alreadyTheCanary(LoadedPolicy loaded, List<Integer> ids, int count, double share, boolean control) {
        if (router.pools().size() < 2) {
            return false;
        }
        Pool canary = router.pools().get(1);
        List<Integer> running = canary.cluster.replicas().stream().map(u -> u.id).sorted().toList();
        boolean engines = count >= 0 ? running.size() == count : running.equals(ids.stream().distinct().sorted()
                .toList());
        boolean controlled = router.pools().stream().anyMatch(p -> p.name.equals(Pool.CONTROL));
        return canary.policy.hash().equals(loaded.hash()) && engines && (Double.isNaN(share) || canary.share == share)
                && controlled == control;
    }

    /** Loads a policy off the event loop, then applies it on the event loop; every failure is a 4xx that says why. */
    private void load(HttpServerRequest req, java.util.function.Supplier<PolicyDocument> spec,
            java.util.function.Function<LoadedPolicy, ObjectNode> apply) {
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.currentContext().owner();
        vertx.executeBlocking(() -> LoadedPolicy.load(spec.get()), false).onComplete(loaded -> {
            if (loaded.failed()) {
                router.metrics().policyChanges.labels("admin", "failed").inc();
                error(req.response(), 400, "the policy did not load; nothing changed: " + loaded.cause().getMessage());
                return;
            }
            try {
                ObjectNode state = apply.apply(loaded.result());
                router.metrics().policyChanges.labels("admin", "installed").inc();
                ok(req.response(), state);
            } catch (IllegalArgumentException e) {
                error(req.response(), 400, e.getMessage());
            } catch (IllegalStateException e) {
                error(req.response(), 409, e.getMessage());
            }
        });
    }

    private void postOnly(HttpServerRequest req, Runnable action) {
        if (req.method() != HttpMethod.POST) {
            notAllowed(req.response(), "POST");
            return;
        }
        end(req.response(), action);
    }

    private void end(HttpServerResponse res, Runnable action) {
        try {
            action.run();
            ok(res, state());
        } catch (IllegalStateException e) {
            error(res, 409, e.getMessage());
        }
    }

    /**
     * {@code {"pools": [{"pool", "policy": {name, hash, router, batchPriority}, "engines": [...], "queued",
     * "share"}]}}: the stable pool, then the canary and its control pool while they run, each with its share.
     */
    ObjectNode state() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode pools = root.putArray("pools");
        for (Pool p : router.pools()) {
            ObjectNode pool = pools.addObject();
            pool.put("pool", p.name);
            ObjectNode policy = pool.putObject("policy");
            policy.put("name", p.policy.name()).put("hash", p.policy.hash());
            part(policy.putObject("router"), p.policy.spec().router(), p.policy.routerParameters());
            if (p.policy.spec().batchPriority() != null) {
                part(policy.putObject("batchPriority"), p.policy.spec().batchPriority(),
                        p.policy.batchPriorityParameters());
            }
            ArrayNode engines = pool.putArray("engines");
            p.cluster.replicas().forEach(e -> engines.addObject().put("id", e.id).put("url", e.toString())
                    .put("accepting", e.accepting()).put("inflight", e.inflight()));
            pool.put("queued", p.cluster.queueLength());
            if (!p.name.equals(Pool.STABLE)) {
                pool.put("share", p.share);
            }
        }
        return root;
    }

    private static void part(ObjectNode out, PolicyDocument.Part part, java.util.Map<String, Double> parameters) {
        if (part.name() != null) {
            out.put("name", part.name());
        } else {
            out.put("source", part.source());
        }
        ObjectNode p = out.putObject("parameters");
        parameters.forEach(p::put);
    }

    private static void ok(HttpServerResponse res, ObjectNode body) {
        res.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toPrettyString());
    }

    private static void notAllowed(HttpServerResponse res, String allow) {
        res.putHeader(HttpHeaders.ALLOW, allow);
        error(res, 405, "Method Not Allowed (allowed: " + allow + ")");
    }

    private static void error(HttpServerResponse res, int status, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("message", message).put("code", status);
        res.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toString());
    }
}
