package dev.glia.vllm.exec;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.glia.catalog.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * GPUs, model shapes and fitted operator profiles, and the execution model and KV capacity they
 * give. A profile measured for this GPU, model and tensor-parallel degree is used as is; a profile
 * of the same model on another GPU, or in bf16 when the model runs in fp8, is scaled by the ratio
 * of the two roofline predictions; with no profile at all, the roofline model stands alone.
 */
public final class Hardware {
    /** Roofline efficiencies of the non-attention GEMMs, fitted to the shipped profiles (see simulator/hardware/roofline-fit.md). */
    static final double ROOFLINE_BANDWIDTH_EFFICIENCY = 0.65;
    static final double ROOFLINE_FLOPS_EFFICIENCY = 0.54;
    static final double ROOFLINE_CONSTANT_MS = 0.0;
    /**
     * Decode-attention bandwidth efficiency fitted on the A100's attention profile: the streaming
     * efficiency of the LM head and decode attention on a GPU with no fit of its own (gpus.yaml).
     */
    static final double A100_STREAMING_EFFICIENCY = 0.76;
    /** Prefill-attention tensor-FLOP efficiency fitted on the A100. */
    static final double PREFILL_ATTENTION_EFFICIENCY = 0.51;
    static final double DECODE_ATTENTION_BASE_MS = 0.022;
    static final double PREFILL_ATTENTION_BASE_MS = 0.01;
    /**
     * Scheduler, sampling and Python overhead of an engine step: the one constant no profile pins.
     * Calibrated within [0, 1] ms on the low-load figure alone (SIMULATOR.md: ≈ 15 s mean e2e at
     * 3 QPS; `low-load`, 10 seeds: 14.93 s at 0 ms, 15.04 s at 0.25, 15.35 s at 1); see docs/fidelity.md.
     */
    static final double STEP_OVERHEAD_MS = 0.25;

    /**
     * A GPU's specifications; {@code streamingEfficiency} is the fraction of its bandwidth at which it
     * streams one large read (the LM head's weights, decode attention's KV), from its own fit.
     */
    public record Gpu(String name, double memoryGiB, double bf16Tflops, double fp8Tflops, double bandwidthGBs,
                      double streamingEfficiency) {
        double flops(String dtype) {
            return ("fp8".equals(dtype) ? fp8Tflops : bf16Tflops) * 1e12;
        }

        double bandwidth() {
            return bandwidthGBs * 1e9;
        }
    }

    public record Model(String name, int layers, int hidden, int heads, int kvHeads, int headDim, int ffn,
                        int vocab, double params) {
        /** Parameters of one transformer layer's projections and MLP. */
        double layerParams() {
            return (double) hidden * (heads + 2.0 * kvHeads) * headDim + (double) heads * headDim * hidden
                    + 3.0 * hidden * ffn;
        }

        /** KV-cache bytes per token across all layers (bf16 K and V). */
        public double kvBytesPerToken() {
            return 2.0 * kvHeads * headDim * layers * 2;
        }
    }

    record Profile(String name, String gpu, String model, int tensorParallel, Table nonAttention, Object fit) {
        record Table(int[] tokens, double[] ms) {
        }
    }

    private static final Map<String, Gpu> GPUS = new TreeMap<>();
    private static final Map<String, Model> MODELS = new TreeMap<>();
    /** Hugging Face repository ids, lower-cased, to model names. */
    private static final Map<String, String> HUGGING_FACE = new TreeMap<>();

