package dev.glia.metrics;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One vLLM engine as a router sees it in a scrape, whatever vLLM's version: the V0 and V1 metric names
 * are known here once (as llm-d's endpoint picker knows them), and nowhere else. An engine is a
 * ({@code model_name}, {@code engine}) pair of labels; V0 has no {@code engine} label. A metric the
 * scrape lacks is empty, never 0.
 */
public final class VllmMetrics {

    public static final String WAITING = "vllm:num_requests_waiting";
    public static final String RUNNING = "vllm:num_requests_running";
    /** V0 only: V1 recomputes instead of swapping. */
    public static final String SWAPPED = "vllm:num_requests_swapped";
    public static final String KV_CACHE_USAGE = "vllm:kv_cache_usage_perc";
    /** The V0 name of {@link #KV_CACHE_USAGE}, still served (deprecated) by early V1 releases. */
    public static final String GPU_CACHE_USAGE = "vllm:gpu_cache_usage_perc";
    public static final String PREEMPTIONS = "vllm:num_preemptions_total";
    /** How V0 releases before the {@code _total} suffix named {@link #PREEMPTIONS}. */
    public static final String PREEMPTIONS_V0 = "vllm:num_preemptions";
    public static final String PROMPT_TOKENS = "vllm:prompt_tokens_total";
    public static final String GENERATION_TOKENS = "vllm:generation_tokens_total";
    public static final String CACHE_CONFIG = "vllm:cache_config_info";
    public static final String TIME_TO_FIRST_TOKEN = "vllm:time_to_first_token_seconds";
    public static final String E2E_REQUEST_LATENCY = "vllm:e2e_request_latency_seconds";
    public static final String INTER_TOKEN_LATENCY = "vllm:inter_token_latency_seconds";
    /** The V0 name of {@link #INTER_TOKEN_LATENCY}. */
    public static final String TIME_PER_OUTPUT_TOKEN = "vllm:time_per_output_token_seconds";

    public static final String MODEL_NAME_LABEL = "model_name";
    public static final String ENGINE_LABEL = "engine";

    private static final List<String> PER_ENGINE_SAMPLES = List.of(WAITING, RUNNING, SWAPPED, KV_CACHE_USAGE,
            GPU_CACHE_USAGE, PREEMPTIONS, PREEMPTIONS_V0, PROMPT_TOKENS, GENERATION_TOKENS);
    private static final List<String> HISTOGRAMS = List.of(TIME_TO_FIRST_TOKEN, E2E_REQUEST_LATENCY,
            INTER_TOKEN_LATENCY, TIME_PER_OUTPUT_TOKEN);

    private final Scrape scrape;
    private final String modelName;
    private final String engine;
    private final Predicate<Map<String, String>> mine;

    private VllmMetrics(Scrape scrape, String modelName, String engine) {
        this.scrape = scrape;
        this.modelName = modelName;
        this.engine = engine;
        this.mine = labels -> Objects.equals(labels.get(MODEL_NAME_LABEL), modelName)
                && Objects.equals(labels.get(ENGINE_LABEL), engine);
    }

    /** The engines a scrape reports on, in order of first appearance; none if it has no vLLM metrics. */
    public static List<VllmMetrics> engines(Scrape scrape) {
        Set<List<String>> keys = new LinkedHashSet<>();
        for (String name : PER_ENGINE_SAMPLES) {
            scrape.samples(name).forEach(s -> keys.add(key(s.labels())));
        }
        for (String base : HISTOGRAMS) {
            scrape.histograms(base).forEach(h -> keys.add(key(h.labels())));
        }
        return keys.stream().map(k -> new VllmMetrics(scrape, k.get(0), k.get(1))).toList();
    }

    /** The engine serving this model (and with this V1 engine index, if given); empty if absent. */
    public static Optional<VllmMetrics> engine(Scrape scrape, String modelName, String engineIndex) {
        return engines(scrape).stream()
                .filter(e -> Objects.equals(e.modelName, modelName) && Objects.equals(e.engine, engineIndex))
                .findFirst();
    }

    private static List<String> key(Map<String, String> labels) {
        return Arrays.asList(labels.get(MODEL_NAME_LABEL), labels.get(ENGINE_LABEL));
    }

    public Optional<String> modelName() {
        return Optional.ofNullable(modelName);
    }

    /** V1's engine index (data-parallel rank); empty on V0. */
    public Optional<String> engine() {
        return Optional.ofNullable(engine);
    }

    public OptionalDouble waiting() {
        return scrape.sum(WAITING, mine);
    }

    public OptionalDouble running() {
        return scrape.sum(RUNNING, mine);
    }

    public OptionalDouble swapped() {
        return scrape.sum(SWAPPED, mine);
    }

    /** Fraction of KV-cache blocks in use, 0 to 1 (the {@code _perc} names notwithstanding). */
    public OptionalDouble kvCacheUsage() {
        return firstPresent(scrape.sum(KV_CACHE_USAGE, mine), scrape.sum(GPU_CACHE_USAGE, mine));
    }

    public OptionalDouble preemptions() {
        return firstPresent(scrape.sum(PREEMPTIONS, mine), scrape.sum(PREEMPTIONS_V0, mine));
    }

    public OptionalDouble promptTokens() {
        return scrape.sum(PROMPT_TOKENS, mine);
    }

    public OptionalDouble generationTokens() {
        return scrape.sum(GENERATION_TOKENS, mine);
    }

    /** {@code num_gpu_blocks} of {@code vllm:cache_config_info}; empty when absent or "None". */
    public OptionalInt numGpuBlocks() {
        return cacheConfig("num_gpu_blocks");
    }

    public OptionalInt blockSize() {
        return cacheConfig("block_size");
    }

    public Optional<Histogram> timeToFirstToken() {
        return scrape.histogram(TIME_TO_FIRST_TOKEN, mine);
    }

    public Optional<Histogram> e2eRequestLatency() {
        return scrape.histogram(E2E_REQUEST_LATENCY, mine);
    }

    public Optional<Histogram> interTokenLatency() {
        Optional<Histogram> v1 = scrape.histogram(INTER_TOKEN_LATENCY, mine);
        return v1.isPresent() ? v1 : scrape.histogram(TIME_PER_OUTPUT_TOKEN, mine);
    }

    /**
     * V0 exports the cache config once per server with neither label; V1 once per engine with an
     * {@code engine} label and no {@code model_name}. Take this engine's, else the unlabelled one.
     */
    private OptionalInt cacheConfig(String label) {
        Sample match = null;
        for (Sample s : scrape.samples(CACHE_CONFIG)) {
            String sampleEngine = s.label(ENGINE_LABEL);
            if (sampleEngine != null && sampleEngine.equals(engine)) {
                match = s;
                break;
            }
            if (sampleEngine == null && match == null) {
                match = s;
            }
        }
        if (match == null || match.label(label) == null) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(match.label(label)));
        } catch (NumberFormatException e) {
            return OptionalInt.empty(); // "None" before the profiler has sized the cache
        }
    }

    private static OptionalDouble firstPresent(OptionalDouble a, OptionalDouble b) {
        return a.isPresent() ? a : b;
    }

    @Override
    public String toString() {
        return "VllmMetrics[model_name=" + modelName + ", engine=" + engine + "]";
    }
}
