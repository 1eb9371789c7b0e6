package dev.glia.sim.engine;

import dev.glia.policy.ReplicaView;
import dev.glia.vllm.Engine;
import dev.glia.vllm.EngineSettings;
import dev.glia.vllm.exec.ExecutionModel;

/**
 * One replica of the simulated cluster: an engine, with its lifecycle under autoscaling
 * (provisioned, serving, draining, removed). Routers see it through {@link ReplicaView}.
 */
public final class Replica extends Engine<Request> implements ReplicaView {
    public enum Phase { STARTING, READY, DRAINING, REMOVED }

    Phase phase = Phase.STARTING;
    final double provisionedAt;
    double readyAt = Double.NaN;
    double removedAt = Double.NaN;
    /** The replica as a live router sees it, when the run has a scrape interval; null for exact views. */
    ScrapedReplica seen;

    Replica(int id, EngineSettings settings, ExecutionModel model, double provisionedAt) {
        super(id, settings, model);
        this.provisionedAt = provisionedAt;
    }

    @Override
    public boolean accepting() {
        return phase == Phase.READY;
    }

    public Phase phase() {
        return phase;
    }

    @Override
    public String toString() {
        return "replica " + id();
    }
}
