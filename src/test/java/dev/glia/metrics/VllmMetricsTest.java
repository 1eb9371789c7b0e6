package dev.glia.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** One view per vLLM engine over V0 and V1 metric names; what a scrape lacks stays empty. */
class VllmMetricsTest {

    /** V1 names and labels (two data-parallel engines), written for this test in vLLM's exposition style. */
    private static final Scrape V1 = Scrape.parse("""
            # HELP vllm:num_requests_running Number of requests in model execution batches.
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running{engine="0",model_name="llama"} 3.0
            vllm:num_requests_running{engine="1",model_name="llama"} 2.0
            # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{engine="0",model_name="llama"} 4.0
            vllm:num_requests_waiting{engine="1",model_name="llama"} 0.0
            # HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
            # TYPE vllm:kv_cache_usage_perc gauge
            vllm:kv_cache_usage_perc{engine="0",model_name="llama"} 0.25
            vllm:kv_cache_usage_perc{engine="1",model_name="llama"} 0.5
            # TYPE vllm:num_preemptions_total counter
            vllm:num_preemptions_total{engine="0",model_name="llama"} 7.0
            vllm:num_preemptions_total{engine="1",model_name="llama"} 0.0
            # TYPE vllm:num_preemptions_created gauge
            vllm:num_preemptions_created{engine="0",model_name="llama"} 1.7e9
            # TYPE vllm:prompt_tokens_total counter
            vllm:prompt_tokens_total{engine="0",model_name="llama"} 825.0
            # TYPE vllm:generation_tokens_total counter
            vllm:generation_tokens_total{engine="0",model_name="llama"} 259.0
            # TYPE vllm:cache_config_info gauge
            vllm:cache_config_info{block_size="16",engine="0",num_gpu_blocks="8192"} 1.0
            vllm:cache_config_info{block_size="16",engine="1",num_gpu_blocks="4096"} 1.0
            # TYPE vllm:time_to_first_token_seconds histogram
            vllm:time_to_first_token_seconds_bucket{engine="0",le="0.1",model_name="llama"} 2.0
            vllm:time_to_first_token_seconds_bucket{engine="0",le="0.5",model_name="llama"} 6.0
            vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="llama"} 8.0
            vllm:time_to_first_token_seconds_count{engine="0",model_name="llama"} 8.0
            vllm:time_to_first_token_seconds_sum{engine="0",model_name="llama"} 2.4
            # TYPE vllm:inter_token_latency_seconds histogram
            vllm:inter_token_latency_seconds_bucket{engine="0",le="0.05",model_name="llama"} 3.0
            vllm:inter_token_latency_seconds_bucket{engine="0",le="+Inf",model_name="llama"} 3.0
            vllm:inter_token_latency_seconds_count{engine="0",model_name="llama"} 3.0
            vllm:inter_token_latency_seconds_sum{engine="0",model_name="llama"} 0.09
            """, ExpositionFormat.PROMETHEUS_TEXT);

    @Test
    void v1HasOneViewPerEngineIndex() {
        List<VllmMetrics> engines = VllmMetrics.engines(V1);
        assertThat(engines).extracting(VllmMetrics::engine).containsExactly(Optional.of("0"), Optional.of("1"));
        assertThat(engines).extracting(VllmMetrics::modelName).containsOnly(Optional.of("llama"));
    }

    @Test
    void v1EngineReadsItsOwnSeries() {
        VllmMetrics e0 = VllmMetrics.engine(V1, "llama", "0").orElseThrow();
        assertThat(e0.running()).hasValue(3.0);
        assertThat(e0.waiting()).hasValue(4.0);
        assertThat(e0.kvCacheUsage()).hasValue(0.25);
        assertThat(e0.preemptions()).hasValue(7.0);
        assertThat(e0.promptTokens()).hasValue(825.0);
        assertThat(e0.generationTokens()).hasValue(259.0);
        assertThat(e0.numGpuBlocks()).isEqualTo(OptionalInt.of(8192));
        assertThat(e0.blockSize()).isEqualTo(OptionalInt.of(16));
        assertThat(e0.timeToFirstToken().orElseThrow().quantile(0.5)).isCloseTo(0.3, within(1e-12));
        assertThat(e0.interTokenLatency().orElseThrow().mean()).hasValueCloseTo(0.03, within(1e-12));

        VllmMetrics e1 = VllmMetrics.engine(V1, "llama", "1").orElseThrow();
        assertThat(e1.kvCacheUsage()).hasValue(0.5);
        assertThat(e1.numGpuBlocks()).isEqualTo(OptionalInt.of(4096));
    }

