package dev.glia.sim.engine;

import dev.glia.vllm.exec.ExecutionModel;

/**
 * A cluster resolved down to what the event loop needs.
 *
 * @param decodeRuns run decode-only batches as planned multi-iteration runs (identical results,
 *                   far fewer events); false steps one iteration per event, for verification
 * @param logs       keep gs_log, batch_log and reqs_log rows (request metrics are always kept)
 */
public record EngineConfig(
        int replicas,
        int numBlocks,
        int blockSize,
        int maxNumSeqs,
        Scheduler scheduler,
        int chunkSize,
        int maxTokensInBatch,
        boolean priorityScheduling,
        ExecutionModel model,
        int gpusPerReplica,
        Autoscaling autoscaling,
        boolean decodeRuns,
        boolean logs) {

    public enum Scheduler { SARATHI, VLLM }

    /** Autoscaler ticks; a started replica serves after {@code coldStart} seconds. */
    public record Autoscaling(double interval, double coldStart, int minReplicas, int maxReplicas) {
    }

    public EngineConfig withDecodeRuns(boolean on) {
        return new EngineConfig(replicas, numBlocks, blockSize, maxNumSeqs, scheduler, chunkSize,
                maxTokensInBatch, priorityScheduling, model, gpusPerReplica, autoscaling, on, logs);
    }

    public EngineConfig withLogs(boolean on) {
        return new EngineConfig(replicas, numBlocks, blockSize, maxNumSeqs, scheduler, chunkSize,
                maxTokensInBatch, priorityScheduling, model, gpusPerReplica, autoscaling, decodeRuns, on);
    }

    ReplicaScheduler newScheduler() {
        return scheduler == Scheduler.SARATHI
                ? ReplicaScheduler.sarathi(chunkSize)
                : ReplicaScheduler.vllm(maxTokensInBatch);
    }
}
