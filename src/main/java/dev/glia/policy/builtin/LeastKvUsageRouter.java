package dev.glia.policy.builtin;

import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;

/**
 * The replica with the lowest KV-cache usage, counting the prompt blocks of requests waiting in
 * the engine (which will be allocated when they are admitted).
 */
public final class LeastKvUsageRouter extends GreedyRouter {
    @Override
    protected double load(ReplicaView replica) {
        long blocks = replica.allocatedBlocks();
        for (RequestView waiting : replica.waiting()) {
            blocks += blocksOf(waiting, replica);
        }
        return (double) blocks / replica.totalBlocks();
    }

    @Override
    protected double weight(RequestView request, ReplicaView replica) {
        return (double) blocksOf(request, replica) / replica.totalBlocks();
    }

    private static int blocksOf(RequestView request, ReplicaView replica) {
        return (request.promptTokens() + replica.blockSize() - 1) / replica.blockSize();
    }
}
