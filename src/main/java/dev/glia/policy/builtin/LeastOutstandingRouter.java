package dev.glia.policy.builtin;

import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;

/**
 * LOR as the Glia paper defines it (§5.1): the replica with the fewest <em>waiting</em> requests,
 * those without KV blocks yet ({@code vllm:num_requests_waiting}). Counting running ones too is
 * LLQ ({@link ReplicaView#outstanding()}).
 */
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
