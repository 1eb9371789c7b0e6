package dev.glia.policy.runtime;

import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One engine as a live router knows it, the same in the router ({@code router.Upstream}) and in a simulation with a
 * scrape interval ({@code sim.engine.ScrapedReplica}), docs/router.md: the router's own accounting, exact and
 * immediate (what it sent, which of those streamed a first token, what finished), plus the engine's last scrape,
 * exact but stale. Between scrapes the queue counts are the scraped ones corrected by the router's sends and
 * completions since the scrape was issued. Subclasses say who the engine is, its cache's shape and whether it
 * accepts requests.
 *
 * @param <R> the router's request type
 */
public abstract class AccountedReplica<R extends RequestView> implements ReplicaView {
    /** Sent, no first token yet, in send order. */
    private final ArrayList<R> waiting = new ArrayList<>();
    /** A first token came back, the last has not. */
    private final ArrayList<R> running = new ArrayList<>();
    private final List<R> waitingView = Collections.unmodifiableList(waiting);
    private final List<R> runningView = Collections.unmodifiableList(running);
    private long sent;
    private long completed;
    private long sentAtScrape;
    private long completedAtScrape;
    private int scrapedWaiting;
    private int scrapedRunning;
    private int scrapedBlocks;

    /** The router's counts when a scrape is issued: the scrape includes what was sent and completed by then. */
    public record Issued(long sent, long completed) {
    }

    public final void sent(R request) {
        waiting.add(request);
        sent++;
    }

    /** The request's first token came back (a no-op for a request not waiting here). */
    public final void firstToken(R request) {
        if (waiting.remove(request)) {
            running.add(request);
        }
    }

    /** The engine holds the request no more (finished, failed, aborted); false if it was not here. */
    public final boolean finished(R request) {
        if (waiting.remove(request) || running.remove(request)) {
            completed++;
            return true;
        }
        return false;
    }

    public final Issued issue() {
        return new Issued(sent, completed);
    }

    /** A scrape's answer: the engine's counts and allocated blocks as of {@code issued}. */
    public final void scraped(int engineWaiting, int engineRunning, int allocatedBlocks, Issued issued) {
        scrapedWaiting = engineWaiting;
        scrapedRunning = engineRunning;
        scrapedBlocks = allocatedBlocks;
        sentAtScrape = issued.sent();
        completedAtScrape = issued.completed();
    }

    /** Scraped waiting plus what was sent since that scrape. */
    @Override
    public final int numWaiting() {
        return scrapedWaiting + (int) (sent - sentAtScrape);
    }

    /** Scraped running less what completed since that scrape (never below 0). */
    @Override
    public final int numRunning() {
        return Math.max(0, scrapedRunning - (int) (completed - completedAtScrape));
    }

    /** As scraped: blocks of requests sent since then show in {@link #waiting()}, not here. */
    @Override
    public final int allocatedBlocks() {
        return scrapedBlocks;
    }

    /** Sent without a first token yet, in send order (requests in prefill included). */
    @Override
    public final List<R> waiting() {
        return waitingView;
    }

    /** A first token came back, the last has not. */
    @Override
    public final List<R> running() {
        return runningView;
    }

    /** Sent and not finished. */
    public final int inflight() {
        return waiting.size() + running.size();
    }
}
