package dev.glia.control;

import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;
import java.util.List;

/**
 * One engine as the control plane observes it from Prometheus, for an autoscaler: the {@link ReplicaView} fields and
 * the engine's decode throughput over the last interval. docs/adaptation.md gives the query behind each field.
 * Per-request lists are not observable from Prometheus: {@link #waiting()} and {@link #running()} are empty.
 *
 * @param id               the engine's index among the ready engines, in the order of their pod names
 * @param decodeThroughput output tokens per second over the last interval
 *                         ({@code rate(vllm:generation_tokens_total[interval])})
 */
public record ObservedReplica(int id, int numWaiting, int numRunning, int allocatedBlocks, int totalBlocks,
        int blockSize, boolean accepting, double decodeThroughput) implements ReplicaView {

    public ObservedReplica {
        if (numWaiting < 0 || numRunning < 0 || allocatedBlocks < 0 || totalBlocks < 0 || blockSize < 0) {
            throw new IllegalArgumentException("observed replica " + id + ": counts cannot be negative");
        }
        if (!(decodeThroughput >= 0)) {
            throw new IllegalArgumentException("observed replica " + id + ": decode throughput must be at least 0, got "
                    + decodeThroughput);
        }
    }

    @Override
    public List<? extends RequestView> waiting() {
        return List.of();
    }

    @Override
    public List<? extends RequestView> running() {
        return List.of();
    }
}
