package dev.glia.router;

import dev.glia.metrics.ExpositionFormat;
import dev.glia.metrics.Scrape;
import dev.glia.metrics.VllmMetrics;
import java.util.List;

/**
 * What the router reads of an engine's {@code /metrics}: the queue gauges, the KV-cache usage and the cache
 * configuration. vLLM's exposition is mostly histogram buckets the router never reads (34 KB from a four-replica
 * {@code glia engine}); lines of other families are skipped before tokenising, so a scrape holds the event loop for
 * microseconds rather than the better part of a millisecond.
 */
final class EngineScrape {
    static final List<String> FAMILIES = List.of(VllmMetrics.WAITING, VllmMetrics.RUNNING, VllmMetrics.KV_CACHE_USAGE,
            VllmMetrics.GPU_CACHE_USAGE, VllmMetrics.CACHE_CONFIG);

    private EngineScrape() {
    }

    /** The engines the exposition reports on, read from the families above only. */
    static List<VllmMetrics> engines(String exposition) {
        return VllmMetrics.engines(Scrape.parse(relevant(exposition), ExpositionFormat.PROMETHEUS_TEXT));
    }

    /** The lines of {@link #FAMILIES}: their samples, {@code # HELP} and {@code # TYPE}. */
    static String relevant(String exposition) {
        StringBuilder out = new StringBuilder(1024);
        int n = exposition.length();
        for (int start = 0; start < n; ) {
            int end = exposition.indexOf('\n', start);
            if (end < 0) {
                end = n;
            }
            if (wanted(exposition, start, end)) {
                out.append(exposition, start, end).append('\n');
            }
            start = end + 1;
        }
        return out.toString();
    }

    private static boolean wanted(String text, int start, int end) {
        int nameStart = start;
        if (text.startsWith("# HELP ", start) || text.startsWith("# TYPE ", start)) {
            nameStart = start + 7;
        } else if (start < end && text.charAt(start) == '#') {
            return false;
        }
        int nameEnd = nameStart;
        while (nameEnd < end && text.charAt(nameEnd) != '{' && text.charAt(nameEnd) != ' ') {
            nameEnd++;
        }
        for (String family : FAMILIES) { // no substring per line: a scrape is ~700 lines
            if (nameEnd - nameStart == family.length() && text.regionMatches(nameStart, family, 0, family.length())) {
                return true;
            }
        }
        return false;
    }
}
