package dev.glia.router;

import dev.glia.metrics.VllmMetrics;
import dev.glia.policy.ReplicaView;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * One engine as the router sees it live (docs/router.md): its own accounting, exact and immediate, plus the last
 * scrape of the engine's {@code /metrics}, exact but stale. Touched only on the router's event loop.
 */
final class Upstream implements ReplicaView {
    final int id;
    final URI url;
    /** Sent, no first byte back yet, in send order. */
    private final List<RoutedRequest> waiting = new ArrayList<>();
    /** Streaming: a first byte came back, the last has not. */
    private final List<RoutedRequest> running = new ArrayList<>();
    /** The pool whose policy sends to it. */
    Pool pool;
    /** Leaving (discovery lost it): takes nothing new, and goes once its in-flight requests finish. */
    boolean draining;
    /** A scrape (or health probe) is in flight: the next tick skips this engine rather than pile up. */
    boolean refreshing;
    private long sent;
    private long completed;
    private long failures;

    /** False until the first scrape succeeds, and from a failure until {@code /health} answers 200 again. */
    private boolean healthy;
    private long scrapedAtNanos = -1;
    private long sentAtScrape;
    private long completedAtScrape;
    private int scrapedWaiting;
    private int scrapedRunning;
    private double kvCacheUsage;
    private int totalBlocks;
    private int blockSize = 16;

    /** The absolute URI of the last path sent to, resolved once: clients send the same one or two paths. */
    private String lastPath;
    private String lastTarget;

    Upstream(int id, URI url) {
        this.id = id;
        this.url = url;
    }

    /** The engine's absolute URI for a client's request URI (path and query). */
    String target(String uri) {
        if (!uri.equals(lastPath)) {
            lastTarget = url.resolve(uri).toString();
            lastPath = uri;
        }
        return lastTarget;
    }

    void sent(RoutedRequest r) {
        waiting.add(r);
        sent++;
    }

    void firstByte(RoutedRequest r) {
        waiting.remove(r);
        running.add(r);
    }

    /** The engine holds the request no more: it finished, failed or was aborted. */
    void gone(RoutedRequest r) {
        if (waiting.remove(r) || running.remove(r)) {
            completed++;
        }
    }

    int inflight() {
        return waiting.size() + running.size();
    }

    /** The router's counts when a scrape is issued: the scrape includes what was sent and completed by then. */
    record Issued(long sent, long completed, long failures) {
    }

    Issued issue() {
        return new Issued(sent, completed, failures);
    }

    /** Re-admits the engine only if nothing failed on it since the scrape was issued. */
    void scraped(VllmMetrics m, Issued issued, long nowNanos) {
        scrapedWaiting = (int) m.waiting().orElse(0);
        scrapedRunning = (int) m.running().orElse(0);
        kvCacheUsage = m.kvCacheUsage().orElse(0);
        totalBlocks = m.numGpuBlocks().orElse(totalBlocks);
        blockSize = m.blockSize().orElse(blockSize);
        sentAtScrape = issued.sent();
        completedAtScrape = issued.completed();
        scrapedAtNanos = nowNanos;
        healthy = issued.failures() == failures;
    }

    void failed() {
        healthy = false;
        failures++;
    }

    boolean healthy() {
        return healthy;
    }

    /** Seconds since the last good scrape; infinite before the first. */
    double scrapeAgeSeconds(long nowNanos) {
        return scrapedAtNanos < 0 ? Double.POSITIVE_INFINITY : (nowNanos - scrapedAtNanos) / 1e9;
    }

    @Override
    public int id() {
        return id;
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
    public List<? extends RoutedRequest> waiting() {
        return waiting;
    }

    @Override
    public List<? extends RoutedRequest> running() {
        return running;
    }

    @Override
    public int allocatedBlocks() {
        return (int) Math.round(kvCacheUsage * totalBlocks);
    }

    @Override
    public int totalBlocks() {
        return totalBlocks;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public boolean accepting() {
        return healthy && !draining;
    }

    @Override
    public String toString() {
        return url.toString();
    }
}
