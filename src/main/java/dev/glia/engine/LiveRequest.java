package dev.glia.engine;

import dev.glia.vllm.EngineRequest;

/** A request of the emulated engine: the engine model's request, with the client it streams to. */
final class LiveRequest extends EngineRequest implements Generation {
    final String requestId;
    final int maxTokens;
    final GenerationListener listener;
    private final WallClockEngine owner;
    /** Output tokens handed to the listener so far (clock thread only). */
    int streamed;
    /** The client went away (clock thread only). */
    boolean aborted;

    LiveRequest(WallClockEngine owner, int index, double arrival, GenerationRequest request, int outputTokens,
                GenerationListener listener) {
        super(index, arrival, request.promptTokens(), outputTokens);
        this.owner = owner;
        this.requestId = request.requestId();
        this.maxTokens = request.maxTokens();
        this.listener = listener;
        priority(request.priority());
    }

    @Override
    public void abort() {
        owner.abort(this);
    }

    /** vLLM's finish reason: "length" when max_tokens ended it, "stop" for the model's end of sequence. */
    String finishReason() {
        return outputTokens() >= maxTokens ? "length" : "stop";
    }

    RequestTimes times() {
        return new RequestTimes(arrival(), scheduledAt(), firstTokenAt(), completedAt(), prompt(), generated(),
                restarts());
    }
}
