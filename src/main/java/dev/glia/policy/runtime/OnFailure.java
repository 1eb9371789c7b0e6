package dev.glia.policy.runtime;

import java.util.function.Function;

/**
 * What the runtime does when a policy fails. The simulator stops: the candidate is marked failed
 * with the reason. The router falls back (router → last good router → LLQ; batch priority → FCFS;
 * autoscaler → hold) and tells a listener why, since live traffic must keep flowing.
 */
public final class OnFailure {
    private final Function<PolicyFailure, ? extends RuntimeException> stop;
    private final FallbackListener listener;

    private OnFailure(Function<PolicyFailure, ? extends RuntimeException> stop, FallbackListener listener) {
        this.stop = stop;
        this.listener = listener;
    }

    /** The simulator's mode: the failure ends the run, thrown as {@code as} makes it. */
    public static OnFailure stop(Function<PolicyFailure, ? extends RuntimeException> as) {
        return new OnFailure(as, null);
    }

    /** The router's mode: fall back, and tell {@code listener}. */
    public static OnFailure fallBack(FallbackListener listener) {
        return new OnFailure(null, listener);
    }

    /** Throws in the stopping mode; otherwise reports the fallback and returns. */
    void fail(PolicyFailure failure, Fallback to) {
        if (stop != null) {
            throw stop.apply(failure);
        }
        listener.fellBack(failure, to);
    }
}
