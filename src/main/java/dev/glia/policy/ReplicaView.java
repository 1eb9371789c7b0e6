package dev.glia.policy;

import java.util.List;

/**
 * One inference engine as a live router sees it: router-side accounting plus vLLM's
 * {@code /metrics} ({@code num_requests_waiting}, {@code num_requests_running},
 * {@code kv_cache_usage_perc}, {@code cache_config_info}).
 */
public interface ReplicaView {
    int id();

    int numWaiting();

    int numRunning();

    /** Requests queued inside the engine, in the engine's scheduling order. */
    List<? extends RequestView> waiting();

    /** Requests holding KV blocks in the engine. */
    List<? extends RequestView> running();

    int allocatedBlocks();

    int totalBlocks();

    int blockSize();

    /** False while the replica drains before removal (scale-down): route nothing to it. */
    boolean accepting();

    default int freeBlocks() {
        return totalBlocks() - allocatedBlocks();
    }

    default double kvUsage() {
        return (double) allocatedBlocks() / totalBlocks();
    }

    default int outstanding() {
        return numWaiting() + numRunning();
    }
}
