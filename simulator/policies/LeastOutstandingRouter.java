import dev.glia.policy.ClusterView;
import dev.glia.policy.Dispatch;
import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;
import dev.glia.policy.Router;
import java.util.List;

/** LOR: every queued request at once to the replica with the fewest requests waiting in the engine. */
public class LeastOutstandingRouter implements Router {
    @Override
    public void route(ClusterView cluster, Dispatch dispatch) {
        List<? extends ReplicaView> replicas = cluster.replicas();
        int[] waiting = new int[replicas.size()];
        for (int i = 0; i < waiting.length; i++) {
            waiting[i] = replicas.get(i).numWaiting();
        }
        for (RequestView request : cluster.queue()) {
            int best = -1;
            for (int i = 0; i < waiting.length; i++) {
                if (replicas.get(i).accepting() && (best < 0 || waiting[i] < waiting[best])) {
                    best = i;
                }
            }
            if (best < 0) {
                return;
            }
            dispatch.send(request, replicas.get(best));
            waiting[best]++;
        }
    }
}
