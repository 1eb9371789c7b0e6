package dev.glia.engine;

public record EngineStats(int waiting, int running, double kvCacheUsage /*0..1*/, int numGpuBlocks, int blockSize, long preemptionsTotal, boolean alive) {
}
