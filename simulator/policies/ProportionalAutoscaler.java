import dev.glia.policy.Autoscaler;
import dev.glia.policy.AutoscalerView;
import dev.glia.policy.Param;
import dev.glia.policy.ReplicaView;

/**
 * A proportional controller on in-flight requests per instance (the autoscaler Glia proposed in
 * §5.3): size the cluster so that each instance holds about {@code target} requests (waiting or
 * running, plus its share of the router's queue). Scale up at once; scale down one instance at a
 * time, once load has stayed low for {@code downDelay} seconds. The in-flight count is smoothed
 * over ticks so that a burst does not buy an instance that arrives after the burst is gone.
 */
public class ProportionalAutoscaler implements Autoscaler {
    @Param(min = 1, max = 1000, description = "in-flight requests per instance to aim for")
    double target = 36;

    @Param(min = 0, max = 3600, description = "seconds load must stay low before removing an instance")
    double downDelay = 30;

    @Param(min = 0.01, max = 1, description = "weight of the newest tick in the smoothed in-flight count")
    double smoothing = 0.2;

    private double lowSince = -1;
    private double smoothed = -1;

    @Override
    public int desiredReplicas(AutoscalerView view) {
        int serving = 0;
        int inflight = view.queued();
        for (ReplicaView replica : view.replicas()) {
            inflight += replica.outstanding();
            if (replica.accepting()) {
                serving++;
            }
        }
        int current = serving + view.starting();
        // bursts shorter than a cold start are cheaper to queue than to buy an instance for
        smoothed = smoothed < 0 ? inflight : smoothing * inflight + (1 - smoothing) * smoothed;
        int desired = Math.max(1, (int) Math.ceil(smoothed / target));
        if (desired >= current) {
            lowSince = -1;
            return desired;
        }
        if (lowSince < 0) {
            lowSince = view.now();
        }
        if (view.now() - lowSince >= downDelay) {
            lowSince = view.now();
            return current - 1;
        }
        return current;
    }
}
