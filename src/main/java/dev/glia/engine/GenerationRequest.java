package dev.glia.engine;

public record GenerationRequest(String requestId, int promptTokens, int maxTokens, int minTokens, boolean ignoreEos, int priority) {
}
