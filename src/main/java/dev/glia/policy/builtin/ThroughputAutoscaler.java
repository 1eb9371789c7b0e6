package dev.glia.policy.builtin;

import dev.glia.policy.Autoscaler;
import dev.glia.policy.AutoscalerView;
import dev.glia.policy.ReplicaView;

/**
 * The production-style baseline: when the mean per-instance decode throughput exceeds
 * {@code high} tokens/s, add an instance; below {@code low}, remove one (the system drains the
 * least busy); after any change, wait {@code cooldown} seconds.
 */
public final class ThroughputAutoscaler implements Autoscaler {
    private final double high;
    private final double low;
    private final double cooldown;
    private double lastChange = Double.NEGATIVE_INFINITY;

    public ThroughputAutoscaler(double high, double low, double cooldown) {
        this.high = high;
        this.low = low;
        this.cooldown = cooldown;
    }

    @Override
    public int desiredReplicas(AutoscalerView view) {
        int serving = 0;
        double throughput = 0;
        for (ReplicaView r : view.replicas()) {
            if (r.accepting()) {
                serving++;
                throughput += view.decodeThroughput(r);
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
