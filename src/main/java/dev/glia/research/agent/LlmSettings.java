package dev.glia.research.agent;

import java.time.Duration;

/**
 * Where the agents' model lives and what it costs. Any OpenAI-compatible endpoint works: OpenAI
 * ({@code https://api.openai.com/v1}), a vLLM server, Ollama ({@code http://localhost:11434/v1}),
 * llama.cpp's server.
 *
 * @param inputUsdPerMillion  price of a million prompt tokens
 * @param outputUsdPerMillion price of a million completion tokens
 */
public record LlmSettings(String baseUrl, String apiKey, String model, Duration timeout, int maxAttempts,
                          double inputUsdPerMillion, double outputUsdPerMillion) {
    public LlmSettings {
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new IllegalArgumentException("no LLM endpoint: set --llm-base-url or GLIA_LLM_BASE_URL "
                    + "(e.g. https://api.openai.com/v1, or http://localhost:8000/v1 for a vLLM server)");
        }
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("no model name: set --model or GLIA_LLM_MODEL");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    /** Dollars for a call with this usage. */
    public double cost(long inputTokens, long outputTokens) {
        return (inputTokens * inputUsdPerMillion + outputTokens * outputUsdPerMillion) / 1e6;
    }
}
