package dev.glia.sim.engine;

import dev.glia.vllm.EngineSettings;
import dev.glia.vllm.SchedulingPolicy;
import dev.glia.vllm.exec.ExecutionModel;

/**
 * A cluster resolved down to what the event loop needs: how many engines of which settings, on
 * which execution model, and how they scale.
 *
 * @param logs keep gs_log, batch_log and reqs_log rows (request metrics are always kept)
 */
public record ClusterConfig(
        int replicas,
        EngineSettings engine,
        ExecutionModel model,
        int gpusPerReplica,
        Autoscaling autoscaling,
        boolean logs) {

    /** Autoscaler ticks; a started replica serves after {@code coldStart} seconds. */
    public record Autoscaling(double interval, double coldStart, int minReplicas, int maxReplicas) {
    }

    /** The same cluster with decode runs on (the default) or off (one event per iteration, for verification). */
    public ClusterConfig withDecodeRuns(boolean on) {
        return new ClusterConfig(replicas, engine.withDecodeRuns(on), model, gpusPerReplica, autoscaling, logs);
    }

    public ClusterConfig withLogs(boolean on) {
        return new ClusterConfig(replicas, engine, model, gpusPerReplica, autoscaling, on);
    }

    /** The same cluster with vLLM's priority scheduling on, so that a batch priority is consulted. */
    public ClusterConfig withPriorityScheduling() {
        return new ClusterConfig(replicas, engine.withSchedulingPolicy(SchedulingPolicy.PRIORITY),
                model, gpusPerReplica, autoscaling, logs);
    }

    /** Prefill chunk of a request alone on an idle engine, for the ideal latency behind slowdown. */
    public int prefillChunk() {
        return engine.prefillChunk();
    }
}
