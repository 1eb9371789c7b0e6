package dev.glia.engine;

import dev.glia.vllm.SchedulingPolicy;
import java.util.Set;

/**
 * How one {@code glia engine} is configured: vLLM's own settings under vLLM's names (what the HTTP side needs:
 * {@code max_model_len}, the served name, the scheduling policy; what the engine model needs: batch and KV-cache
 * sizes), the emulator's (GPU, time scale, replicas, output lengths, seed) and its fault injection. Validated on
 * construction, with messages that say which flag to change.
 *
 * @param numGpuBlocksOverride {@code null}: the engine model sizes the KV cache from the GPU and the model
 * @param outputLengths a workload name whose length table gives output lengths when {@code ignore_eos} is off;
 *        {@code null}: requests run to {@code max_tokens}
 * @param failAfter {@code null}: never; else the engine dies when request {@code failAfter + 1} arrives
 * @param stallAfter {@code null}: never
 */
public record EngineOptions(String host, int port, String model, String servedModelName, String gpu, int maxModelLen,
        int maxNumSeqs, int maxNumBatchedTokens, Integer numGpuBlocksOverride, int blockSize,
        SchedulingPolicy schedulingPolicy, boolean enableChunkedPrefill, double timeScale, int replicas,
        String outputLengths, long seed, Integer failAfter, StallAfter stallAfter, double slowStartSeconds) {

    /** The block sizes vLLM accepts on CUDA ({@code --block-size} choices). */
    public static final Set<Integer> BLOCK_SIZES = Set.of(1, 8, 16, 32, 64, 128);

    public EngineOptions {
        require(host != null && !host.isBlank(), "--host must not be empty");
        require(port >= 0 && port + Math.max(replicas, 1) - 1 <= 65_535, "--port " + port + " with --replicas "
                + replicas + " needs ports up to " + (port + replicas - 1) + "; ports end at 65535");
        require(model != null && !model.isBlank(), "--model must not be empty");
        require(servedModelName != null && !servedModelName.isBlank(), "--served-model-name must not be empty");
        require(maxModelLen >= 1, "--max-model-len must be at least 1, got " + maxModelLen);
        require(maxNumSeqs >= 1, "--max-num-seqs must be at least 1, got " + maxNumSeqs);
        require(maxNumBatchedTokens >= maxNumSeqs, "--max-num-batched-tokens (" + maxNumBatchedTokens
                + ") must be greater than or equal to --max-num-seqs (" + maxNumSeqs + ")");
        require(enableChunkedPrefill || maxNumBatchedTokens >= maxModelLen, "--max-num-batched-tokens ("
                + maxNumBatchedTokens + ") is smaller than --max-model-len (" + maxModelLen + ") without chunked"
                + " prefill, so longer prompts could never be scheduled: raise --max-num-batched-tokens, lower"
                + " --max-model-len, or turn --enable-chunked-prefill on");
        require(numGpuBlocksOverride == null || numGpuBlocksOverride >= 1,
                "--num-gpu-blocks-override must be at least 1, got " + numGpuBlocksOverride);
        require(BLOCK_SIZES.contains(blockSize), "--block-size must be one of 1, 8, 16, 32, 64, 128 (as vLLM on CUDA),"
                + " got " + blockSize);
        require(schedulingPolicy != null, "--scheduling-policy must be fcfs or priority");
        require(timeScale > 0 && Double.isFinite(timeScale), "--time-scale must be a positive number (10 = ten"
                + " times faster than the real engine), got " + timeScale);
        require(replicas >= 1, "--replicas must be at least 1, got " + replicas);
        require(failAfter == null || failAfter >= 0, "--fail-after must be 0 or more requests, got " + failAfter);
        require(slowStartSeconds >= 0 && Double.isFinite(slowStartSeconds),
                "--slow-start must be 0 or more seconds, got " + slowStartSeconds);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port of replica {@code index}: replicas listen on consecutive ports. */
    public int port(int replicaIndex) {
        return port == 0 ? 0 : port + replicaIndex;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** vLLM's defaults where vLLM has one, the emulator's otherwise. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 8000;
        private String model = "meta-llama/Llama-3.1-8B-Instruct";
        private String servedModelName;
        private String gpu = "H100";
        private int maxModelLen = 8192;
        private int maxNumSeqs = 256;
        private int maxNumBatchedTokens = 8192;
        private Integer numGpuBlocksOverride;
        private int blockSize = 16;
        private SchedulingPolicy schedulingPolicy = SchedulingPolicy.FCFS;
        private boolean enableChunkedPrefill = true;
        private double timeScale = 1;
        private int replicas = 1;
        private String outputLengths;
        private long seed;
        private Integer failAfter;
        private StallAfter stallAfter;
        private double slowStartSeconds;

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder model(String v) { model = v; return this; }
        public Builder servedModelName(String v) { servedModelName = v; return this; }
        public Builder gpu(String v) { gpu = v; return this; }
        public Builder maxModelLen(int v) { maxModelLen = v; return this; }
        public Builder maxNumSeqs(int v) { maxNumSeqs = v; return this; }
        public Builder maxNumBatchedTokens(int v) { maxNumBatchedTokens = v; return this; }
        public Builder numGpuBlocksOverride(Integer v) { numGpuBlocksOverride = v; return this; }
        public Builder blockSize(int v) { blockSize = v; return this; }
        public Builder schedulingPolicy(SchedulingPolicy v) { schedulingPolicy = v; return this; }
        public Builder enableChunkedPrefill(boolean v) { enableChunkedPrefill = v; return this; }
        public Builder timeScale(double v) { timeScale = v; return this; }
        public Builder replicas(int v) { replicas = v; return this; }
        public Builder outputLengths(String v) { outputLengths = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder failAfter(Integer v) { failAfter = v; return this; }
        public Builder stallAfter(StallAfter v) { stallAfter = v; return this; }
        public Builder slowStartSeconds(double v) { slowStartSeconds = v; return this; }

        public EngineOptions build() {
            return new EngineOptions(host, port, model, servedModelName != null ? servedModelName : model, gpu,
                    maxModelLen, maxNumSeqs, maxNumBatchedTokens, numGpuBlocksOverride, blockSize, schedulingPolicy,
                    enableChunkedPrefill, timeScale, replicas, outputLengths, seed, failAfter, stallAfter,
                    slowStartSeconds);
        }
    }
}
