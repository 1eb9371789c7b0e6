package dev.glia.operator;

import dev.glia.control.ObservedCluster;
import dev.glia.control.ObservedReplica;
import dev.glia.metrics.prometheus.PrometheusClient;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Fills an {@link ObservedCluster} (an autoscaler's view) from the engine pods the Kubernetes API lists and from
 * Prometheus, with exactly the queries of docs/adaptation.md ("Query contract (autoscaling)"), field for field as the
 * simulator's {@code ScalingView} computes them. The queries are public so that tests and the docs name the same
 * strings.
 */
final class ClusterObserver {
    private final PrometheusClient prometheus;
    private final double timeScale;

    /**
     * @param timeScale model seconds per wall second of the engines ({@code spec.target.engines.timeScale}): the
     *                  rates Prometheus gives per wall second are divided by it, so that a policy reads model time
     */
    ClusterObserver(PrometheusClient prometheus, double timeScale) {
        if (!(timeScale > 0)) {
            throw new IllegalArgumentException("the engines' time scale must be positive, got " + timeScale);
        }
        this.prometheus = prometheus;
        this.timeScale = timeScale;
    }

    /** The engine pods as the autoscaler counts them: ready ones (by name), starting, draining. */
    record Pods(List<String> ready, List<String> draining, int starting) {
        /** What the Kubernetes API says of {@code pods}: Ready and {@code deletionTimestamp} decide. */
        static Pods of(List<Pod> pods) {
            List<String> ready = new ArrayList<>();
            List<String> draining = new ArrayList<>();
            int starting = 0;
            for (Pod p : pods.stream().sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList()) {
                boolean deleting = p.getMetadata().getDeletionTimestamp() != null;
                boolean isReady = p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus()
                        .getConditions().stream().anyMatch(c -> "Ready".equals(c.getType())
                                && "True".equals(c.getStatus()));
                if (isReady) {
                    ready.add(p.getMetadata().getName());
                    if (deleting) {
                        draining.add(p.getMetadata().getName());
                    }
                } else if (!deleting) {
                    starting++;
                }
            }
            return new Pods(List.copyOf(ready), List.copyOf(draining), starting);
        }
    }

    // ---- the query contract (docs/adaptation.md); <pods> is the ready pods' names as a regex alternation

    static String waiting(String pods) {
        return "sum by (pod) (vllm:num_requests_waiting{pod=~\"" + pods + "\"})";
    }

    static String running(String pods) {
        return "sum by (pod) (vllm:num_requests_running{pod=~\"" + pods + "\"})";
    }

    static String kvCacheUsage(String pods) {
        return "max by (pod) (vllm:kv_cache_usage_perc{pod=~\"" + pods + "\"})";
    }

    /** vLLM V0's name of the same gauge, asked only when the V1 name has no series. */
    static String gpuCacheUsage(String pods) {
        return "max by (pod) (vllm:gpu_cache_usage_perc{pod=~\"" + pods + "\"})";
    }

    static String cacheConfig(String pods) {
        return "vllm:cache_config_info{pod=~\"" + pods + "\"}";
    }

    static String decodeThroughput(String pods, Duration window) {
        return "sum by (pod) (rate(vllm:generation_tokens_total{pod=~\"" + pods + "\"}[" + range(window) + "]))";
    }

    static String queued() {
        return "sum(glia_router_queue_length)";
    }

    static String arrivalRate(Duration window) {
        return "sum(rate(glia_router_prompt_tokens_count[" + range(window) + "]))";
    }

    /** A wall-clock window as PromQL writes it: whole seconds as {@code 30s}, else milliseconds ({@code 7500ms}). */
    static String range(Duration window) {
        long millis = Math.max(1, window.toMillis());
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** The pods' names as a PromQL regex alternation (dots escaped; names are DNS labels otherwise). */
    static String podRegex(List<String> names) {
        return names.stream().map(n -> n.replace(".", "\\\\.")).collect(Collectors.joining("|"));
    }

    /** The Deployment's pods: those its {@code spec.selector.matchLabels} select. */
    static Map<String, String> selector(Deployment d) {
        return d.getSpec() == null || d.getSpec().getSelector() == null
                || d.getSpec().getSelector().getMatchLabels() == null ? Map.of()
                : d.getSpec().getSelector().getMatchLabels();
    }

    /**
     * The view at {@code now} (model seconds on the operator's clock) of a tick every {@code interval} model seconds,
     * its rates over the last {@code window} of wall-clock time (the interval divided by the time scale).
     *
     * @throws dev.glia.metrics.prometheus.PromQlException when Prometheus cannot answer
     */
    ObservedCluster observe(Pods pods, double now, double interval, Duration window, int minReplicas,
            int maxReplicas, Instant at) {
        List<ObservedReplica> replicas = new ArrayList<>();
        if (!pods.ready().isEmpty()) {
            String re = podRegex(pods.ready());
            Map<String, Double> waiting = byPod(waiting(re), at);
            Map<String, Double> running = byPod(running(re), at);
            Map<String, Double> usage = byPod(kvCacheUsage(re), at);
            if (usage.isEmpty()) {
                usage = byPod(gpuCacheUsage(re), at);
            }
            Map<String, Map<String, String>> config = new HashMap<>();
            for (PrometheusClient.Sample s : prometheus.instant(cacheConfig(re), at)) {
                if (s.label("pod") != null) {
                    config.put(s.label("pod"), s.labels());
                }
            }
            Map<String, Double> throughput = byPod(decodeThroughput(re, window), at);
            int id = 0;
            for (String pod : pods.ready()) {
                Map<String, String> c = config.getOrDefault(pod, Map.of());
                int total = integer(c.get("num_gpu_blocks"));
                replicas.add(new ObservedReplica(id++, count(waiting.get(pod)), count(running.get(pod)),
                        (int) Math.round(finite(usage.get(pod)) * total), total, integer(c.get("block_size")),
                        !pods.draining().contains(pod), finite(throughput.get(pod)) / timeScale));
            }
        }
        int queued = count(scalar(queued(), at));
        double arrivals = finite(scalar(arrivalRate(window), at)) / timeScale;
        return new ObservedCluster(now, interval, replicas, pods.starting(), pods.draining().size(),
                minReplicas, maxReplicas, queued, arrivals);
    }

    private Map<String, Double> byPod(String query, Instant at) {
        Map<String, Double> out = new HashMap<>();
        for (PrometheusClient.Sample s : prometheus.instant(query, at)) {
            if (s.label("pod") != null) {
                out.put(s.label("pod"), s.value());
            }
        }
        return out;
    }

    /** A one-series aggregate; no series (nothing scraped yet) reads as 0, as {@code sum} over nothing would. */
    private Double scalar(String query, Instant at) {
        List<PrometheusClient.Sample> samples = prometheus.instant(query, at);
        return samples.isEmpty() ? null : samples.get(0).value();
    }

    private static double finite(Double v) {
        return v == null || !Double.isFinite(v) || v < 0 ? 0 : v;
    }

    private static int count(Double v) {
        return (int) Math.round(finite(v));
    }

    private static int integer(String label) {
        if (label == null) {
            return 0;
        }
        try {
            return Math.max(0, (int) Math.round(Double.parseDouble(label)));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ClusterObserver[%s, time scale %s]", prometheus.base(), timeScale);
    }
}
