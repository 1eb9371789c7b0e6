package dev.glia.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Real expositions (see src/test/resources/metrics/SOURCES.md) parse into what their text says. */
class FixtureScrapesTest {

    static Scrape fixture(String name, ExpositionFormat format) throws IOException {
        try (InputStream in = FixtureScrapesTest.class.getResourceAsStream("/metrics/" + name)) {
            assertThat(in).as(name).isNotNull();
            return Scrape.parse(in, format);
        }
    }

    @Test
    void prometheusDocumentationExample() throws IOException {
        Scrape s = fixture("prometheus-0.0.4-example.txt", ExpositionFormat.PROMETHEUS_TEXT);
        assertThat(s.families()).extracting(MetricFamily::name).containsExactly("http_requests_total",
                "msdos_file_access_time_seconds", "metric_without_timestamp_and_labels", "something_weird",
                "http_request_duration_seconds", "telemetry_requests_metrics_latency_microseconds");
        assertThat(s.value("http_requests_total", Map.of("code", "400"))).hasValue(3.0);
        assertThat(s.samples("http_requests_total").get(0).timestampMs()).isEqualTo(OptionalLong.of(1395066363000L));
        assertThat(s.samples("msdos_file_access_time_seconds").get(0).label("error"))
                .isEqualTo("Cannot find file:\n\"FILE.TXT\"");
        Sample weird = s.samples("something_weird").get(0);
        assertThat(weird.value()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(weird.timestampMs()).isEqualTo(OptionalLong.of(-3982045L));

        Histogram h = s.family("http_request_duration_seconds").orElseThrow().histograms().get(0);
        assertThat(h.buckets()).hasSize(6);
        assertThat(h.count()).hasValue(144320.0);
        assertThat(h.sum()).hasValue(53423.0);
        assertThat(h.quantile(0.5)).isCloseTo(0.15782995757901658, within(1e-12));

        MetricFamily summary = s.family("telemetry_requests_metrics_latency_microseconds").orElseThrow();
        assertThat(summary.type()).isEqualTo(MetricType.SUMMARY);
        assertThat(summary.samples()).hasSize(7);
        assertThat(summary.summaries().get(0).quantile(0.99)).hasValue(76656.0);
    }

    @Test
    void openMetricsCompleteExposition() throws IOException {
        Scrape s = fixture("openmetrics-1.0-complete.txt", ExpositionFormat.OPENMETRICS);
        assertThat(s.families()).extracting(MetricFamily::name).containsExactly("acme_http_router_request_seconds",
                "go_goroutines", "process_cpu_seconds");
        MetricFamily router = s.family("acme_http_router_request_seconds").orElseThrow();
        assertThat(router.type()).isEqualTo(MetricType.SUMMARY);
        assertThat(router.unit()).contains("seconds");
        assertThat(router.help()).contains("Latency though all of ACME's HTTP request router.");
        assertThat(router.samples()).hasSize(6);
        Summary v2 = router.summaries().get(1);
        assertThat(v2.labels()).isEqualTo(Map.of("path", "/api/v2", "method", "POST"));
        assertThat(v2.sum()).hasValue(479.3);
        assertThat(v2.count()).hasValue(34.0);
        assertThat(s.value("go_goroutines")).hasValue(69.0);
        MetricFamily cpu = s.family("process_cpu_seconds_total").orElseThrow();
        assertThat(cpu.name()).isEqualTo("process_cpu_seconds");
        assertThat(cpu.type()).isEqualTo(MetricType.COUNTER);
        assertThat(s.value("process_cpu_seconds_total")).hasValue(4.20072246e6);
    }

    @Test
    void openMetricsHistogramWithExemplars() throws IOException {
        InputStream withEof = new SequenceInputStream(
                FixtureScrapesTest.class.getResourceAsStream("/metrics/openmetrics-1.0-exemplars.txt"),
                new ByteArrayInputStream("# EOF\n".getBytes(StandardCharsets.UTF_8)));
        Scrape s = Scrape.parse(withEof, ExpositionFormat.OPENMETRICS);
        MetricFamily foo = s.family("foo").orElseThrow();
        assertThat(foo.samples()).extracting(Sample::name).containsExactly("foo_bucket", "foo_bucket", "foo_bucket",
                "foo_bucket", "foo_bucket", "foo_count", "foo_sum", "foo_created");
        Histogram h = foo.histograms().get(0);
        assertThat(h.buckets()).containsExactly(Map.entry(0.01, 0.0), Map.entry(0.1, 8.0), Map.entry(1.0, 11.0),
                Map.entry(10.0, 17.0), Map.entry(Double.POSITIVE_INFINITY, 17.0));
        assertThat(h.count()).hasValue(17.0);
        assertThat(h.sum()).hasValue(324789.3);
        assertThat(h.quantile(0.5)).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void vllmV0CaptureTruncatedInsideAHistogram() throws IOException {
        Scrape s = fixture("vllm-v0-aibrix-runtime.txt", ExpositionFormat.PROMETHEUS_TEXT);
        assertThat(s.value("vllm:generation_tokens_total")).hasValue(955.0);
        assertThat(s.value("vllm:lora_requests_info")).hasValue(1.7382173358407154e9);
        assertThat(s.samples("vllm:lora_requests_info").get(0).label("running_lora_adapters")).isEmpty();
        MetricFamily iterations = s.family("vllm:iteration_tokens_total").orElseThrow();
        assertThat(iterations.type()).isEqualTo(MetricType.HISTOGRAM);
        Histogram h = iterations.histograms().get(0);
        assertThat(h.buckets()).hasSize(15).doesNotContainKey(Double.POSITIVE_INFINITY);
        assertThat(h.sum()).hasValue(1103.0);
        assertThat(h.count()).as("cut off before _count and +Inf").isEmpty();
        assertThat(h.quantile(0.5)).as("no +Inf bucket, no quantile").isNaN();
    }

    @Test
    void vllmV1ExcerptWithTwoEngines() throws IOException {
        Scrape s = fixture("vllm-v1-pr22227-excerpt.txt", ExpositionFormat.PROMETHEUS_TEXT);
        Histogram decode = s.histogram("vllm:request_decode_time_seconds", Map.of("engine", "1")).orElseThrow();
        assertThat(decode.labels()).isEqualTo(Map.of("engine", "1", "model_name", "/home/jovyan/qwen3-8b"));
        assertThat(decode.count()).hasValue(1.0);
        Histogram maxTokens = s.histogram("vllm:request_max_num_generation_tokens", Map.of("engine", "0"))
                .orElseThrow();
        assertThat(maxTokens.count()).hasValue(3.0);
        assertThat(maxTokens.quantile(0.5)).isEqualTo(350.0);
        assertThat(s.histogram("vllm:request_decode_time_seconds", Map.of("engine", "0"))).isEmpty();
    }

    @Test
    void vllmV1EraExcerptWithProcessMetrics() throws IOException {
        Scrape s = fixture("vllm-v1-production-stack-318-excerpt.txt", ExpositionFormat.PROMETHEUS_TEXT);
        assertThat(s.value("process_max_fds")).hasValue(1048576.0);
        assertThat(s.value("process_cpu_seconds_total")).hasValue(439.71999999999997);
        MetricFamily queries = s.family("vllm:gpu_prefix_cache_queries_total").orElseThrow();
        assertThat(queries.type()).isEqualTo(MetricType.COUNTER);
        assertThat(queries.samples()).as("cut off after its TYPE line").isEmpty();
    }
}
