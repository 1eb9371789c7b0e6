import dev.glia.policy.ClusterView;
import dev.glia.policy.Dispatch;
import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;
import dev.glia.policy.Router;
import java.util.List;

/**
 * LLQ, the paper's baseline: every queued request at once to the replica with the fewest waiting
 * plus running requests, counting what this call already sent.
 */
public class LeastLoadedRouter implements Router {
    @Override
    public void route(ClusterView cluster, Dispatch dispatch) {
        List<? extends ReplicaView> replicas = cluster.replicas();
        int[] load = new int[replicas.size()];
        for (int i = 0; i < load.length; i++) {
            load[i] = replicas.get(i).numWaiting() + replicas.get(i).numRunning();
        }
        for (RequestView request : cluster.queue()) {
            int best = -1;
            for (int i = 0; i < load.length; i++) {
                if (replicas.get(i).accepting() && (best < 0 || load[i] < load[best])) {
                    best = i;
                }
            }
            if (best < 0) {
                return;
            }
            dispatch.send(request, replicas.get(best));
            load[best]++;
        }
    }
}
