package dev.glia.router;

import dev.glia.policy.runtime.PolicyRuntime;

/**
 * Engines under one policy, with their own global queue: the stable pool, and during a canary the candidate's pool
 * and, when asked for, a control pool: as many engines as the canary's under the stable policy with the same share of
 * arrivals, so that the verdict compares pools of one size (docs/adaptation.md, "The canary's baseline"). Touched
 * only on the router's event loop.
 */
final class Pool {
    static final String STABLE = "stable";
    static final String CANARY = "canary";
    static final String CONTROL = "control";

    final String name;
    final LiveCluster cluster;
    PolicyRuntime<RoutedRequest, Upstream> runtime;
    /** The policy that routes now: the one installed, or what the runtime fell back to. */
    LoadedPolicy policy;
    /** What the runtime falls back to first if the policy fails: the one before it, had it routed well. */
    LoadedPolicy lastGood;
    RouterMetrics.PolicySeries series;
    /** The fraction of arrivals this pool receives (the canary's and the control's; the stable pool takes the rest). */
    double share;
    /** Arrivals owed to this pool: its share accrues per arrival, and a whole one sends the next here. */
    double credit;

    Pool(String name, LiveCluster cluster) {
        this.name = name;
        this.cluster = cluster;
    }

    @Override
    public String toString() {
        return name + " pool (" + policy.name() + ", " + policy.hash() + ")";
    }
}
