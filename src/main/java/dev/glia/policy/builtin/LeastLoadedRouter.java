package dev.glia.policy.builtin;

import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;

/**
 * LLQ, the paper's baseline: the replica with the fewest requests in flight, waiting plus running
 * ({@link ReplicaView#outstanding()}; what industry routers call "least outstanding requests").
 */
public final class LeastLoadedRouter extends GreedyRouter {
    @Override
    protected double load(ReplicaView replica) {
        return replica.outstanding();
    }

    @Override
    protected double weight(RequestView request, ReplicaView replica) {
        return 1;
    }
}
