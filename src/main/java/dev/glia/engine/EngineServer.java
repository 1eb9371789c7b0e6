package dev.glia.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One emulated vLLM OpenAI-compatible server in front of one {@link EngineBackend}: {@code /v1/completions} and
 * {@code /v1/chat/completions} (streaming or not), {@code /v1/models}, {@code /health}, {@code /ping},
 * {@code /version}, {@code /metrics}, and the emulator's {@code /admin/kill} and {@code /admin/stall}. Non-blocking
 * (Vert.x): a stream costs a connection and a listener, not a thread.
 */
public final class EngineServer implements AutoCloseable {
    /**
     * The vLLM release whose API behaviour is emulated, answered by {@code /version}: its error envelope and
     * {@code VLLMValidationError} messages (docs/engine.md lists the source files read).
     */
    public static final String VLLM_VERSION = "0.23.0";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PromptTokenizer TOKENIZER = new PromptTokenizer();
    /** Path → the methods it answers; anything else is FastAPI's 404 or 405. */
    private static final Map<String, List<HttpMethod>> ROUTES = Map.of(
            "/v1/completions", List.of(HttpMethod.POST),
            "/v1/chat/completions", List.of(HttpMethod.POST),
            "/v1/models", List.of(HttpMethod.GET),
            "/health", List.of(HttpMethod.GET),
            "/ping", List.of(HttpMethod.GET, HttpMethod.POST),
            "/version", List.of(HttpMethod.GET),
            "/metrics", List.of(HttpMethod.GET),
            "/admin/kill", List.of(HttpMethod.POST),
            "/admin/stall", List.of(HttpMethod.POST));

    private final EngineBackend backend;
    private final EngineOptions options;
    private final RequestValidator validator;
    private final EngineMetrics metrics;
    private final FaultInjection faults;
    private final long created = System.currentTimeMillis() / 1000;
    private final HttpServer server;

    private EngineServer(Vertx vertx, EngineBackend backend, EngineOptions options) {
        this.backend = backend;
        this.options = options;
        this.validator = new RequestValidator(options, TOKENIZER);
        this.metrics = new EngineMetrics(options.servedModelName(), options.maxModelLen(), backend::stats);
        this.faults = new FaultInjection(options);
        // HTTP/1.1 only, as uvicorn serves vLLM: no h2c upgrade (and no HTTP/2 cap of 100 streams a connection)
        this.server = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
                .requestHandler(this::handle);
    }

    /** Listens on {@code port} (0: any free port) of {@code options.host()}; returns once it does. */
    public static EngineServer start(Vertx vertx, EngineBackend backend, EngineOptions options, int port) {
        EngineServer s = new EngineServer(vertx, backend, options);
        await(s.server.listen(port, options.host()).toCompletionStage().toCompletableFuture());
        return s;
    }

    public int port() {
        return server.actualPort();
    }

    public EngineBackend backend() {
        return backend;
    }

    @Override
    public void close() {
        await(server.close().toCompletionStage().toCompletableFuture());
    }

    private void handle(HttpServerRequest req) {
        HttpServerResponse res = req.response();
        try {
            List<HttpMethod> methods = ROUTES.get(req.path());
            if (methods == null) {
                throw ApiError.route(404, "Not Found");
            }
            if (!methods.contains(req.method())) {
                res.putHeader("Allow", String.join(", ", methods.stream().map(HttpMethod::name).toList()));
                throw ApiError.route(405, "Method Not Allowed");
            }
            switch (req.path()) {
                case "/v1/completions" -> generate(req, Endpoint.COMPLETIONS);
                case "/v1/chat/completions" -> generate(req, Endpoint.CHAT);
                case "/v1/models" -> json(res, models());
                case "/health", "/ping" -> health(res);
                case "/version" -> json(res, JSON.createObjectNode().put("version", VLLM_VERSION));
                case "/metrics" -> res.putHeader("Content-Type", EngineMetrics.contentType()).end(metrics.scrape());
                case "/admin/kill" -> {
                    backend.kill("killed through POST /admin/kill");
                    json(res, JSON.createObjectNode().put("killed", true));
                }
                case "/admin/stall" -> stall(req);
                default -> throw new IllegalStateException(req.path());
            }
        } catch (ApiError e) {
            refuse(res, e);
        } catch (RuntimeException e) { // a bug here: answer as vLLM's catch-all does rather than leave the client hanging
            refuse(res, ApiError.generationFailed(String.valueOf(e)));
        }
    }

