package dev.glia.vllm;

/**
 * One request's life in an engine: waiting, running (prefill, then decode), done. Before it
 * reaches an engine it is pending (not yet arrived) or queued (in a router's global queue). The
 * output length {@code outputTokens} is the engine's secret — a real model's end of sequence — that
 * no client, router or policy sees.
 */
public class EngineRequest {
    public enum State { PENDING, QUEUED, WAITING, RUNNING, DONE, ABORTED }

    final int index;
    final double arrival;
    final int prompt;
    final int outputTokens;

    State state = State.PENDING;
    Engine<?> engine;
    int priority;
    /** Order key inside an engine's waiting queue (enqueue sequence, or arrival under priority scheduling). */
    double waitKey;

    /** Tokens this incarnation must prefill: the prompt, or prompt + outputs so far after a restart. */
    int prefillTarget;
    int prefilled;
    /** Tokens in the KV cache of this incarnation. */
    int kv;
    int blocks;
    int generated;
    int restarts;
    /** Tokens computed and then thrown away by restarts. */
    long wastedTokens;
    /** The engine's batch sequence number when this request last joined a batch. */
    int batchMark = -1;

    double scheduledAt = Double.NaN;
    double firstTokenAt = Double.NaN;
    double completedAt = Double.NaN;

    /**
     * @param index        unique among the requests one engine (or cluster) sees; breaks ties in queues
     * @param arrival      when it arrived, in the driver's clock: orders the queue under priority scheduling
     * @param prompt       prompt tokens
     * @param outputTokens output tokens the engine will generate before its end of sequence (at least 1)
     */
    public EngineRequest(int index, double arrival, int prompt, int outputTokens) {
        this.index = index;
        this.arrival = arrival;
        this.prompt = prompt;
        this.outputTokens = outputTokens;
        this.prefillTarget = prompt;
    }

    final boolean inDecode() {
        return state == State.RUNNING && prefilled == prefillTarget;
    }

    public final int index() {
        return index;
    }

    public final double arrival() {
        return arrival;
    }

    public final int prompt() {
        return prompt;
    }

    public final int outputTokens() {
        return outputTokens;
    }

    public final State state() {
        return state;
    }

    /** A router placed it in its global queue: not yet in any engine. */
    public final void queued() {
        state = State.QUEUED;
    }

    /** The engine it was sent to, or null. */
    public final Engine<?> engine() {
        return engine;
    }

    /** vLLM's request priority (lower = sooner), used under priority scheduling. */
    public final int priority() {
        return priority;
    }

    public final void priority(int priority) {
        this.priority = priority;
    }

    /** Output tokens so far; inside a simulator's decode run, as of the engine's last sync. */
    public final int generated() {
        return engine == null ? generated : engine.generatedOf(this);
    }

    /** KV-cache blocks it holds now. */
    public final int blocks() {
        return blocks;
    }

    public final int restarts() {
        return restarts;
    }

    public final long wastedTokens() {
        return wastedTokens;
    }

    /** When it first joined a batch (NaN before). */
    public final double scheduledAt() {
        return scheduledAt;
    }

    public final double firstTokenAt() {
        return firstTokenAt;
    }

    public final double completedAt() {
        return completedAt;
    }

    /** By index, so that hash-based collections in policies iterate in the same order on every run. */
    @Override
    public final int hashCode() {
        return Integer.hashCode(index);
    }

    @Override
    public final boolean equals(Object o) {
        return o == this;
    }

    @Override
    public String toString() {
        return "request " + index;
    }
}
