package dev.glia.engine;

/** What the HTTP front end asks of one engine; the wall-clock driver over the engine model implements it. Thread-safe. */
public interface EngineBackend {
    /** Admits a validated request. Listener callbacks come from the engine's clock thread, in order, never concurrently for one request. */
    Generation submit(GenerationRequest request, GenerationListener listener);

    /** Instantaneous state for /metrics and /health. */
    EngineStats stats();

    /** Fault injection: stop making progress for {@code seconds} (0 = resume now). */
    void stall(double seconds);

    /** Fault injection: the engine dies: every request in flight gets onError, later submits fail fast. */
    void kill(String reason);
}
