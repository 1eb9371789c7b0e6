package dev.glia.policy.runtime;

import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;

/**
 * The cluster behind a router's views, as the runtime needs it to check and carry out each send:
 * the simulator implements it over its model, the live router over its queue and engines.
 * Every method is called on the routing thread, during a routing call.
 *
 * @param <Q> the cluster's own request type
 * @param <P> the cluster's own replica type
 */
public interface Cluster<Q extends RequestView, P extends ReplicaView> {
    /** This cluster's request behind a view the router handed back, or null if it is not one of them. */
    Q request(RequestView view);

    /** This cluster's replica behind a view, or null if it is not one of them. */
    P replica(ReplicaView view);

    /** Whether the request waits in the global queue. */
    boolean queued(Q request);

    /** Where a request that is not queued is, in words ("running"), for the violation's message. */
    String state(Q request);

    /** What a replica that does not accept traffic is doing, in words ("draining"). */
    String state(P replica);

    /** The routing call that last sent the request (as numbered by {@link #accept}), or any other number if none. */
    int sentInCall(Q request);

    /**
     * Carries out a checked send: the request goes to the replica with its vLLM priority, and
     * remembers {@code call}, so that a router sending it twice in one call is refused.
     */
    void accept(Q request, P replica, int call, int priority);

    /**
     * After a routing call that sent requests: they leave the global queue (a cluster that removed
     * them as they were sent does nothing).
     */
    void dequeueSent();
}
