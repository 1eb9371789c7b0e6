package dev.glia.metrics.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client against a server that answers as Prometheus' HTTP API does (bodies as Prometheus 2.42 writes
 * them); FitFromPrometheusTest runs it against the real one.
 */
class PrometheusClientTest {
    HttpServer server;
    final AtomicReference<String> form = new AtomicReference<>();

    PrometheusClient answering(int status, String body) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            form.set(exchange.getRequestURI().getPath() + "?" + URLDecoder.decode(
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), StandardCharsets.UTF_8));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return new PrometheusClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"),
                Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void anInstantVectorIsOneSamplePerSeriesWithItsLabels() throws IOException {
        PrometheusClient c = answering(200, """
                {"status":"success","data":{"resultType":"vector","result":[
                 {"metric":{"le":"0.5"},"value":[1700000000.123,"12"]},
                 {"metric":{"le":"+Inf"},"value":[1700000000.123,"+Inf"]}]}}""");
        List<PrometheusClient.Sample> v = c.instant("sum by (le) (x_bucket)", Instant.ofEpochSecond(1700000000, 123_000_000));
        assertThat(v).extracting(s -> s.label("le")).containsExactly("0.5", "+Inf");
        assertThat(v.get(0).value()).isEqualTo(12);
        assertThat(v.get(1).value()).isInfinite();
        assertThat(form.get()).isEqualTo("/api/v1/query?query=sum by (le) (x_bucket)&time=1700000000.123");
    }

    @Test
    void aScalarIsOneUnlabelledSample() throws IOException {
        PrometheusClient c = answering(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"NaN\"]}}");
        assertThat(c.instant("scalar(x)", Instant.EPOCH)).singleElement()
                .satisfies(s -> assertThat(s.labels()).isEmpty()).satisfies(s -> assertThat(s.value()).isNaN());
    }

    @Test
    void aRangeQueryIsAMatrix() throws IOException {
        PrometheusClient c = answering(200, """
                {"status":"success","data":{"resultType":"matrix","result":[
                 {"metric":{"job":"r"},"values":[[10,"1"],[11,"2.5"]]}]}}""");
        List<PrometheusClient.Series> m = c.range("rate(x[1m])", Instant.ofEpochSecond(10), Instant.ofEpochSecond(11),
                Duration.ofMillis(500));
        assertThat(m).singleElement().satisfies(s -> {
            assertThat(s.labels()).isEqualTo(Map.of("job", "r"));
            assertThat(s.points()).containsExactly(new PrometheusClient.Point(10, 1), new PrometheusClient.Point(11, 2.5));
        });
        assertThat(form.get()).isEqualTo("/api/v1/query_range?query=rate(x[1m])&start=10&end=11&step=0.5");
    }

    @Test
    void prometheusErrorJsonBecomesAnExceptionNamingTheQueryAndTheServersError() throws IOException {
        PrometheusClient c = answering(400, """
                {"status":"error","errorType":"bad_data","error":"invalid parameter \\"query\\": 1:5: parse error: unclosed left parenthesis"}""");
        assertThatThrownBy(() -> c.instant("sum(x", Instant.EPOCH)).isInstanceOfSatisfying(PromQlException.class, e -> {
            assertThat(e.query()).isEqualTo("sum(x");
            assertThat(e.errorType()).isEqualTo("bad_data");
            assertThat(e.getMessage()).contains("refused query sum(x (HTTP 400, bad_data)")
                    .contains("unclosed left parenthesis");
        });
    }

    @Test
    void somethingThatIsNotPrometheusIsSaidToBeSo() throws IOException {
        PrometheusClient c = answering(404, "<html>not found</html>");
        assertThatThrownBy(() -> c.instant("up", Instant.EPOCH)).isInstanceOf(PromQlException.class)
                .hasMessageContaining("HTTP 404 without Prometheus' API JSON (is this Prometheus?)");
    }

    @Test
    void aMatrixWhereAVectorIsExpectedSaysWhy() throws IOException {
        PrometheusClient c = answering(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}");
        assertThatThrownBy(() -> c.instant("x[5m]", Instant.EPOCH)).isInstanceOf(PromQlException.class)
                .hasMessageContaining("a range selector needs a function such as increase() here");
    }
}
