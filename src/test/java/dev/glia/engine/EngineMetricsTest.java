package dev.glia.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.glia.metrics.ExpositionFormat;
import dev.glia.metrics.Histogram;
import dev.glia.metrics.Scrape;
import dev.glia.metrics.VllmMetrics;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /metrics} as a router reads it: Glia's own vLLM metrics reader finds the engine and its state. */
class EngineMetricsTest {

    /** The real engine model behind the server: two requests run (the --max-num-seqs), two wait, blocks are held. */
    @Test
    void aScrapeOfTheEngineModelShowsItsQueuesAndKvCache() throws Exception {
        EngineOptions options = EngineOptions.builder().host("127.0.0.1").port(0).servedModelName(EngineHttp.MODEL)
                .gpu("a10").model("llama-3-8b").numGpuBlocksOverride(40).maxNumSeqs(2).maxModelLen(1024)
                .maxNumBatchedTokens(2048).build();
        EngineModelBackends backends = new EngineModelBackends(null);
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        try (EngineFleet fleet = EngineFleet.start(options, backends)) {
            String base = "http://127.0.0.1:" + fleet.servers().get(0).port();
            String prompt = java.util.stream.IntStream.range(1000, 1200).mapToObj(Integer::toString)
                    .collect(java.util.stream.Collectors.joining(","));
            for (int i = 0; i < 4; i++) {
                client.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/v1/completions"))
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\": \"" + EngineHttp.MODEL
                                + "\", \"prompt\": [" + prompt + "], \"max_tokens\": 800, \"ignore_eos\": true,"
                                + " \"stream\": true}")).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
            }
            WallClockEngine engine = backends.engines().get(0);
            WallClockEngineTest.waitFor(() -> engine.stats().running() == 2 && engine.stats().waiting() == 2);
            engine.stall(30); // hold the state still while it is scraped

            String body = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            VllmMetrics vllm = VllmMetrics.engine(Scrape.parse(body, ExpositionFormat.PROMETHEUS_TEXT), EngineHttp.MODEL,
                    "0").orElseThrow();
            assertThat(vllm.running()).hasValue(2);
            assertThat(vllm.waiting()).hasValue(2);
            // two prompts of 200 tokens and their outputs so far, in blocks of 16, of 40
            assertThat(vllm.kvCacheUsage().getAsDouble()).isBetween(26 / 40.0, 1.0);
            assertThat(vllm.numGpuBlocks()).hasValue(40);
            assertThat(vllm.blockSize()).hasValue(16);
        }
    }

    @Test
    void aScrapeShowsTheEnginesQueuesKvCacheAndConfigUnderVllmV1Names() {
        ScriptedBackend backend = new ScriptedBackend(1, 1).stats(new EngineStats(7, 3, 0.42, 2048, 16, 5, true));
        try (EngineHttp engine = new EngineHttp(backend, EngineHttp.options())) {
            HttpResponse<String> response = engine.get("/metrics");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
            Scrape scrape = Scrape.parse(response.body(), ExpositionFormat.PROMETHEUS_TEXT);
            VllmMetrics vllm = VllmMetrics.engine(scrape, EngineHttp.MODEL, "0").orElseThrow();
            assertThat(vllm.waiting()).hasValue(7);
            assertThat(vllm.running()).hasValue(3);
            assertThat(vllm.kvCacheUsage()).hasValue(0.42);
            assertThat(vllm.preemptions()).hasValue(5);
            assertThat(vllm.numGpuBlocks()).hasValue(2048);
            assertThat(vllm.blockSize()).hasValue(16);
            assertThat(vllm.promptTokens()).hasValue(0);
        }
    }

    @Test
    void finishedRequestsCountTheirTokensAndFillTheLatencyHistogramsOnTheModelClock() {
        try (EngineHttp engine = new EngineHttp(new ScriptedBackend(50, 10), EngineHttp.options())) {
            engine.post("/v1/completions", "{\"prompt\": [1, 2, 3, 4, 5, 6, 7], \"max_tokens\": 5}");
            engine.post("/v1/completions", "{\"prompt\": [1, 2, 3], \"max_tokens\": 5, \"stream\": true}");

            Scrape scrape = Scrape.parse(engine.get("/metrics").body(), ExpositionFormat.PROMETHEUS_TEXT);
            VllmMetrics vllm = VllmMetrics.engine(scrape, EngineHttp.MODEL, "0").orElseThrow();
            assertThat(vllm.promptTokens()).hasValue(10);
            assertThat(vllm.generationTokens()).hasValue(10);
            assertThat(scrape.value("vllm:request_success_total", Map.of("model_name", EngineHttp.MODEL, "engine", "0",
                    "finished_reason", "length"))).hasValue(2);
            Histogram ttft = vllm.timeToFirstToken().orElseThrow();
            assertThat(ttft.count()).hasValue(2);
            assertThat(ttft.mean().getAsDouble()).isCloseTo(0.05, within(0.04)); // the scripted 50 ms
            Histogram itl = vllm.interTokenLatency().orElseThrow();
            assertThat(itl.count()).hasValue(8); // 4 gaps per request
            assertThat(itl.buckets()).containsKeys(0.01, 0.025, 80.0);
            Histogram e2e = vllm.e2eRequestLatency().orElseThrow();
            assertThat(e2e.count()).hasValue(2);
            assertThat(e2e.buckets()).containsKeys(0.3, 7680.0);
            assertThat(scrape.histograms("vllm:request_generation_tokens")).singleElement()
                    .satisfies(h -> assertThat(h.sum()).hasValue(10));
            for (String name : new String[] {"vllm:request_queue_time_seconds", "vllm:request_prefill_time_seconds",
                    "vllm:request_decode_time_seconds", "vllm:request_prompt_tokens", "vllm:request_params_max_tokens",
                    "vllm:time_per_output_token_seconds"}) {
                assertThat(scrape.histograms(name)).as(name).singleElement()
                        .satisfies(h -> assertThat(h.count()).hasValue(2));
            }
        }
    }

    @Test
    void latenciesAreOnTheModelClockSoATimeScaledEngineReadsAsTheRealOne() {
        // 40 ms on the wall to the first token of an engine run 100 times faster: 4 s on the engine's clock
        try (EngineHttp engine = new EngineHttp(new ScriptedBackend(40, 5).modelSpeedup(100), EngineHttp.options())) {
            engine.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 3}");

            VllmMetrics vllm = VllmMetrics.engine(Scrape.parse(engine.get("/metrics").body(),
                    ExpositionFormat.PROMETHEUS_TEXT), EngineHttp.MODEL, "0").orElseThrow();
            assertThat(vllm.timeToFirstToken().orElseThrow().mean().getAsDouble()).isBetween(3.5, 8.0);
            assertThat(vllm.interTokenLatency().orElseThrow().mean().getAsDouble()).isBetween(0.4, 3.0);
        }
    }

    @Test
    void tokenCountHistogramsUseVllms125BucketsUpToTheContextLength() {
        assertThat(EngineMetrics.oneTwoFiveBuckets(1024)).containsExactly(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000);
    }
}
