package dev.glia.router;

import dev.glia.metrics.RouterHistograms;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** The router's {@code /metrics}: one registry per router, so several routers can live in one JVM (tests). */
final class RouterMetrics {
    /** Why a request left the router: the {@code outcome} label. */
    enum Outcome {
        COMPLETED, ENGINE_ERROR, QUEUE_FULL, QUEUE_TIMEOUT, CLIENT_DISCONNECTED, UPSTREAM_FAILED, BAD_REQUEST;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final double[] LATENCY_BUCKETS = RouterHistograms.latencyBounds();
    private static final double[] ITL_BUCKETS = RouterHistograms.interTokenBounds();
    static final double[] TOKEN_BUCKETS = RouterHistograms.tokenBounds();
    static final double[] INTERARRIVAL_BUCKETS = RouterHistograms.interarrivalBounds();

    final CollectorRegistry registry = new CollectorRegistry();
    private final Counter requests = Counter.build(RouterHistograms.REQUESTS,
            "Requests by how they left the router, by the pool and policy that last held them.")
            .labelNames("pool", "policy", "outcome").register(registry);
    final Gauge queueLength = Gauge.build(RouterHistograms.QUEUE_LENGTH, "Requests in the pool's global queue.")
            .labelNames("pool").register(registry);
    private final Histogram queueWait = Histogram.build(RouterHistograms.QUEUE_WAIT,
            "Time from arrival to the first send to an engine.").labelNames("pool", "policy")
            .buckets(LATENCY_BUCKETS).register(registry);
    private final Histogram ttft = Histogram.build(RouterHistograms.TTFT,
            "Time from arrival to the first byte of a streamed response.").labelNames("pool", "policy")
            .buckets(LATENCY_BUCKETS).register(registry);
    private final Histogram itl = Histogram.build(RouterHistograms.INTER_TOKEN_LATENCY,
            "Time between consecutive output events of a streamed response, one per token as vLLM streams.")
            .labelNames("pool", "policy").buckets(ITL_BUCKETS).register(registry);
    private final Histogram e2e = Histogram.build(RouterHistograms.E2E,
            "Time from arrival to the last byte of a completed request.").labelNames("pool", "policy")
            .buckets(LATENCY_BUCKETS).register(registry);
    private final Counter decisions = Counter.build("glia_router_decisions_total",
            "Requests the policy sent to an engine (a retry after an engine failure counts again).")
            .labelNames("pool", "policy").register(registry);
    private final Counter policyFailures = Counter.build("glia_router_policy_failures_total",
            "Policy calls that failed (threw, overran its budget, decided something invalid), by what ran instead.")
            .labelNames("pool", "policy", "fallback").register(registry);
    final Gauge policyInfo = Gauge.build("glia_router_policy_info",
            "1 for the policy each pool runs: its name and hash.").labelNames("pool", "policy", "name")
            .register(registry);
    final Counter policyChanges = Counter.build("glia_router_policy_changes_total",
            "Policies installed without a restart, by where they came from (admin, file) and what happened.")
            .labelNames("source", "result").register(registry);
    final Gauge inflight = Gauge.build("glia_router_inflight", "Requests sent to an engine and not finished.")
            .labelNames("engine").register(registry);
    final Gauge scrapeAge = Gauge.build("glia_router_scrape_age_seconds",
            "Seconds since the engine's /metrics was last read (+Inf before the first read).")
            .labelNames("engine").register(registry);
    final Histogram promptTokens = Histogram.build(RouterHistograms.PROMPT_TOKENS, "Prompt tokens of arriving requests.")
            .buckets(TOKEN_BUCKETS).register(registry);
    /** Gaps between consecutive arrivals; observed on each POST after the first (its count: arrivals − 1). */
    final Histogram interarrival = Histogram.build(RouterHistograms.INTERARRIVAL,
            "Seconds between consecutive arrivals of requests at the router, before admission.")
            .buckets(INTERARRIVAL_BUCKETS).register(registry);
    final Histogram outputTokens = Histogram.build(RouterHistograms.OUTPUT_TOKENS,
            "Output tokens of completed streamed requests: events with text, one per token as vLLM streams.")
            .buckets(TOKEN_BUCKETS).register(registry);

    /** The series of one policy in one pool, looked up once rather than per request. */
    final class PolicySeries {
        final String pool;
        final String policy;
        private final Counter.Child[] outcomes = new Counter.Child[Outcome.values().length];
        final Histogram.Child queueWait;
        final Histogram.Child ttft;
        final Histogram.Child itl;
        final Histogram.Child e2e;
        final Counter.Child decisions;

        private PolicySeries(String pool, String policy) {
            this.pool = pool;
            this.policy = policy;
            for (Outcome o : Outcome.values()) {
                outcomes[o.ordinal()] = requests.labels(pool, policy, o.label());
            }
            queueWait = RouterMetrics.this.queueWait.labels(pool, policy);
            ttft = RouterMetrics.this.ttft.labels(pool, policy);
            itl = RouterMetrics.this.itl.labels(pool, policy);
            e2e = RouterMetrics.this.e2e.labels(pool, policy);
            decisions = RouterMetrics.this.decisions.labels(pool, policy);
        }

        void count(Outcome outcome) {
            outcomes[outcome.ordinal()].inc();
        }

        void policyFailed(String fallback) {
            policyFailures.labels(pool, policy, fallback).inc();
        }
    }

    PolicySeries series(String pool, String policy) {
        return new PolicySeries(pool, policy);
    }

    /** Requests that left with {@code outcome}, over every pool and policy. */
    double count(String outcome) {
        return sum("glia_router_requests_total", "outcome", outcome);
    }

    double policyFailures() {
        return sum("glia_router_policy_failures_total", null, null);
    }

    private double sum(String sample, String label, String value) {
        double total = 0;
        for (java.util.Enumeration<io.prometheus.client.Collector.MetricFamilySamples> e = registry
                .metricFamilySamples(); e.hasMoreElements(); ) {
            for (io.prometheus.client.Collector.MetricFamilySamples.Sample s : e.nextElement().samples) {
                if (s.name.equals(sample) && (label == null || value.equals(s.labelValues.get(s.labelNames.indexOf(label))))) {
                    total += s.value;
                }
            }
        }
        return total;
    }

    String scrape() {
        StringWriter out = new StringWriter();
        try {
            TextFormat.write004(out, registry.metricFamilySamples());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
