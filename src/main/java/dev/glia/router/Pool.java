package dev.glia.router;

import dev.glia.policy.runtime.PolicyRuntime;

/**
 * Engines under one policy, with their own global queue: the stable pool, and during a canary the candidate's pool,
 * which receives its share of arrivals. Touched only on the router's event loop.
 */
final class Pool {
    static final String STABLE = "stable";
    static final String CANARY = "canary";

    final String name;
    final LiveCluster cluster;
    PolicyRuntime<RoutedRequest, Upstream> runtime;
    /** The policy that routes now: the one installed, or what the runtime fell back to. */
    LoadedPolicy policy;
    /** What the runtime falls back to first if the policy fails: the one before it, had it routed well. */
    LoadedPolicy lastGood;
    RouterMetrics.PolicySeries series;
    /** The fraction of arrivals this pool receives (the canary's; the stable pool takes the rest). */
    double share;

    Pool(String name, LiveCluster cluster) {
        this.name = name;
        this.cluster = cluster;
    }

    @Override
    public String toString() {
        return name + " pool (" + policy.name() + ", " + policy.hash() + ")";
    }
}
