import dev.glia.policy.ClusterView;
import dev.glia.policy.Dispatch;
import dev.glia.policy.Param;
import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;
import dev.glia.policy.Router;
import java.util.Arrays;
import java.util.List;

/**
 * Head-room admission (HRA), the router Glia discovered (paper §3.3, Fig. 9).
 *
 * <p>vLLM allocates a request's KV blocks one at a time as it decodes and preempts (restarts) the
 * youngest request when a block is missing, so a cluster run near full memory wastes work on
 * restarts. HRA admits a request to a replica only if the replica's projected usage — allocated
 * blocks, plus the prompt and an assumed decode growth of the requests waiting there and of this
 * one — still leaves a safety margin free. Otherwise the request stays in the global queue until
 * a completion frees memory. Among admissible replicas it picks the lowest projected usage (ties:
 * fewer requests). With {@code shortestPromptFirst}, the global queue is served shortest prompt
 * first, approximating shortest-job-first.
 */
public class HeadroomRouter implements Router {
    @Param(min = 0, max = 8, description = "assumed output tokens per prompt token, reserved at admission")
    double decodeToPrefillRatio = 0.6;

    @Param(min = 0, max = 0.5, description = "fraction of each replica's KV blocks kept free at admission")
    double safetyFraction = 0.03;

    @Param(min = 0, max = 1, description = "serve the global queue shortest prompt first (1) or in arrival order (0)")
    boolean shortestPromptFirst = false;

    private long[] projected = new long[0];
    private int[] outstanding = new int[0];
    private long[] order = new long[0];

    @Override
    public void route(ClusterView cluster, Dispatch dispatch) {
        List<? extends RequestView> queue = cluster.queue();
        if (queue.isEmpty()) {
            return;
        }
        List<? extends ReplicaView> replicas = cluster.replicas();
        int n = replicas.size();
        if (projected.length < n) {
            projected = new long[n];
            outstanding = new int[n];
        }
        for (int i = 0; i < n; i++) {
            ReplicaView replica = replicas.get(i);
            double reservedTokens = 0;
            for (RequestView waiting : replica.waiting()) {
                reservedTokens += waiting.promptTokens() * (1 + decodeToPrefillRatio);
            }
            projected[i] = replica.allocatedBlocks() + (long) Math.ceil(reservedTokens / replica.blockSize());
            outstanding[i] = replica.outstanding();
        }
        int size = queue.size();
        if (order.length < size) {
            order = new long[Math.max(size, 2 * order.length)];
        }
        for (int q = 0; q < size; q++) {
            // (prompt, arrival order) packed in one long, so that sorting needs no comparator
            order[q] = shortestPromptFirst ? ((long) queue.get(q).promptTokens() << 32) | q : q;
        }
        if (shortestPromptFirst) {
            Arrays.sort(order, 0, size);
        }
        for (int k = 0; k < size; k++) {
            RequestView request = queue.get((int) (order[k] & 0xFFFFFFFFL));
            int best = -1;
            long bestNeed = 0;
            for (int i = 0; i < n; i++) {
                ReplicaView replica = replicas.get(i);
                if (!replica.accepting()) {
                    continue;
                }
                long need = (long) Math.ceil(request.promptTokens() * (1 + decodeToPrefillRatio) / replica.blockSize());
                long margin = (long) (replica.totalBlocks() * safetyFraction);
                if (replica.totalBlocks() - projected[i] - need < margin) {
                    continue;
                }
                if (best < 0 || projected[i] < projected[best]
                        || (projected[i] == projected[best] && outstanding[i] < outstanding[best])) {
                    best = i;
                    bestNeed = need;
                }
            }
            if (best < 0) {
                return; // the head cannot be placed anywhere now; a completion will call us again
            }
            dispatch.send(request, replicas.get(best));
            projected[best] += bestNeed;
            outstanding[best]++;
        }
    }
}
