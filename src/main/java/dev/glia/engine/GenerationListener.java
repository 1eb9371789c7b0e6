package dev.glia.engine;

/** The engine's answer to one request, delivered as it happens. */
public interface GenerationListener {
    /** {@code count} new output tokens left the engine when an iteration ended; {@code modelSeconds} is that iteration's end on the model clock, {@code emittedNanos} System.nanoTime() when it was emitted. */
    void onTokens(int count, double modelSeconds, long emittedNanos);

    /** Done: {@code reason} is "length" (max_tokens reached) or "stop" (end of sequence). */
    void onFinish(String reason, RequestTimes times);

    void onError(String message);
}
