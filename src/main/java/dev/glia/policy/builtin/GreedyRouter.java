package dev.glia.policy.builtin;

import dev.glia.policy.ClusterView;
import dev.glia.policy.Dispatch;
import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;
import dev.glia.policy.Router;
import java.util.List;

/**
 * Work-conserving routers: every queued request goes out at once, in arrival order, to the
 * accepting replica with the lowest load score (ties to the lowest id). Placements made earlier
 * in the same call count towards a replica's load.
 */
abstract class GreedyRouter implements Router {
    private double[] pending = new double[0];

    /** The replica's load before this call. */
    protected abstract double load(ReplicaView replica);

    /** What one placed request adds to a replica's load. */
    protected abstract double weight(RequestView request, ReplicaView replica);

    @Override
    public void route(ClusterView cluster, Dispatch dispatch) {
        List<? extends RequestView> queue = cluster.queue();
        if (queue.isEmpty()) {
            return;
        }
        List<? extends ReplicaView> replicas = cluster.replicas();
        if (pending.length < replicas.size()) {
            pending = new double[replicas.size()];
        }
        for (int i = 0; i < replicas.size(); i++) {
            pending[i] = load(replicas.get(i));
        }
        for (RequestView request : queue) {
            int best = -1;
            for (int i = 0; i < replicas.size(); i++) {
                if (replicas.get(i).accepting() && (best < 0 || pending[i] < pending[best])) {
                    best = i;
                }
            }
            if (best < 0) {
                return;
            }
            ReplicaView target = replicas.get(best);
            dispatch.send(request, target);
            pending[best] += weight(request, target);
        }
    }
}