    static {
        try {
            Map<String, Map<String, Object>> gpus = Resources.YAML.readValue(Resources.read("hardware/gpus.yaml"),
                    new TypeReference<>() { });
            gpus.forEach((name, v) -> GPUS.put(name, new Gpu(name, num(v, "memoryGiB"), num(v, "bf16Tflops"),
                    num(v, "fp8Tflops"), num(v, "bandwidthGBs"),
                    v.containsKey("streamingEfficiency") ? num(v, "streamingEfficiency") : A100_STREAMING_EFFICIENCY)));
            Map<String, Map<String, Object>> models = Resources.YAML.readValue(Resources.read("hardware/models.yaml"),
                    new TypeReference<>() { });
            models.forEach((name, v) -> MODELS.put(name, new Model(name, (int) num(v, "layers"),
                    (int) num(v, "hidden"), (int) num(v, "heads"), (int) num(v, "kvHeads"),
                    (int) num(v, "headDim"), (int) num(v, "ffn"), (int) num(v, "vocab"), num(v, "params"))));
            models.forEach((name, v) -> {
                if (v.get("huggingFace") instanceof List<?> ids) {
                    ids.forEach(id -> HUGGING_FACE.put(id.toString().toLowerCase(Locale.ROOT), name));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Hardware() {
    }

    private static double num(Map<String, Object> v, String key) {
        return ((Number) v.get(key)).doubleValue();
    }

    public static Map<String, Gpu> gpus() {
        return GPUS;
    }

    public static Map<String, Model> models() {
        return MODELS;
    }

    public static Gpu gpu(String name) {
        Gpu gpu = GPUS.get(name);
        if (gpu == null) {
            throw new IllegalArgumentException("unknown gpu '" + name + "'; known: " + String.join(", ", GPUS.keySet()));
        }
        return gpu;
    }

    public static Model model(String name) {
        Model model = MODELS.get(name);
        if (model == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; known: "
                    + String.join(", ", MODELS.keySet()));
        }
        return model;
    }

    /**
     * The model name ({@code llama-3-8b}) for a name or a Hugging Face repository id
     * ({@code meta-llama/Llama-3.1-8B-Instruct}), ignoring case.
     */
    public static String modelName(String nameOrRepository) {
        String key = nameOrRepository.toLowerCase(Locale.ROOT);
        if (MODELS.containsKey(key)) {
            return key;
        }
        String name = HUGGING_FACE.get(key);
        if (name == null) {
            throw new IllegalArgumentException("no execution model for '" + nameOrRepository + "'; known: "
                    + String.join(", ", MODELS.keySet()) + " and the Hugging Face ids " + String.join(", ",
                    HUGGING_FACE.keySet()) + " (simulator/hardware/models.yaml)");
        }
        return name;
    }

    /** The GPU name ({@code a10}) for a name in any case ({@code A10}). */
    public static String gpuName(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        gpu(key);
        return key;
    }

    static String profileName(String gpu, String model, int tp) {
        return gpu + "-" + model + (tp == 1 ? "" : "-tp" + tp);
    }

    static Profile profile(String name) {
        String path = "hardware/profiles/" + name + ".yaml";
        if (!Resources.exists(path)) {
            return null;
        }
        try {
            return Resources.YAML.readValue(Resources.read(path), Profile.class);
        } catch (IOException e) {
            throw new UncheckedIOException("bad profile " + path + ": " + e.getMessage(), e);
        }
    }

    /** Per-layer non-attention time of the roofline model, in ms. */
    static double rooflineMs(Gpu gpu, Model model, int tp, String dtype, int tokens) {
        double bytesPerParam = "fp8".equals(dtype) ? 1 : 2;
        double params = model.layerParams() / tp;
        double memory = params * bytesPerParam / (gpu.bandwidth() * ROOFLINE_BANDWIDTH_EFFICIENCY);
        double compute = 2 * params * tokens / (gpu.flops(dtype) * ROOFLINE_FLOPS_EFFICIENCY);
        return Math.max(memory, compute) * 1e3 + ROOFLINE_CONSTANT_MS;
    }

    public static LayerwiseExecutionModel executionModel(String gpuName, String modelName, int tp, String dtype) {
        Gpu gpu = gpu(gpuName);
        Model model = model(modelName);
        int[] tokens;
        double[] ms;
        String how;
        Profile own = profile(profileName(gpuName, modelName, tp));
        Profile sibling = own;
        if (sibling == null) {
            for (String other : GPUS.keySet()) {
                Profile p = profile(profileName(other, modelName, tp));
                if (p != null && (sibling == null || GPUS.get(other).bandwidthGBs() > GPUS.get(sibling.gpu()).bandwidthGBs())) {
                    sibling = p;
                }
            }
        }
        if (sibling != null) {
            Gpu from = gpu(sibling.gpu());
            tokens = sibling.nonAttention().tokens().clone();
            ms = sibling.nonAttention().ms().clone();
            boolean scaled = own == null || "fp8".equals(dtype);
            if (scaled) {
                for (int i = 0; i < tokens.length; i++) {
                    ms[i] *= rooflineMs(gpu, model, tp, dtype, tokens[i]) / rooflineMs(from, model, tp, "bf16", tokens[i]);
                }
            }
            how = "profile " + sibling.name() + (scaled ? " scaled by roofline to " + gpuName + " " + dtype : "");
        } else {
            tokens = new int[] {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384};
            ms = new double[tokens.length];
            for (int i = 0; i < tokens.length; i++) {
                ms[i] = rooflineMs(gpu, model, tp, dtype, tokens[i]);
            }
            how = "roofline of " + gpuName + " " + dtype;
        }
        double kvBytesPerLayerToken = 2.0 * model.kvHeads() * model.headDim() * 2 / Math.min(tp, model.kvHeads());
        double streaming = gpu.bandwidth() * gpu.streamingEfficiency();
        double decodeMsPerToken = kvBytesPerLayerToken / streaming * 1e3;
        double prefillFlopsPerWork = 4.0 * model.heads() * model.headDim() / tp;
        double prefillMsPerWork = prefillFlopsPerWork / (gpu.flops("bf16") * PREFILL_ATTENTION_EFFICIENCY) * 1e3;
        double bytesPerParam = "fp8".equals(dtype) ? 1 : 2;
        double lmHeadMs = (double) model.vocab() * model.hidden() * bytesPerParam / tp / streaming * 1e3;
        String description = modelName + " on " + (tp > 1 ? tp + "x" : "") + gpuName + " (" + dtype + "): " + how;
        return new LayerwiseExecutionModel(description, model.layers(), tokens, ms, DECODE_ATTENTION_BASE_MS, decodeMsPerToken,
                PREFILL_ATTENTION_BASE_MS, prefillMsPerWork, lmHeadMs + STEP_OVERHEAD_MS);
    }

    /**
     * KV blocks per replica as vLLM sizes them: GPU memory × utilisation, minus the weights and an
     * activation reserve for the largest batch, divided among blocks of KV for every layer.
     */
    public static int kvBlocks(String gpuName, String modelName, int tp, String dtype, double utilisation,
                               int blockSize, int maxNumBatchedTokens) {
        Gpu gpu = gpu(gpuName);
        Model model = model(modelName);
        double gib = 1024.0 * 1024 * 1024;
        double perGpu = gpu.memoryGiB() * gib * utilisation;
        double weights = model.params() * ("fp8".equals(dtype) ? 1 : 2) / tp;
        double activations = 0.5 * gib + 2.0 * maxNumBatchedTokens * (model.hidden() + (double) model.ffn() / tp);
        double kvPerBlock = model.kvBytesPerToken() / Math.min(tp, model.kvHeads()) * blockSize;
        return (int) Math.max(0, Math.floor((perGpu - weights - activations) / kvPerBlock));
    }
}