    @Test
    void absentMetricsAreEmptyNotZero() {
        VllmMetrics e1 = VllmMetrics.engine(V1, "llama", "1").orElseThrow();
        assertThat(e1.waiting()).as("a real 0 stays 0").hasValue(0.0);
        assertThat(e1.swapped()).as("V1 has no swapping").isEmpty();
        assertThat(e1.promptTokens()).isEmpty();
        assertThat(e1.timeToFirstToken()).isEmpty();
        assertThat(e1.e2eRequestLatency()).isEmpty();
        assertThat(VllmMetrics.engine(V1, "llama", "7")).isEmpty();
        assertThat(VllmMetrics.engines(Scrape.parse("process_open_fds 45.0\n", ExpositionFormat.PROMETHEUS_TEXT)))
                .isEmpty();
    }

    @Test
    void v0NamesReadThroughTheSameView() {
        Scrape v0 = Scrape.parse("""
                vllm:num_requests_running{model_name="opt"} 1.0
                vllm:num_requests_swapped{model_name="opt"} 2.0
                vllm:gpu_cache_usage_perc{model_name="opt"} 0.9
                vllm:num_preemptions{model_name="opt"} 5.0
                vllm:time_per_output_token_seconds_bucket{le="0.1",model_name="opt"} 4.0
                vllm:time_per_output_token_seconds_bucket{le="+Inf",model_name="opt"} 4.0
                """, ExpositionFormat.PROMETHEUS_TEXT);
        VllmMetrics opt = VllmMetrics.engines(v0).get(0);
        assertThat(opt.engine()).isEmpty();
        assertThat(opt.swapped()).hasValue(2.0);
        assertThat(opt.kvCacheUsage()).hasValue(0.9);
        assertThat(opt.preemptions()).hasValue(5.0);
        assertThat(opt.interTokenLatency().orElseThrow().count()).hasValue(4.0);
    }

    @Test
    void theV1NameWinsWhenAnEngineServesBoth() {
        Scrape both = Scrape.parse("""
                vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.4
                vllm:gpu_cache_usage_perc{engine="0",model_name="m"} 0.1
                """, ExpositionFormat.PROMETHEUS_TEXT);
        assertThat(VllmMetrics.engines(both).get(0).kvCacheUsage()).hasValue(0.4);
    }

    @Test
    void realV0Capture() throws IOException {
        Scrape v0 = FixtureScrapesTest.fixture("vllm-v0-aibrix-runtime.txt", ExpositionFormat.PROMETHEUS_TEXT);
        List<VllmMetrics> engines = VllmMetrics.engines(v0);
        assertThat(engines).hasSize(1);
        VllmMetrics qwen = engines.get(0);
        assertThat(qwen.modelName()).contains("Qwen/Qwen2.5-Coder-1.5B-Instruct");
        assertThat(qwen.engine()).isEmpty();
        assertThat(qwen.running()).hasValue(0.0);
        assertThat(qwen.waiting()).hasValue(0.0);
        assertThat(qwen.swapped()).hasValue(0.0);
        assertThat(qwen.kvCacheUsage()).hasValue(0.0);
        assertThat(qwen.preemptions()).hasValue(0.0);
        assertThat(qwen.promptTokens()).hasValue(148.0);
        assertThat(qwen.generationTokens()).hasValue(955.0);
        assertThat(qwen.numGpuBlocks()).isEqualTo(OptionalInt.of(81767));
        assertThat(qwen.blockSize()).isEqualTo(OptionalInt.of(16));
        assertThat(qwen.timeToFirstToken()).as("not in the capture").isEmpty();
    }

    @Test
    void realV1EraCaptureBeforeTheEngineLabel() throws IOException {
        Scrape s = FixtureScrapesTest.fixture("vllm-v1-production-stack-318-excerpt.txt",
                ExpositionFormat.PROMETHEUS_TEXT);
        VllmMetrics qwen = VllmMetrics.engines(s).get(0);
        assertThat(qwen.modelName()).contains("Qwen/Qwen2.5-Coder-32B-Instruct");
        assertThat(qwen.running()).hasValue(0.0);
        assertThat(qwen.waiting()).hasValue(0.0);
        assertThat(qwen.kvCacheUsage()).hasValue(0.0);
        assertThat(qwen.swapped()).isEmpty();
        assertThat(qwen.preemptions()).isEmpty();
        assertThat(qwen.numGpuBlocks()).isEmpty();
    }
}
