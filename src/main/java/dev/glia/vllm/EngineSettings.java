package dev.glia.vllm;

/**
 * One engine's configuration, in vLLM's vocabulary ({@code --num-gpu-blocks-override},
 * {@code --block-size}, {@code --max-num-seqs}, {@code --max-num-batched-tokens},
 * {@code --enable-chunked-prefill}, {@code --scheduling-policy}).
 *
 * @param decodeRuns plan decode-only batches as multi-iteration runs: identical results, far fewer
 *                   events; an acceleration for the simulator, off on the wall clock where every
 *                   iteration's tokens must leave when it ends
 */
public record EngineSettings(
        int numGpuBlocks,
        int blockSize,
        int maxNumSeqs,
        int maxNumBatchedTokens,
        BatchFormation batchFormation,
        SchedulingPolicy schedulingPolicy,
        boolean decodeRuns) {

    public EngineSettings {
        if (numGpuBlocks < 1 || blockSize < 1 || maxNumSeqs < 1 || maxNumBatchedTokens < 1) {
            throw new IllegalArgumentException("numGpuBlocks, blockSize, maxNumSeqs and maxNumBatchedTokens must be"
                    + " at least 1, got " + numGpuBlocks + ", " + blockSize + ", " + maxNumSeqs + ", "
                    + maxNumBatchedTokens);
        }
    }

    public boolean priorityScheduling() {
        return schedulingPolicy == SchedulingPolicy.PRIORITY;
    }

    /** Prefill chunk of a request alone on an idle engine: the token budget, or the whole prompt. */
    public int prefillChunk() {
        return batchFormation == BatchFormation.CHUNKED_PREFILL ? maxNumBatchedTokens : Integer.MAX_VALUE;
    }

    public EngineSettings withDecodeRuns(boolean on) {
        return new EngineSettings(numGpuBlocks, blockSize, maxNumSeqs, maxNumBatchedTokens, batchFormation,
                schedulingPolicy, on);
    }

    public EngineSettings withSchedulingPolicy(SchedulingPolicy policy) {
        return new EngineSettings(numGpuBlocks, blockSize, maxNumSeqs, maxNumBatchedTokens, batchFormation,
                policy, decodeRuns);
    }
}
