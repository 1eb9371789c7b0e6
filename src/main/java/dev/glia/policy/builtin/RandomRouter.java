package dev.glia.policy.builtin;

import dev.glia.policy.ClusterView;
import dev.glia.policy.Dispatch;
import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;
import dev.glia.policy.Router;
import java.util.ArrayList;
import java.util.List;

/** Each queued request to an accepting replica drawn uniformly with the run's seeded generator. */
public final class RandomRouter implements Router {
    private final List<ReplicaView> accepting = new ArrayList<>();

    @Override
    public void route(ClusterView cluster, Dispatch dispatch) {
        if (cluster.queue().isEmpty()) {
            return;
        }
        accepting.clear();
        for (ReplicaView replica : cluster.replicas()) {
            if (replica.accepting()) {
                accepting.add(replica);
            }
        }
        if (accepting.isEmpty()) {
            return;
        }
        for (RequestView request : cluster.queue()) {
            dispatch.send(request, accepting.get(cluster.random().nextInt(accepting.size())));
        }
    }
}
