package dev.glia.metrics;

/**
 * The Glia router's histogram series: their names and bucket bounds. The router exports them
 * ({@code glia router}'s {@code /metrics}, every series labelled {@code {pool, policy}}); the control plane reads
 * them back from Prometheus and judges canaries on them; tests bin simulated latencies into the same buckets. One
 * definition, below both, so that none of them copies the other's numbers.
 */
public final class RouterHistograms {
    /** Arrival to the first send to an engine (the simulator's {@code queueDelay}). */
    public static final String QUEUE_WAIT = "glia_router_queue_wait_seconds";
    /** Arrival to the first byte of a streamed response (the simulator's {@code ttft}). */
    public static final String TTFT = "glia_router_ttft_seconds";
    /** Between consecutive output events of a streamed response, one observation per token (≈ {@code tpot}). */
    public static final String INTER_TOKEN_LATENCY = "glia_router_inter_token_latency_seconds";
    /** Arrival to the last byte of a completed request (the simulator's {@code e2e}). */
    public static final String E2E = "glia_router_e2e_seconds";
    /** Requests by how they left the router ({@code outcome}). */
    public static final String REQUESTS = "glia_router_requests_total";
    /** Prompt tokens of arriving requests: its {@code _count} counts arrivals. */
    public static final String PROMPT_TOKENS = "glia_router_prompt_tokens";
    /** Output tokens of completed streamed requests. */
    public static final String OUTPUT_TOKENS = "glia_router_output_tokens";
    /** Seconds between consecutive arrivals at the router, before admission: its {@code _count} is arrivals − 1. */
    public static final String INTERARRIVAL = "glia_router_request_interarrival_seconds";
    /** Requests in a pool's global queue (a gauge). */
    public static final String QUEUE_LENGTH = "glia_router_queue_length";

    private static final double[] LATENCY = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
    private static final double[] INTER_TOKEN = {0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05,
            0.075, 0.1, 0.25, 0.5, 1, 2.5};
    /**
     * Token counts: whole numbers 2^(k/8) rounded, 1 to 131072, distinct (about 9% apart above 12 tokens), so that a
     * quantile read from the buckets ({@code histogram_quantile}) lies within one 9%-wide bucket of the true one:
     * what workload fitting (docs/fitting.md) needs to recover p50 and p90 within 10%.
     */
    private static final double[] TOKENS = java.util.stream.IntStream.rangeClosed(0, 17 * 8)
            .mapToDouble(k -> Math.rint(Math.pow(2, k / 8.0))).distinct().toArray();
    /**
     * Seconds between consecutive arrivals: 1e-5 s to 1e4 s, 8 buckets per decade (33% apart), wide enough for a
     * lognormal σ = 2 process (its gaps span about 5 decades around the mean) as well as Poisson's; 10^(k/8) to 4
     * significant digits, so that the le labels read cleanly.
     */
    private static final double[] INTERARRIVAL_BOUNDS = java.util.stream.IntStream.rangeClosed(-5 * 8, 4 * 8)
            .mapToDouble(k -> new java.math.BigDecimal(Math.pow(10, k / 8.0)).round(new java.math.MathContext(4))
                    .doubleValue()).toArray();

    private RouterHistograms() {
    }

    /** Upper bounds (seconds, +Inf implied) of the queue-wait, TTFT and E2E histograms. */
    public static double[] latencyBounds() {
        return LATENCY.clone();
    }

    /** Upper bounds (seconds, +Inf implied) of the inter-token latency histogram. */
    public static double[] interTokenBounds() {
        return INTER_TOKEN.clone();
    }

    /** Upper bounds (tokens, +Inf implied) of the prompt- and output-token histograms. */
    public static double[] tokenBounds() {
        return TOKENS.clone();
    }

    /** Upper bounds (seconds, +Inf implied) of the inter-arrival histogram. */
    public static double[] interarrivalBounds() {
        return INTERARRIVAL_BOUNDS.clone();
    }
}
