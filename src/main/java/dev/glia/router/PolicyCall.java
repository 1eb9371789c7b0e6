package dev.glia.router;

import dev.glia.policy.ClusterView;
import dev.glia.policy.Dispatch;

/**
 * How the router invokes its routing policy: once per arrival, completion and refresh of engine state, on the
 * router's event loop. The sends that reach {@code dispatch} are valid and final; whatever a failing policy decided
 * never reaches it. The shared policy runtime will implement this; {@link GuardedPolicyCall} does until then.
 */
public interface PolicyCall {
    void route(ClusterView cluster, Dispatch dispatch);
}
