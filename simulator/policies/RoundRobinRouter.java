import dev.glia.policy.ClusterView;
import dev.glia.policy.Dispatch;
import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;
import dev.glia.policy.Router;
import java.util.List;

/** Round-robin: each queued request to the next accepting replica in id order. */
public class RoundRobinRouter implements Router {
    private int next;

    @Override
    public void route(ClusterView cluster, Dispatch dispatch) {
        List<? extends ReplicaView> replicas = cluster.replicas();
        for (RequestView request : cluster.queue()) {
            for (int tries = 0; tries < replicas.size(); tries++) {
                ReplicaView replica = replicas.get(Math.floorMod(next++, replicas.size()));
                if (replica.accepting()) {
                    dispatch.send(request, replica);
                    break;
                }
            }
        }
    }
}
