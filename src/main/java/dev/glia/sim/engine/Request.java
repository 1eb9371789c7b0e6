package dev.glia.sim.engine;

import dev.glia.policy.RequestView;

/**
 * One request's life: global queue, a replica's waiting queue, running (prefill, then decode),
 * done. The output length {@code outputTokens} is the simulator's secret; policies only see the
 * {@link RequestView} part.
 */
public final class Request implements RequestView {
    public enum State { PENDING, QUEUED, WAITING, RUNNING, DONE }

    final int index;
    final double arrival;
    final int prompt;
    final int outputTokens;

    State state = State.PENDING;
    Replica replica;
    int priority;
    /** Order key inside a replica's waiting queue (enqueue sequence, or arrival under priority scheduling). */
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
    /** The replica's batch sequence number when this request last joined a batch. */
    int batchMark = -1;
    /** The routing call that last sent this request, to catch a request sent twice in one call. */
    int routeCall = -1;

    double routedAt = Double.NaN;
    double scheduledAt = Double.NaN;
    double firstTokenAt = Double.NaN;
    double completedAt = Double.NaN;

    Request(int index, double arrival, int prompt, int outputTokens) {
        this.index = index;
        this.arrival = arrival;
        this.prompt = prompt;
        this.outputTokens = outputTokens;
        this.prefillTarget = prompt;
    }

    @Override
    public long id() {
        return index;
    }

    @Override
    public double arrivalTime() {
        return arrival;
    }

    @Override
    public int promptTokens() {
        return prompt;
    }

    @Override
    public int generatedTokens() {
        return replica == null ? generated : replica.generatedOf(this);
    }

    @Override
    public int restarts() {
        return restarts;
    }

    @Override
    public int priority() {
        return priority;
    }

    boolean inDecode() {
        return state == State.RUNNING && prefilled == prefillTarget;
    }

    public int index() { return index; }
    public int outputTokens() { return outputTokens; }
    public State state() { return state; }
    public int replicaId() { return replica == null ? -1 : replica.id; }
    public double routedAt() { return routedAt; }
    public double scheduledAt() { return scheduledAt; }
    public double firstTokenAt() { return firstTokenAt; }
    public double completedAt() { return completedAt; }
    public long wastedTokens() { return wastedTokens; }

    /** By id, so that hash-based collections in policies iterate in the same order on every run. */
    @Override
    public int hashCode() {
        return Integer.hashCode(index);
    }

    @Override
    public boolean equals(Object o) {
        return o == this;
    }

    @Override
    public String toString() {
        return "request " + index;
    }
}
