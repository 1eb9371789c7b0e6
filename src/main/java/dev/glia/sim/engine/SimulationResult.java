package dev.glia.sim.engine;

import java.util.List;

/**
 * What one run produced.
 *
 * @param requests   every request that arrived, in arrival order
 * @param endTime    time of the last completion (of the last event if nothing completed)
 * @param gpuSeconds GPU time provisioned: replicas × lifetime × GPUs per replica
 * @param events     events processed by the loop
 */
public record SimulationResult(
        List<Request> requests,
        RunLog log,
        double endTime,
        double gpuSeconds,
        long events,
        long routerCalls,
        int peakReplicas) {

    public long completed() {
        return requests.stream().filter(r -> r.state() == Request.State.DONE).count();
    }
}
