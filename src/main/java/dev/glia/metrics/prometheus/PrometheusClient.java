package dev.glia.metrics.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prometheus' HTTP API (v1): instant queries ({@code /api/v1/query}) and range queries
 * ({@code /api/v1/query_range}), sent as form posts so long expressions fit. Results are vectors (one
 * sample per series), matrices (points per series) and scalars (one unlabelled sample). Every failure
 * names the query: Prometheus' error JSON ({@code errorType}, {@code error}), a response that is not
 * that API's, or a server that cannot be reached.
 */
public final class PrometheusClient {
    /** One series' sample of an instant vector (or a scalar: no labels). */
    public record Sample(Map<String, String> labels, double timestamp, double value) {
        public Sample {
            labels = Map.copyOf(labels);
        }

        public String label(String name) {
            return labels.get(name);
        }
    }

    /** One point of a range result. */
    public record Point(double timestamp, double value) {
    }

    /** One series of a range result, its points in time order. */
    public record Series(Map<String, String> labels, List<Point> points) {
        public Series {
            labels = Map.copyOf(labels);
            points = List.copyOf(points);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    /** {@code base}: the server's root, e.g. {@code http://prometheus:9090} (a path prefix is kept). */
    public PrometheusClient(URI base, Duration timeout) {
        String s = base.toString().replaceAll("/+$", "");
        if (!s.startsWith("http://") && !s.startsWith("https://")) {
            throw new IllegalArgumentException("the Prometheus URL must be http(s)://host:port, got " + base);
        }
        this.base = URI.create(s);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    public URI base() {
        return base;
    }

    /** {@code query} evaluated at {@code time}: a vector (or a scalar, as one unlabelled sample). */
    public List<Sample> instant(String query, Instant time) {
        JsonNode data = call("/api/v1/query", query, Map.of("time", seconds(time)));
        String type = data.path("resultType").asText();
        JsonNode result = data.path("result");
        List<Sample> out = new ArrayList<>();
        switch (type) {
            case "vector" -> {
                for (JsonNode s : result) {
                    JsonNode v = s.path("value");
                    out.add(new Sample(labels(s.path("metric")), v.path(0).asDouble(), number(v.path(1), query)));
                }
            }
            case "scalar" -> out.add(new Sample(Map.of(), result.path(0).asDouble(), number(result.path(1), query)));
            default -> throw new PromQlException(query, "bad_response", "query " + query + " at " + base
                    + ": expected an instant vector or a scalar, got a " + type
                    + (type.equals("matrix") ? " (a range selector needs a function such as increase() here)" : ""),
                    null);
        }
        return out;
    }

    /** {@code query} evaluated every {@code step} from {@code start} to {@code end}: a matrix. */
    public List<Series> range(String query, Instant start, Instant end, Duration step) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("start", seconds(start));
        params.put("end", seconds(end));
        params.put("step", String.valueOf(step.toMillis() / 1000.0));
        JsonNode data = call("/api/v1/query_range", query, params);
        if (!"matrix".equals(data.path("resultType").asText())) {
            throw new PromQlException(query, "bad_response", "query " + query + " at " + base
                    + ": a range query answered with a " + data.path("resultType").asText() + ", not a matrix", null);
        }
        List<Series> out = new ArrayList<>();
        for (JsonNode s : data.path("result")) {
            List<Point> points = new ArrayList<>();
            for (JsonNode v : s.path("values")) {
                points.add(new Point(v.path(0).asDouble(), number(v.path(1), query)));
            }
            out.add(new Series(labels(s.path("metric")), points));
        }
        return out;
    }

    private JsonNode call(String path, String query, Map<String, String> params) {
        StringBuilder form = new StringBuilder("query=").append(URLEncoder.encode(query, StandardCharsets.UTF_8));
        params.forEach((k, v) -> form.append('&').append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new PromQlException(query, "unreachable", "cannot reach Prometheus at " + base + " for query "
                    + query + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PromQlException(query, "interrupted", "interrupted while querying " + base + ": " + query, e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(response.body());
        } catch (IOException e) {
            root = null;
        }
        if (root == null || !root.has("status")) {
            String body = response.body().length() > 200 ? response.body().substring(0, 200) + "..." : response.body();
            throw new PromQlException(query, "bad_response", "query " + query + " at " + base + path + ": HTTP "
                    + response.statusCode() + " without Prometheus' API JSON (is this Prometheus?): " + body.strip(),
                    null);
        }
        if (!"success".equals(root.path("status").asText())) {
            String type = root.path("errorType").asText("unknown");
            throw new PromQlException(query, type, "Prometheus at " + base + " refused query " + query + " (HTTP "
                    + response.statusCode() + ", " + type + "): " + root.path("error").asText(), null);
        }
        return root.path("data");
    }

    private static Map<String, String> labels(JsonNode metric) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = metric.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            labels.put(e.getKey(), e.getValue().asText());
        }
        return labels;
    }

    /** Sample values come as strings, with NaN and ±Inf spelled as Prometheus spells them. */
    private static double number(JsonNode v, String query) {
        String s = v.asText();
        return switch (s) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new PromQlException(query, "bad_response", "query " + query + ": '" + s
                            + "' is not a sample value", e);
                }
            }
        };
    }

    private static String seconds(Instant t) {
        return java.math.BigDecimal.valueOf(t.getEpochSecond()).add(java.math.BigDecimal.valueOf(t.getNano(), 9))
                .stripTrailingZeros().toPlainString();
    }
}
