package dev.glia.control;

import dev.glia.metrics.Histogram;
import dev.glia.metrics.RouterHistograms;
import java.util.Map;

/**
 * What the router's metrics say of one pool ({@code stable}, {@code control} or {@code canary}) over one slice of a
 * canary: the increase of each latency histogram, of the requests that left the pool, and of those that failed. The
 * operator fills it from PromQL (docs/adaptation.md gives each query); tests fill it from simulated requests.
 *
 * @param latencies by the simulator's latency name ({@code e2e}, {@code ttft}, {@code queueDelay}, {@code tpot}):
 *                  the increase of the router's histogram over the slice, cumulative buckets by upper bound with
 *                  +Inf, and {@code _sum} and {@code _count} where queried
 * @param requests  requests that left the pool, whatever their outcome
 * @param errors    those among them that the policy may be to blame for (engine_error, queue_full, queue_timeout,
 *                  upstream_failed); a client's disconnect or a bad request is not counted
 */
public record PoolMetrics(Map<String, Histogram> latencies, double requests, double errors) {
    public PoolMetrics {
        latencies = Map.copyOf(latencies);
        if (!(requests >= 0) || !(errors >= 0)) {
            throw new IllegalArgumentException("pool metrics: requests and errors must be at least 0, got "
                    + requests + " and " + errors);
        }
    }

    /** The router's histogram behind a latency name, as the operator queries it. */
    public static String series(String latency) {
        return switch (latency) {
            case "e2e" -> RouterHistograms.E2E;
            case "ttft" -> RouterHistograms.TTFT;
            case "queueDelay" -> RouterHistograms.QUEUE_WAIT;
            case "tpot" -> RouterHistograms.INTER_TOKEN_LATENCY;
            default -> null;
        };
    }
}
