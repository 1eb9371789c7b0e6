package dev.glia.engine;

/** One validated request as the engine sees it: token counts and the sampling parameters that shape its length and order. */
public record GenerationRequest(String requestId, int promptTokens, int maxTokens, int minTokens, boolean ignoreEos, int priority) {
}
