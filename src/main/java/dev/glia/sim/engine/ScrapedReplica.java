package dev.glia.sim.engine;

import dev.glia.policy.ReplicaView;
import dev.glia.policy.runtime.RouterAccounting;
import java.util.List;

/**
 * One replica as a live router sees it, for a simulation with a scrape interval: the last scrape
 * of the engine's metrics (exact but stale) plus the router's own accounting since that scrape
 * (exact and immediate), through the same {@link RouterAccounting} as {@code dev.glia.router.Upstream}
 * (docs/router.md): a scrape here is instantaneous, so it includes exactly what was sent and
 * completed before it.
 */
final class ScrapedReplica implements ReplicaView {
    final Replica replica;
    private final RouterAccounting<Request> seen = new RouterAccounting<>();

    ScrapedReplica(Replica replica) {
        this.replica = replica;
    }

    /** Reads the engine's metrics now (instantly: the scrape includes all sent so far); the engine must be synced. */
    void scrape() {
        seen.scraped(replica.numWaiting(), replica.numRunning(), replica.allocatedBlocks(), seen.issue());
    }

    void sent(Request r) {
        seen.sent(r);
    }

    /** The request's first token came back (a no-op for a request not waiting here). */
    void firstToken(Request r) {
        seen.firstToken(r);
    }

    /** The request's last token came back. */
    void finished(Request r) {
        seen.finished(r);
    }

    @Override
    public int id() {
        return replica.id();
    }

    @Override
    public int numWaiting() {
        return seen.numWaiting();
    }

    @Override
    public int numRunning() {
        return seen.numRunning();
    }

    @Override
    public List<Request> waiting() {
        return seen.waiting();
    }

    @Override
    public List<Request> running() {
        return seen.running();
    }

    @Override
    public int allocatedBlocks() {
        return seen.allocatedBlocks();
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
