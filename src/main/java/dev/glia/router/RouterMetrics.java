package dev.glia.router;

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

    private static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
            60, 120};
    private static final double[] TOKEN_BUCKETS = {16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384};

    final CollectorRegistry registry = new CollectorRegistry();
    final Counter requests = Counter.build("glia_router_requests_total", "Requests by how they left the router.")
            .labelNames("outcome").register(registry);
    final Gauge queueLength = Gauge.build("glia_router_queue_length", "Requests in the global queue.")
            .register(registry);
    final Histogram queueWait = Histogram.build("glia_router_queue_wait_seconds",
            "Time from arrival to the send to an engine.").buckets(LATENCY_BUCKETS).register(registry);
    final Histogram ttft = Histogram.build("glia_router_ttft_seconds",
            "Time from arrival to the first byte of a streamed response.").buckets(LATENCY_BUCKETS).register(registry);
    final Histogram e2e = Histogram.build("glia_router_e2e_seconds",
            "Time from arrival to the last byte of a completed request.").buckets(LATENCY_BUCKETS).register(registry);
    final Gauge inflight = Gauge.build("glia_router_inflight", "Requests sent to an engine and not finished.")
            .labelNames("engine").register(registry);
    final Counter policyFailures = Counter.build("glia_router_policy_failures_total",
            "Routing calls in which the policy failed and LLQ routed instead.").register(registry);
    final Gauge scrapeAge = Gauge.build("glia_router_scrape_age_seconds",
            "Seconds since the engine's /metrics was last read (+Inf before the first read).")
            .labelNames("engine").register(registry);
    final Histogram promptTokens = Histogram.build("glia_router_prompt_tokens", "Prompt tokens of arriving requests.")
            .buckets(TOKEN_BUCKETS).register(registry);
    final Histogram outputTokens = Histogram.build("glia_router_output_tokens",
            "Output tokens of completed streamed requests: events with text, one per token as vLLM streams.")
            .buckets(TOKEN_BUCKETS).register(registry);

    RouterMetrics() {
        for (Outcome o : Outcome.values()) {
            requests.labels(o.label());
        }
    }

    void count(Outcome outcome) {
        requests.labels(outcome.label()).inc();
    }

    double count(String outcome) {
        return requests.labels(outcome).get();
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
