import dev.glia.policy.Autoscaler;
import dev.glia.policy.AutoscalerView;
import dev.glia.policy.Param;
import dev.glia.policy.ReplicaView;

/**
 * The production-style baseline (paper §5.3): when the mean per-instance decode throughput
 * exceeds a high threshold add an instance, below a low threshold remove one (the cluster drains
 * the least busy), and after any change wait out a cooldown to avoid oscillation.
 */
public class ThroughputAutoscaler implements Autoscaler {
    @Param(min = 1, max = 100000, description = "output tokens/s per instance above which to add an instance")
    double high = 650;

    @Param(min = 0, max = 100000, description = "output tokens/s per instance below which to remove one")
    double low = 325;

    @Param(min = 0, max = 3600, description = "seconds to wait after a change")
    double cooldown = 120;

    private double lastChange = -1e18;

    @Override
    public int desiredReplicas(AutoscalerView view) {
        int serving = 0;
        double throughput = 0;
        for (ReplicaView replica : view.replicas()) {
            if (replica.accepting()) {
                serving++;
                throughput += view.decodeThroughput(replica);
            }
        }
        int current = serving + view.starting();
        if (serving == 0 || view.now() - lastChange < cooldown) {
            return current;
        }
        double perInstance = throughput / serving;
        if (perInstance > high) {
            lastChange = view.now();
            return current + 1;
        }
        if (perInstance < low && current > Math.max(1, view.minReplicas())) {
            lastChange = view.now();
            return current - 1;
        }
        return current;
    }
}
