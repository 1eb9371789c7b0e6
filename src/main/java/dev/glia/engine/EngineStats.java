package dev.glia.engine;

/** One engine's instantaneous state: its queues, its KV cache (usage a fraction, 0 to 1) and whether it is alive. */
public record EngineStats(int waiting, int running, double kvCacheUsage, int numGpuBlocks, int blockSize,
        long preemptionsTotal, boolean alive) {
}
