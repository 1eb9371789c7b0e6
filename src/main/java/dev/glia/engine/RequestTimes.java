package dev.glia.engine;

/** Model-clock times (seconds since the engine started) of one finished request, for vLLM's histograms. */
public record RequestTimes(double arrived, double scheduled, double firstToken, double finished, int promptTokens,
        int generatedTokens, int preemptions) {
}