    private void generate(HttpServerRequest req, Endpoint endpoint) {
        Context context = Vertx.currentContext();
        String clientId = req.getHeader("X-Request-Id");
        if (clientId != null) {
            req.response().putHeader("X-Request-Id", clientId);
        }
        req.body().onSuccess(body -> {
            try {
                if (faults.secondsUntilReady() > 0) {
                    throw ApiError.loading(String.format(Locale.ROOT, "The engine is loading the model (--slow-start):"
                            + " ready in %.1f s; /health answers 200 once it is.", faults.secondsUntilReady()));
                }
                ServingRequest request = validator.validate(endpoint, parse(req, body));
                if (!backend.stats().alive()) {
                    throw ApiError.engineDead("engine dead");
                }
                String id = endpoint.idPrefix + (clientId != null ? clientId : UUID.randomUUID().toString().replace("-", ""));
                GenerationExchange exchange = new GenerationExchange(request, id, options.servedModelName(),
                        req.response(), context, metrics);
                faults.beforeSubmit(backend);
                try {
                    exchange.start(backend, clientId != null ? clientId : id);
                } catch (RuntimeException e) { // the engine refused: it is dead
                    throw ApiError.engineDead(String.valueOf(e.getMessage()));
                }
                faults.afterSubmit(backend);
            } catch (ApiError e) {
                refuse(req.response(), e);
            } catch (RuntimeException e) {
                refuse(req.response(), ApiError.generationFailed(String.valueOf(e)));
            }
        });
    }

    private static JsonNode parse(HttpServerRequest req, Buffer body) {
        String contentType = req.getHeader("Content-Type");
        if (contentType == null || !contentType.split(";")[0].trim().equalsIgnoreCase("application/json")) {
            throw ApiError.validation(List.of("{'loc': ('header', 'content-type'), 'msg': \"Unsupported Media Type:"
                    + " Only 'application/json' is allowed\", 'type': 'value_error'}"));
        }
        try {
            return JSON.readTree(body.getBytes());
        } catch (JsonProcessingException e) {
            throw ApiError.validation(List.of("{'type': 'json_invalid', 'loc': ('body', "
                    + e.getLocation().getCharOffset() + "), 'msg': 'JSON decode error', 'input': {}, 'ctx': {'error': '"
                    + e.getOriginalMessage().replace("'", "\\'") + "'}}"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** vLLM: 200 with an empty body while the engine lives, 503 once it is dead; the emulator: 503 while loading. */
    private void health(HttpServerResponse res) {
        boolean ready = faults.secondsUntilReady() == 0 && backend.stats().alive();
        res.setStatusCode(ready ? 200 : 503).end();
    }

    private void stall(HttpServerRequest req) {
        String seconds = req.getParam("seconds");
        double s;
        try {
            s = Double.parseDouble(seconds);
        } catch (NullPointerException | NumberFormatException e) {
            throw ApiError.badRequest("POST /admin/stall needs ?seconds=S, a number of seconds (0 resumes now), got "
                    + seconds);
        }
        if (!(s >= 0) || Double.isInfinite(s)) {
            throw ApiError.badRequest("POST /admin/stall needs seconds >= 0, got " + seconds);
        }
        backend.stall(s);
        json(req.response(), JSON.createObjectNode().put("stalled_seconds", s));
    }

    private ObjectNode models() {
        ObjectNode list = JSON.createObjectNode().put("object", "list");
        ObjectNode card = list.putArray("data").addObject().put("id", options.servedModelName()).put("object", "model")
                .put("created", created).put("owned_by", "vllm").put("root", options.model());
        card.putNull("parent");
        card.put("max_model_len", options.maxModelLen());
        ObjectNode permission = card.putArray("permission").addObject()
                .put("id", "modelperm-" + UUID.randomUUID().toString().replace("-", ""))
                .put("object", "model_permission").put("created", created).put("allow_create_engine", false)
                .put("allow_sampling", true).put("allow_logprobs", true).put("allow_search_indices", false)
                .put("allow_view", true).put("allow_fine_tuning", false).put("organization", "*");
        permission.putNull("group");
        permission.put("is_blocking", false);
        return list;
    }

    private static void json(HttpServerResponse res, ObjectNode body) {
        res.putHeader("Content-Type", "application/json").end(body.toString());
    }

    private static void refuse(HttpServerResponse res, ApiError e) {
        if (res.headWritten()) {
            res.end();
            return;
        }
        res.headers().remove("Content-Type");
        res.setChunked(false).setStatusCode(e.status);
        if (e.hasJsonBody()) {
            res.putHeader("Content-Type", "application/json").end(e.body());
        } else {
            res.end();
        }
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting or stopping the server", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the server did not start or stop within 30 s", e);
        }
    }
}
