package dev.glia.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prometheus' instant-query API ({@code /api/v1/query}, GET or form POST, Prometheus' own JSON) answering a fixed set
 * of queries, as strictly as the real server would answer only what it can parse: a query not in the set is refused
 * with Prometheus' error JSON ({@code bad_data}) and recorded, so a test sees every query the operator sent that the
 * contract (docs/adaptation.md) does not list. Values are written as Prometheus writes them (strings, shortest exact
 * decimal), so a double survives the trip exactly.
 */
final class FakePrometheus implements AutoCloseable {
    /** One series of an instant vector. */
    record Series(Map<String, String> labels, double value) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // the JDK's server writes headers and body apart: without TCP_NODELAY each answer waits out a delayed ACK
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private volatile Map<String, List<Series>> answers = Map.of();
    private final List<String> asked = Collections.synchronizedList(new ArrayList<>());
    private final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());

    private FakePrometheus(HttpServer server) {
        this.server = server;
    }

    static FakePrometheus start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        FakePrometheus p = new FakePrometheus(server);
        server.createContext("/", p::handle);
        server.start();
        return p;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** From now on, these queries (exact strings) and their answers; every other query is refused. */
    void answer(Map<String, List<Series>> next) {
        answers = Map.copyOf(next);
    }

    List<String> asked() {
        return List.copyOf(asked);
    }

    /** Queries that were refused (not in the set given). */
    List<String> unexpected() {
        return List.copyOf(unexpected);
    }

    void clear() {
        asked.clear();
        unexpected.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/api/v1/query")) {
                send(exchange, 404, error("not_found", "no such endpoint " + exchange.getRequestURI().getPath()));
                return;
            }
            String form = exchange.getRequestMethod().equals("POST")
                    ? new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                    : exchange.getRequestURI().getRawQuery();
            Map<String, String> params = new LinkedHashMap<>();
            for (String pair : form == null ? new String[0] : form.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            String query = params.get("query");
            if (query == null || query.isBlank()) {
                send(exchange, 400, error("bad_data", "invalid parameter \"query\": no query given"));
                return;
            }
            asked.add(query);
            List<Series> series = answers.get(query);
            if (series == null) {
                unexpected.add(query);
                send(exchange, 400, error("bad_data", "this test's Prometheus was not given the query " + query));
                return;
            }
            double time = params.containsKey("time") ? Double.parseDouble(params.get("time")) : 0;
            ObjectNode root = JSON.createObjectNode().put("status", "success");
            ObjectNode data = root.putObject("data").put("resultType", "vector");
            ArrayNode result = data.putArray("result");
            for (Series s : series) {
                ObjectNode item = result.addObject();
                ObjectNode metric = item.putObject("metric");
                s.labels().forEach(metric::put);
                item.putArray("value").add(time).add(number(s.value()));
            }
            send(exchange, 200, root);
        }
    }

    private static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static ObjectNode error(String type, String message) {
        return JSON.createObjectNode().put("status", "error").put("errorType", type).put("error", message);
    }

    private static void send(HttpExchange exchange, int code, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
