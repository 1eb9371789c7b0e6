package dev.glia.sim.engine;

import dev.glia.vllm.EngineSettings;
import dev.glia.vllm.SchedulingPolicy;
import dev.glia.vllm.exec.ExecutionModel;

/**
 * A cluster resolved down to what the event loop needs: how many engines of which settings, on
 * which execution model, and how they scale.
 *
 * @param logs           keep gs_log, batch_log and reqs_log rows (request metrics are always kept)
 * @param scrapeInterval seconds of model time between a live router's scrapes of each engine's
 *                       metrics: policies then see the views a live router computes (docs/router.md);
 *                       0 for exact views
 */
public record ClusterConfig(
        int replicas,
        EngineSettings engine,
        ExecutionModel model,
        int gpusPerReplica,
        Autoscaling autoscaling,
        boolean logs,
        double scrapeInterval) {

    public ClusterConfig {
        if (!(scrapeInterval >= 0) || Double.isInfinite(scrapeInterval)) {
            throw new IllegalArgumentException("scrape interval: must be finite seconds, at least 0, got " + scrapeInterval);
        }
    }

    public ClusterConfig(int replicas, EngineSettings engine, ExecutionModel model, int gpusPerReplica,
                         Autoscaling autoscaling, boolean logs) {
        this(replicas, engine, model, gpusPerReplica, autoscaling, logs, 0);
    }

    /** Autoscaler ticks; a started replica serves after {@code coldStart} seconds. */
    public record Autoscaling(double interval, double coldStart, int minReplicas, int maxReplicas) {
    }

    /** The same cluster with decode runs on (the default) or off (one event per iteration, for verification). */
    public ClusterConfig withDecodeRuns(boolean on) {
        return new ClusterConfig(replicas, engine.withDecodeRuns(on), model, gpusPerReplica, autoscaling, logs,
                scrapeInterval);
    }

    public ClusterConfig withLogs(boolean on) {
        return new ClusterConfig(replicas, engine, model, gpusPerReplica, autoscaling, on, scrapeInterval);
    }

    /** The same cluster with vLLM's priority scheduling on, so that a batch priority is consulted. */
    public ClusterConfig withPriorityScheduling() {
        return new ClusterConfig(replicas, engine.withSchedulingPolicy(SchedulingPolicy.PRIORITY),
                model, gpusPerReplica, autoscaling, logs, scrapeInterval);
    }

    /** The same cluster seen through a live router scraping every {@code seconds} of model time (0: exact views). */
    public ClusterConfig withScrapeInterval(double seconds) {
        return new ClusterConfig(replicas, engine, model, gpusPerReplica, autoscaling, logs, seconds);
    }

    /** Prefill chunk of a request alone on an idle engine, for the ideal latency behind slowdown. */
    public int prefillChunk() {
        return engine.prefillChunk();
    }
}
