package dev.glia.metrics.prometheus;

import com.sun.net.httpserver.HttpServer;
import dev.glia.metrics.RouterHistograms;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntSupplier;
import java.util.stream.IntStream;

/**
 * A Prometheus that answers workload fitting's queries ({@link WorkloadQueries}) over its real HTTP API
 * ({@code /api/v1/query} and {@code /api/v1/query_range}, form-encoded POSTs, Prometheus' JSON envelope): it knows
 * a number of Poisson arrivals at 5/s with lognormal lengths (prompt median 500, output median 100) in the router's
 * buckets, and two engines of 2240 KV blocks of 16 tokens. The number can change while it runs, as traffic arrives.
 * The fit against a real Prometheus is FitFromPrometheusTest.
 */
public final class FakePrometheus implements AutoCloseable {
    private final HttpServer server;
    private final List<String> queries;

    private FakePrometheus(HttpServer server, List<String> queries) {
        this.server = server;
        this.queries = queries;
    }

    /** Started on a free loopback port, knowing {@code requests.getAsInt()} requests at each query. */
    public static FakePrometheus start(IntSupplier requests) throws IOException {
        return start(requests, () -> 500);
    }

    /** As {@link #start(IntSupplier)}, the prompts' median {@code promptMedian.getAsDouble()} at each query. */
    public static FakePrometheus start(IntSupplier requests, java.util.function.DoubleSupplier promptMedian)
            throws IOException {
        return start(requests, () -> 5, promptMedian);
    }

    /** As {@link #start(IntSupplier)}, arrivals at {@code rate} per second and prompts of median {@code promptMedian}. */
    public static FakePrometheus start(IntSupplier requests, java.util.function.DoubleSupplier rate,
            java.util.function.DoubleSupplier promptMedian) throws IOException {
        List<String> queries = java.util.Collections.synchronizedList(new ArrayList<>());
        return new FakePrometheus(server(requests, rate, promptMedian, queries), queries);
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Every query asked so far, in order. */
    public List<String> queries() {
        return List.copyOf(queries);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** The server itself, recording each query in {@code queries}. */
    public static HttpServer server(IntSupplier requests, List<String> queries) throws IOException {
        return server(requests, () -> 5, () -> 500, queries);
    }

    private static HttpServer server(IntSupplier requests, java.util.function.DoubleSupplier rate,
            java.util.function.DoubleSupplier promptMedian, List<String> queries) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/", exchange -> {
            int n = requests.getAsInt();
            SplittableRandom r = new SplittableRandom(1);
            double qps = rate.getAsDouble();
            double[] gaps = IntStream.range(0, n - 1).mapToDouble(i -> -Math.log(1 - r.nextDouble()) / qps).toArray();
            double median = promptMedian.getAsDouble();
            double[] prompts = IntStream.range(0, n).mapToDouble(i -> Math.round(Math.exp(Math.log(median) + 0.8 * r.nextGaussian()))).toArray();
            double[] outputs = IntStream.range(0, n).mapToDouble(i -> Math.round(Math.exp(Math.log(100) + 0.6 * r.nextGaussian()))).toArray();
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String query = URLDecoder.decode(form.replaceFirst("^query=([^&]*).*$", "$1"), StandardCharsets.UTF_8);
            queries.add(query);
            String body;
            if (exchange.getRequestURI().getPath().endsWith("query_range")) {
                body = "{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[[1,\"5\"],[2,\"5.2\"]]}]}";
            } else if (query.contains("cache_config_info")) {
                body = "{\"resultType\":\"vector\",\"result\":[" + IntStream.range(0, 2).mapToObj(i ->
                        "{\"metric\":{\"__name__\":\"vllm:cache_config_info\",\"num_gpu_blocks\":\"2240\",\"block_size\":\"16\","
                                + "\"instance\":\"e" + i + "\"},\"value\":[1,\"1\"]}").reduce((a, b) -> a + "," + b).orElseThrow() + "]}";
            } else {
                double[] samples = query.contains("interarrival") ? gaps : query.contains("prompt") ? prompts : outputs;
                double[] bounds = query.contains("interarrival") ? RouterHistograms.interarrivalBounds() : RouterHistograms.tokenBounds();
                List<String> result = new ArrayList<>();
                if (query.startsWith("sum by (le)")) {
                    for (double b : bounds) {
                        result.add(sample("{\"le\":\"" + b + "\"}", Arrays.stream(samples).filter(x -> x <= b).count()));
                    }
                    result.add(sample("{\"le\":\"+Inf\"}", samples.length));
                } else {
                    result.add(sample("{}", Arrays.stream(samples).sum()));
                }
                body = "{\"resultType\":\"vector\",\"result\":[" + String.join(",", result) + "]}";
            }
            byte[] bytes = ("{\"status\":\"success\",\"data\":" + body + "}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }

    static String sample(String labels, double value) {
        return "{\"metric\":" + labels + ",\"value\":[1700000000,\"" + value + "\"]}";
    }
}
