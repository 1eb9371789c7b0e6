package dev.glia.policy.runtime;

/** What runs in place of a policy that failed, in the router's mode. */
public enum Fallback {
    /** The router installed before the failing one, which had routed without failing. */
    LAST_GOOD_ROUTER,
    /** The built-in least-loaded router: the end of the chain. */
    LLQ,
    /** No batch priority: every request equal, as vLLM's FCFS. */
    FCFS,
    /** No autoscaler decision this tick: the replica count stays as it is. */
    HOLD
}
