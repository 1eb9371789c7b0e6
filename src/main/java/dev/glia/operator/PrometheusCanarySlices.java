package dev.glia.operator;

import dev.glia.control.Baseline;
import dev.glia.control.CanaryCriteria;
import dev.glia.control.CanarySlice;
import dev.glia.control.MetricsVerdict;
import dev.glia.control.PoolMetrics;
import dev.glia.metrics.Histogram;
import dev.glia.metrics.RouterHistograms;
import dev.glia.metrics.prometheus.PrometheusClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;

/**
 * A running canary's slices read from Prometheus, for {@link MetricsVerdict}: range queries from the canary's start
 * to now at a step of one slice, each point the increase of the router's series over that slice, for the canary pool
 * and its baseline, the control pool or the stable pool (docs/adaptation.md, "Query contract (canary)", lists them).
 * Only the latency histograms the criteria name are asked for. A slice in which a pool has no series counts zero
 * requests and no observations for it.
 */
final class PrometheusCanarySlices implements MetricsVerdict.Slices {
    /** The outcomes a policy may be to blame for: errors of the canary's error-rate rule. */
    static final String ERROR_OUTCOMES = "engine_error|queue_full|queue_timeout|upstream_failed";

    private final PrometheusClient prometheus;
    private final Set<String> latencies;
    private final Duration slice;
    private final List<String> sent = new ArrayList<>();

    /**
     * @param latencies the latency names ({@code e2e}, {@code ttft}, {@code queueDelay}, {@code tpot}) to read
     * @param slice     the step: at least twice the router job's scrape interval
     */
    PrometheusCanarySlices(PrometheusClient prometheus, Set<String> latencies, Duration slice) {
        this.prometheus = prometheus;
        this.latencies = Set.copyOf(latencies);
        this.slice = slice;
    }

    /** The latency names the criteria's statistics need, among those the router measures per pool. */
    static Set<String> latencies(CanaryCriteria criteria) {
        Set<String> out = new LinkedHashSet<>();
        List<String> statistics = new ArrayList<>();
        statistics.add(criteria.objective().statistic());
        criteria.guardrails().forEach(g -> statistics.add(g.statistic()));
        for (String s : statistics) {
            String latency = s.contains(".") ? s.substring(0, s.indexOf('.')) : s;
            if (PoolMetrics.series(latency) != null) {
                out.add(latency);
            }
        }
        return out;
    }

    /** The queries sent so far, in order (for tests and docs). */
    List<String> sent() {
        return List.copyOf(sent);
    }

    @Override
    public List<CanarySlice> between(Baseline baseline, Instant start, Instant now) {
        long slices = Duration.between(start, now).toMillis() / slice.toMillis();
        if (slices < 1) {
            return List.of();
        }
        Instant first = start.plus(slice);
        Instant last = start.plus(slice.multipliedBy(slices));
        String window = "[" + slice.toSeconds() + "s]";
        String selector = "pool=~\"" + baseline.pool() + "|canary\"";
        // slice k (0-based) ends at first + k * slice
        Map<Long, Map<String, Map<String, Histogram>>> hist = new HashMap<>();
        for (String latency : latencies) {
            String series = PoolMetrics.series(latency);
            Map<Long, Map<String, TreeMap<Double, Double>>> buckets = new HashMap<>();
            for (PrometheusClient.Series s : range("sum by (pool, le) (increase(" + series + "_bucket{" + selector
                    + "}" + window + "))", first, last)) {
                double le = parseLe(s.labels().get("le"));
                for (PrometheusClient.Point p : s.points()) {
                    buckets.computeIfAbsent(index(first, p), k -> new HashMap<>())
                            .computeIfAbsent(s.labels().get("pool"), k -> new TreeMap<>()).put(le, p.value());
                }
            }
            Map<Long, Map<String, Double>> sums = byPool(range("sum by (pool) (increase(" + series + "_sum{" + selector
                    + "}" + window + "))", first, last), first);
            Map<Long, Map<String, Double>> counts = byPool(range("sum by (pool) (increase(" + series + "_count{"
                    + selector + "}" + window + "))", first, last), first);
            buckets.forEach((k, pools) -> pools.forEach((pool, b) -> {
                Double sum = sums.getOrDefault(k, Map.of()).get(pool);
                Double count = counts.getOrDefault(k, Map.of()).get(pool);
                hist.computeIfAbsent(k, x -> new HashMap<>()).computeIfAbsent(pool, x -> new HashMap<>())
                        .put(latency, new Histogram(Map.of("pool", pool), b,
                                sum == null ? OptionalDouble.empty() : OptionalDouble.of(sum),
                                count == null ? OptionalDouble.empty() : OptionalDouble.of(count)));
            }));
        }
        Map<Long, Map<String, Double>> requests = byPool(range("sum by (pool) (increase("
                + RouterHistograms.REQUESTS + "{" + selector + "}" + window + "))", first, last), first);
        Map<Long, Map<String, Double>> errors = byPool(range("sum by (pool) (increase(" + RouterHistograms.REQUESTS
                + "{" + selector + ",outcome=~\"" + ERROR_OUTCOMES + "\"}" + window + "))", first, last), first);
        List<CanarySlice> out = new ArrayList<>();
        for (long k = 0; k < slices; k++) {
            out.add(new CanarySlice(pool(hist, requests, errors, k, baseline.pool()), pool(hist, requests, errors, k,
                    "canary")));
        }
        return out;
    }

    private static PoolMetrics pool(Map<Long, Map<String, Map<String, Histogram>>> hist,
            Map<Long, Map<String, Double>> requests, Map<Long, Map<String, Double>> errors, long k, String pool) {
        double r = requests.getOrDefault(k, Map.of()).getOrDefault(pool, 0.0);
        double e = errors.getOrDefault(k, Map.of()).getOrDefault(pool, 0.0);
        return new PoolMetrics(hist.getOrDefault(k, Map.of()).getOrDefault(pool, Map.of()), Math.max(0, r),
                Math.max(0, Math.min(e, r)));
    }

    private List<PrometheusClient.Series> range(String query, Instant first, Instant last) {
        sent.add(query);
        return prometheus.range(query, first, last, slice);
    }

    private Map<Long, Map<String, Double>> byPool(List<PrometheusClient.Series> series, Instant first) {
        Map<Long, Map<String, Double>> out = new HashMap<>();
        for (PrometheusClient.Series s : series) {
            for (PrometheusClient.Point p : s.points()) {
                out.computeIfAbsent(index(first, p), k -> new HashMap<>()).put(s.labels().get("pool"), p.value());
            }
        }
        return out;
    }

    private long index(Instant first, PrometheusClient.Point p) {
        double seconds = p.timestamp() - (first.toEpochMilli() / 1000.0);
        return Math.round(seconds / (slice.toMillis() / 1000.0));
    }

    private static double parseLe(String le) {
        return le == null || le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
    }
}
