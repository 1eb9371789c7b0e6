package dev.glia.policy.builtin;

import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;

/** LOR: the replica with the fewest requests waiting inside the engine. */
public final class LeastOutstandingRouter extends GreedyRouter {
    @Override
    protected double load(ReplicaView replica) {
        return replica.numWaiting();
    }

    @Override
    protected double weight(RequestView request, ReplicaView replica) {
        return 1;
    }
}
