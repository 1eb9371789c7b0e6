package dev.glia.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.metrics.ExpositionFormat;
import dev.glia.metrics.Scrape;
import dev.glia.metrics.VllmMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The router reads only the families it needs of an engine's /metrics, and reads them as the full parser does. */
class EngineScrapeTest {
    static final String EXPOSITION = """
            # HELP vllm:num_requests_running Number of requests in model execution batches.
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running{engine="0",model_name="llama"} 3.0
            # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{engine="0",model_name="llama"} 7.0
            # HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
            # TYPE vllm:kv_cache_usage_perc gauge
            vllm:kv_cache_usage_perc{engine="0",model_name="llama"} 0.25
            # HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
            # TYPE vllm:time_to_first_token_seconds histogram
            vllm:time_to_first_token_seconds_bucket{engine="0",le="0.001",model_name="llama"} 0.0
            vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="llama"} 4.0
            vllm:time_to_first_token_seconds_count{engine="0",model_name="llama"} 4.0
            vllm:time_to_first_token_seconds_sum{engine="0",model_name="llama"} 0.8
            # HELP vllm:cache_config_info Information of the LLMEngine CacheConfig
            # TYPE vllm:cache_config_info gauge
            vllm:cache_config_info{block_size="16",engine="0",num_gpu_blocks="2240"} 1.0
            # HELP vllm:num_requests_running_total not a family the router reads, though its name starts like one
            # TYPE vllm:num_requests_running_total counter
            vllm:num_requests_running_total{engine="0",model_name="llama"} 99.0
            """;

    @Test
    void keepsTheQueueGaugesTheCacheUsageAndItsConfigurationAndNothingElse() {
        assertThat(EngineScrape.relevant(EXPOSITION)).contains("vllm:num_requests_running{", "vllm:num_requests_waiting{",
                "vllm:kv_cache_usage_perc{", "vllm:cache_config_info{", "# TYPE vllm:cache_config_info gauge")
                .doesNotContain("time_to_first_token", "running_total");
    }

    @Test
    void readsWhatTheFullParserReads() {
        VllmMetrics filtered = EngineScrape.engines(EXPOSITION).get(0);
        VllmMetrics full = VllmMetrics.engines(Scrape.parse(EXPOSITION, ExpositionFormat.PROMETHEUS_TEXT)).get(0);

        assertThat(List.of(filtered.waiting(), filtered.running(), filtered.kvCacheUsage()))
                .isEqualTo(List.of(full.waiting(), full.running(), full.kvCacheUsage()));
        assertThat(filtered.numGpuBlocks()).hasValue(2240);
        assertThat(filtered.blockSize()).hasValue(16);
        assertThat(filtered.waiting()).hasValue(7.0);
    }
}
