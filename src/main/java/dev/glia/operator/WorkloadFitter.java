package dev.glia.operator;

import dev.glia.metrics.fit.FitOptions;
import dev.glia.metrics.fit.WorkloadFit;
import dev.glia.metrics.prometheus.PrometheusClient;
import dev.glia.metrics.prometheus.WorkloadQueries;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;

/**
 * Fits a workload to what Prometheus holds over a window ({@code spec.scenario.source: fromMetrics}), as
 * {@code glia fit} does; the reconciler is given one, so tests can point it at a fake Prometheus. It throws what the
 * fit throws: {@link dev.glia.metrics.fit.TooFewRequestsException} for a window with too few requests,
 * {@link dev.glia.metrics.prometheus.PromQlException} for a Prometheus that cannot be reached or refuses a query.
 */
@FunctionalInterface
public interface WorkloadFitter {
    WorkloadFit.Fitted fit(URI prometheus, Duration window, Instant end, FitOptions options);

    /**
     * The fit over Prometheus' HTTP API ({@link WorkloadQueries}, every series: a GliaOptimization names no label
     * matchers), each query allowed {@code timeout}.
     */
    static WorkloadFitter prometheus(Duration timeout) {
        java.util.Map<URI, PrometheusClient> clients = new java.util.concurrent.ConcurrentHashMap<>();
        return (url, window, end, options) -> WorkloadFit.fit(new WorkloadQueries(clients.computeIfAbsent(url,
                u -> new PrometheusClient(u, timeout)), "", "").observe(end, window), options);
    }
}
