package dev.glia.sim.engine;

import dev.glia.policy.runtime.AccountedReplica;

/**
 * One replica as a live router sees it, for a simulation with a scrape interval: the last scrape
 * of the engine's metrics (exact but stale) plus the router's own accounting since that scrape
 * (exact and immediate), through the same {@link AccountedReplica} as {@code dev.glia.router.Upstream}
 * (docs/router.md): a scrape here is instantaneous, so it includes exactly what was sent and
 * completed before it.
 */
final class ScrapedReplica extends AccountedReplica<Request> {
    final Replica replica;

    ScrapedReplica(Replica replica) {
        this.replica = replica;
    }

    /** Reads the engine's metrics now (instantly: the scrape includes all sent so far); the engine must be synced. */
    void scrape() {
        scraped(replica.numWaiting(), replica.numRunning(), replica.allocatedBlocks(), issue());
    }

    @Override
    public int id() {
        return replica.id();
    }

    @Override
    public int totalBlocks() {
        return replica.totalBlocks();
    }

    @Override
    public int blockSize() {
        return replica.blockSize();
    }

    @Override
    public boolean accepting() {
        return replica.accepting();
    }

    /** By id, so that hash-based collections in policies iterate in the same order on every run. */
    @Override
    public int hashCode() {
        return Integer.hashCode(replica.id());
    }

    @Override
    public boolean equals(Object o) {
        return o == this;
    }

    @Override
    public String toString() {
        return replica.toString();
    }
}
