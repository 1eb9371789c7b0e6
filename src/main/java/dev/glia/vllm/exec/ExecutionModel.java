package dev.glia.vllm.exec;

/**
 * How long an engine iteration takes on a GPU: the one thing the engine model asks of the
 * hardware. The simulator and the emulated engine ask the same instance, so the wall clock of
 * {@code glia engine} runs the simulator's timing.
 */
public interface ExecutionModel {

    /**
     * Seconds for one iteration.
     *
     * @param tokens        tokens processed in the batch (one per decode plus the prefill chunks)
     * @param decodes       decode sequences in the batch
     * @param decodeContext KV tokens the decodes read, summed
     * @param prefills      prefill chunks in the batch
     * @param prefillWork   Σ chunk × (cached tokens + chunk / 2) over the prefill chunks
     */
    double iterationSeconds(int tokens, int decodes, long decodeContext, int prefills, double prefillWork);

    /**
     * End-to-end latency of a request alone on an idle engine with chunked prefill of
     * {@code chunk} tokens per iteration: the denominator of slowdown.
     */
    double idealLatency(int prompt, int output, int chunk);

    /** One line naming the GPU, model and profile behind the figures, for run outputs. */
    String description();
}
