package dev.glia.policy.builtin;

import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;

/** LLQ: the replica with the fewest waiting plus running requests (the paper's baseline). */
public final class LeastLoadedRouter extends GreedyRouter {
    @Override
    protected double load(ReplicaView replica) {
        return replica.numWaiting() + replica.numRunning();
    }

    @Override
    protected double weight(RequestView request, ReplicaView replica) {
        return 1;
    }
}
