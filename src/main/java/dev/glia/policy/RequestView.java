package dev.glia.policy;

/**
 * What a live router can know about one request: never its output length.
 * Every field is computable from router-side accounting (arrival, prompt, streamed tokens).
 * Not its restarts either: vLLM counts preemptions per engine, not per request (docs/router.md).
 */
public interface RequestView {
    long id();

    /** Seconds since the start of the run (or of the router process). */
    double arrivalTime();

    /** Prompt tokens as submitted by the client (not the recompute prompt after a restart). */
    int promptTokens();

    /** Output tokens generated so far (streamed to the client). */
    int generatedTokens();

    /** The vLLM priority assigned at dispatch (lower runs sooner); 0 until dispatched. */
    int priority();
}
