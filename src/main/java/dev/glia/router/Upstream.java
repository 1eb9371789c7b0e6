package dev.glia.router;

import dev.glia.metrics.VllmMetrics;
import dev.glia.policy.runtime.AccountedReplica;
import io.prometheus.client.Gauge;
import java.net.URI;

/**
 * One engine as the router sees it live (docs/router.md): its own accounting, exact and immediate, plus the last
 * scrape of the engine's {@code /metrics}, exact but stale. Touched only on the router's event loop.
 */
final class Upstream extends AccountedReplica<RoutedRequest> {
    final int id;
    final URI url;
    /** Its series of {@code glia_router_inflight}, looked up once rather than per request. */
    Gauge.Child inflightGauge;
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

    /** When a scrape is issued: the router's counts, which the scrape includes, and the failures so far. */
    record ScrapeIssued(Issued counts, long failures) {
    }

    ScrapeIssued issueScrape() {
        return new ScrapeIssued(issue(), failures);
    }

    /** Re-admits the engine only if nothing failed on it since the scrape was issued. */
    void scraped(VllmMetrics m, ScrapeIssued issued, long nowNanos) {
        totalBlocks = m.numGpuBlocks().orElse(totalBlocks);
        blockSize = m.blockSize().orElse(blockSize);
        scraped((int) m.waiting().orElse(0), (int) m.running().orElse(0),
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
