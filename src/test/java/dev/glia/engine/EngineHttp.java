package dev.glia.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A server under test on a free port, with a plain HTTP client for its wire format. */
final class EngineHttp implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String MODEL = "llama-3-8b";

    final Vertx vertx = Vertx.vertx();
    final ScriptedBackend backend;
    final EngineServer server;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    EngineHttp(ScriptedBackend backend, EngineOptions.Builder options) {
        this.backend = backend;
        this.server = EngineServer.start(vertx, backend, options.host("127.0.0.1").port(0).build(), 0);
    }

    /** Defaults: served as {@link #MODEL}, max_model_len 1024, first token after 5 ms, then one every 2 ms. */
    static EngineHttp start() {
        return new EngineHttp(new ScriptedBackend(5, 2), options());
    }

    static EngineOptions.Builder options() {
        return EngineOptions.builder().servedModelName(MODEL).maxModelLen(1024).maxNumBatchedTokens(2048);
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    HttpResponse<String> post(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(url(path))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url(path))).GET().build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + response.body(), e);
        }
    }

    @Override
    public void close() {
        server.close();
        backend.close();
        vertx.close();
    }
}
