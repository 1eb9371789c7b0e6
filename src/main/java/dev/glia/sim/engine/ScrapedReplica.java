package dev.glia.sim.engine;

import dev.glia.policy.ReplicaView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One replica as a live router sees it, for a simulation with a scrape interval: the last scrape
 * of the engine's metrics (exact but stale) plus the router's own accounting since that scrape
 * (exact and immediate). Computed as {@code dev.glia.router.Upstream} computes it live
 * (docs/router.md): a scrape here is instantaneous, so it includes exactly what was sent and
 * completed before it.
 */
final class ScrapedReplica implements ReplicaView {
    final Replica replica;
    /** Sent, no first token yet, in send order. */
    private final ArrayList<Request> waiting = new ArrayList<>();
    /** A first token came back, the last has not. */
    private final ArrayList<Request> running = new ArrayList<>();
    private final List<Request> waitingView = Collections.unmodifiableList(waiting);
    private final List<Request> runningView = Collections.unmodifiableList(running);
    private long sent;
    private long completed;
    private long sentAtScrape;
    private long completedAtScrape;
    private int scrapedWaiting;
    private int scrapedRunning;
    private int scrapedBlocks;

    ScrapedReplica(Replica replica) {
        this.replica = replica;
    }

    /** Reads the engine's metrics now; the engine must be synced to now. */
    void scrape() {
        scrapedWaiting = replica.numWaiting();
        scrapedRunning = replica.numRunning();
        scrapedBlocks = replica.allocatedBlocks();
        sentAtScrape = sent;
        completedAtScrape = completed;
    }

    void sent(Request r) {
        waiting.add(r);
        sent++;
    }

    /** The request's first token came back (a no-op for a request not waiting here). */
    void firstToken(Request r) {
        if (waiting.remove(r)) {
            running.add(r);
        }
    }

    /** The request's last token came back. */
    void finished(Request r) {
        if (waiting.remove(r) || running.remove(r)) {
            completed++;
        }
    }

    @Override
    public int id() {
        return replica.id();
    }

    /** Scraped waiting plus what was sent since that scrape. */
    @Override
    public int numWaiting() {
        return scrapedWaiting + (int) (sent - sentAtScrape);
    }

    /** Scraped running less what completed since that scrape (never below 0). */
    @Override
    public int numRunning() {
        return Math.max(0, scrapedRunning - (int) (completed - completedAtScrape));
    }

    @Override
    public List<Request> waiting() {
        return waitingView;
    }

    @Override
    public List<Request> running() {
        return runningView;
    }

    /** As scraped: blocks of requests sent since then show in {@link #waiting()}, not here. */
    @Override
    public int allocatedBlocks() {
        return scrapedBlocks;
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
