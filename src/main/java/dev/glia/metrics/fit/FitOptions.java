package dev.glia.metrics.fit;

/**
 * What a fit cannot read from metrics, and its limits.
 *
 * @param name        the scenario's name
 * @param gpu         the engines' GPU (Prometheus does not say), a name from the hardware catalog
 * @param model       the served model, a name from the hardware catalog
 * @param timeScale   engines X times faster than the wall clock (emulated engines); 1 for real vLLM
 * @param minRequests fewer requests in the window than this and the fit is refused
 * @param duration    the scenario's duration in model seconds; null: the window's
 */
public record FitOptions(String name, String gpu, String model, double timeScale, int minRequests, Double duration) {
    public static final int DEFAULT_MIN_REQUESTS = 200;

    public FitOptions {
        if (!(timeScale > 0)) {
            throw new IllegalArgumentException("--time-scale must be positive, got " + timeScale);
        }
        if (minRequests < 2) {
            throw new IllegalArgumentException("--min-requests must be at least 2, got " + minRequests);
        }
    }

    public static FitOptions defaults() {
        return new FitOptions("fitted", "a10", "llama-3-8b", 1, DEFAULT_MIN_REQUESTS, null);
    }
}
