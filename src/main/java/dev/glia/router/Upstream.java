package dev.glia.router;

import dev.glia.metrics.VllmMetrics;
import dev.glia.policy.ReplicaView;
import dev.glia.policy.runtime.RouterAccounting;
import java.net.URI;
import java.util.List;

/**
 * One engine as the router sees it live (docs/router.md): its own accounting, exact and immediate, plus the last
 * scrape of the engine's {@code /metrics}, exact but stale. Touched only on the router's event loop.
 */
final class Upstream implements ReplicaView {
    final int id;
    final URI url;
    /** What the router sent, what streams, and the last scrape: the simulator's own computation of the views. */
    private final RouterAccounting<RoutedRequest> seen = new RouterAccounting<>();
    /** The pool whose policy sends to it. */
    Pool pool;
    /** Leaving (discovery lost it): takes nothing new, and goes once its in-flight requests finish. */
    boolean draining;
    /** A scrape (or health probe) is in flight: the next tick skips this engine rather than pile up. */
    boolean refreshing;
    private long failures;

    /** False until the first scrape succeeds, and from a failure until {@code /health} answers 200 again. */
    private boolean healthy;
    private long scrapedAtNanos = -1;
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
        seen.sent(r);
    }

    void firstByte(RoutedRequest r) {
        seen.firstToken(r);
    }

    /** The engine holds the request no more: it finished, failed or was aborted. */
    void gone(RoutedRequest r) {
        seen.finished(r);
    }

    int inflight() {
        return seen.inflight();
    }

    /** When a scrape is issued: the router's counts, which the scrape includes, and the failures so far. */
    record Issued(RouterAccounting.Issued counts, long failures) {
    }

    Issued issue() {
        return new Issued(seen.issue(), failures);
    }

    /** Re-admits the engine only if nothing failed on it since the scrape was issued. */
    void scraped(VllmMetrics m, Issued issued, long nowNanos) {
        totalBlocks = m.numGpuBlocks().orElse(totalBlocks);
        blockSize = m.blockSize().orElse(blockSize);
        seen.scraped((int) m.waiting().orElse(0), (int) m.running().orElse(0),
                (int) Math.round(m.kvCacheUsage().orElse(0) * totalBlocks), issued.counts());
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

    @Override
    public int numWaiting() {
        return seen.numWaiting();
    }

    @Override
    public int numRunning() {
        return seen.numRunning();
    }

    @Override
    public List<? extends RoutedRequest> waiting() {
        return seen.waiting();
    }

    @Override
    public List<? extends RoutedRequest> running() {
        return seen.running();
    }

    @Override
    public int allocatedBlocks() {
        return seen.allocatedBlocks();
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
