package dev.glia.engine;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Histogram;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One engine's {@code /metrics} under vLLM V1's names, labels ({@code model_name}, {@code engine="0"}) and
 * histogram buckets ({@code vllm/v1/metrics/loggers.py}). Queue and KV-cache state is read from the engine at
 * scrape time; counters and histograms are fed by the requests' events. Latencies are on the MODEL clock
 * (the engine's own times), so at {@code --time-scale 10} they read as the real engine's would. Thread-safe.
 */
final class EngineMetrics {
    private static final double[] TTFT_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75,
            1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
    private static final double[] TOKEN_LATENCY_BUCKETS = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5,
            0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0};
    private static final double[] REQUEST_LATENCY_BUCKETS = {0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0,
            30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};
    private static final String ENGINE = "0";
    private static final List<String> LABELS = List.of("model_name", "engine");

    private final CollectorRegistry registry = new CollectorRegistry();
    private final String model;
    private final Counter promptTokens;
    private final Counter generationTokens;
    private final Counter requestSuccess;
    private final Histogram timeToFirstToken;
    private final Histogram interTokenLatency;
    private final Histogram timePerOutputToken;
    private final Histogram e2eLatency;
    private final Histogram queueTime;
    private final Histogram inferenceTime;
    private final Histogram prefillTime;
    private final Histogram decodeTime;
    private final Histogram promptTokensPerRequest;
    private final Histogram generationTokensPerRequest;
    private final Histogram maxTokensParam;

    EngineMetrics(String model, int maxModelLen, Supplier<EngineStats> stats) {
        this.model = model;
        new EngineState(stats).register(registry);
        promptTokens = counter("vllm:prompt_tokens", "Number of prefill tokens processed.");
        generationTokens = counter("vllm:generation_tokens", "Number of generation tokens processed.");
        requestSuccess = Counter.build("vllm:request_success", "Count of successfully processed requests.")
                .labelNames("model_name", "engine", "finished_reason").register(registry);
        for (String reason : List.of("stop", "length", "abort")) {
            requestSuccess.labels(model, ENGINE, reason);
        }
        timeToFirstToken = histogram("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.",
                TTFT_BUCKETS);
        interTokenLatency = histogram("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.",
                TOKEN_LATENCY_BUCKETS);
        timePerOutputToken = histogram("vllm:time_per_output_token_seconds",
                "Histogram of time per output token in seconds.", TOKEN_LATENCY_BUCKETS);
        e2eLatency = histogram("vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.",
                REQUEST_LATENCY_BUCKETS);
        queueTime = histogram("vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.",
                REQUEST_LATENCY_BUCKETS);
        inferenceTime = histogram("vllm:request_inference_time_seconds",
                "Histogram of time spent in RUNNING phase for request.", REQUEST_LATENCY_BUCKETS);
        prefillTime = histogram("vllm:request_prefill_time_seconds",
                "Histogram of time spent in PREFILL phase for request.", REQUEST_LATENCY_BUCKETS);
        decodeTime = histogram("vllm:request_decode_time_seconds", "Histogram of time spent in DECODE phase for request.",
                REQUEST_LATENCY_BUCKETS);
        double[] lengths = oneTwoFiveBuckets(maxModelLen);
        promptTokensPerRequest = histogram("vllm:request_prompt_tokens", "Number of prefill tokens processed.", lengths);
        generationTokensPerRequest = histogram("vllm:request_generation_tokens", "Number of generation tokens processed.",
                lengths);
        maxTokensParam = histogram("vllm:request_params_max_tokens", "Histogram of the max_tokens request parameter.",
                lengths);
    }

    /** The prompt was prefilled: its first token left the engine. */
    void prefilled(int tokens) {
        promptTokens.labels(model, ENGINE).inc(tokens);
    }

    /** An iteration emitted {@code count} tokens of one request, {@code sincePrevious} model seconds after its last (NaN for the first). */
    void generated(int count, double sincePrevious) {
        generationTokens.labels(model, ENGINE).inc(count);
        if (!Double.isNaN(sincePrevious)) {
            interTokenLatency.labels(model, ENGINE).observe(sincePrevious);
        }
    }

    void finished(String reason, RequestTimes t, int maxTokens) {
        requestSuccess.labels(model, ENGINE, reason).inc();
        timeToFirstToken.labels(model, ENGINE).observe(t.firstToken() - t.arrived());
        e2eLatency.labels(model, ENGINE).observe(t.finished() - t.arrived());
        queueTime.labels(model, ENGINE).observe(t.scheduled() - t.arrived());
        inferenceTime.labels(model, ENGINE).observe(t.finished() - t.scheduled());
        prefillTime.labels(model, ENGINE).observe(t.firstToken() - t.scheduled());
        decodeTime.labels(model, ENGINE).observe(t.finished() - t.firstToken());
        if (t.generatedTokens() > 1) { // V1 observes the mean decode time per token once per request
            timePerOutputToken.labels(model, ENGINE).observe((t.finished() - t.firstToken()) / (t.generatedTokens() - 1));
        }
        promptTokensPerRequest.labels(model, ENGINE).observe(t.promptTokens());
        generationTokensPerRequest.labels(model, ENGINE).observe(t.generatedTokens());
        maxTokensParam.labels(model, ENGINE).observe(maxTokens);
    }

    void aborted() {
        requestSuccess.labels(model, ENGINE, "abort").inc();
    }

    /** Prometheus text format 0.0.4, as vLLM serves it. */
    String scrape() {
        StringWriter out = new StringWriter();
        try {
            TextFormat.write004(out, registry.metricFamilySamples());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static String contentType() {
        return TextFormat.CONTENT_TYPE_004;
    }

    private Counter counter(String name, String help) {
        Counter c = Counter.build(name, help).labelNames("model_name", "engine").register(registry);
        c.labels(model, ENGINE);
        return c;
    }

    private Histogram histogram(String name, String help, double[] buckets) {
        Histogram h = Histogram.build(name, help).labelNames("model_name", "engine").buckets(buckets).register(registry);
        h.labels(model, ENGINE);
        return h;
    }

    /** vLLM's {@code build_1_2_5_buckets}: 1, 2, 5, 10, 20, 50, ... up to {@code max}. */
    static double[] oneTwoFiveBuckets(int max) {
        List<Double> buckets = new ArrayList<>();
        for (long power = 1; ; power *= 10) {
            for (int mantissa : new int[] {1, 2, 5}) {
                if (mantissa * power > max) {
                    return buckets.stream().mapToDouble(Double::doubleValue).toArray();
                }
                buckets.add((double) mantissa * power);
            }
        }
    }

    /** The gauges and the preemption counter, read from the engine when scraped; and the cache config info. */
    private final class EngineState extends Collector {
        private final Supplier<EngineStats> stats;

        EngineState(Supplier<EngineStats> stats) {
            this.stats = stats;
        }

        @Override
        public List<MetricFamilySamples> collect() {
            EngineStats s = stats.get();
            CounterMetricFamily preemptions = new CounterMetricFamily("vllm:num_preemptions",
                    "Cumulative number of preemption from the engine.", LABELS);
            preemptions.addMetric(List.of(model, ENGINE), s.preemptionsTotal());
            // V1 exports the cache config once per engine, with an engine label and no model_name
            GaugeMetricFamily cacheConfig = new GaugeMetricFamily("vllm:cache_config_info",
                    "Information of the LLMEngine CacheConfig", List.of("block_size", "cache_dtype",
                            "enable_prefix_caching", "num_gpu_blocks", "engine"));
            cacheConfig.addMetric(List.of(String.valueOf(s.blockSize()), "auto", "False",
                    String.valueOf(s.numGpuBlocks()), ENGINE), 1);
            return List.of(gauge("vllm:num_requests_running", "Number of requests in model execution batches.",
                            s.running()),
                    gauge("vllm:num_requests_waiting", "Number of requests waiting to be processed.", s.waiting()),
                    gauge("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", s.kvCacheUsage()),
                    preemptions, cacheConfig);
        }

        private GaugeMetricFamily gauge(String name, String help, double value) {
            GaugeMetricFamily g = new GaugeMetricFamily(name, help, LABELS);
            g.addMetric(List.of(model, ENGINE), value);
            return g;
        }
    }
}
