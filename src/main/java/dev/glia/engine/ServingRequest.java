package dev.glia.engine;

/**
 * A generation request the front end has validated, in the engine's terms.
 *
 * @param maxTokens what the client asked for, or vLLM's default (16 for completions, the rest of the context for chat)
 * @param includeUsage {@code stream_options.include_usage}: a last chunk with the usage
 */
record ServingRequest(Endpoint endpoint, int promptTokens, int maxTokens, int minTokens,
        boolean ignoreEos, int priority, boolean stream, boolean includeUsage) {
}
