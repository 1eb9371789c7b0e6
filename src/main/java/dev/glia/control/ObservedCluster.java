package dev.glia.control;

import dev.glia.policy.AutoscalerView;
import dev.glia.policy.PolicyViolation;
import dev.glia.policy.ReplicaView;
import java.util.ArrayList;
import java.util.List;

/**
 * What an autoscaler sees at a tick, as the control plane observes it: exactly the {@link AutoscalerView} fields, the
 * simulator's {@code ScalingView} field for field, so that the same policy meets the same information in both worlds.
 * The operator fills it from Prometheus and the Kubernetes API; docs/adaptation.md gives the query behind each field.
 *
 * @param now         seconds on the control plane's monotonic clock (a policy reads differences, e.g. a cooldown)
 * @param interval    seconds between ticks ({@code spec.autoscaling}'s interval; the window of every rate below)
 * @param replicas    the ready engines, in id order, each with its decode throughput; a draining one (a pod being
 *                    deleted that still serves) reports {@code accepting() == false}
 * @param starting    engine pods created but not ready yet (cold start)
 * @param draining    engine pods being deleted that still serve
 * @param minReplicas {@code spec.autoscaling.minReplicas}
 * @param maxReplicas {@code spec.autoscaling.maxReplicas}
 * @param queued      requests held in the router's global queues ({@code sum(glia_router_queue_length)})
 * @param arrivalRate arrivals per second over the last interval
 */
public record ObservedCluster(double now, double interval, List<ObservedReplica> replicas, int starting,
        int draining, int minReplicas, int maxReplicas, int queued, double arrivalRate) implements AutoscalerView {

    public ObservedCluster {
        replicas = List.copyOf(replicas);
        if (!(interval > 0)) {
            throw new IllegalArgumentException("observed cluster: the interval must be positive, got " + interval);
        }
        if (starting < 0 || draining < 0 || queued < 0 || minReplicas < 0 || maxReplicas < minReplicas) {
            throw new IllegalArgumentException("observed cluster: counts cannot be negative and min <= max, got starting "
                    + starting + ", draining " + draining + ", queued " + queued + ", min " + minReplicas + ", max "
                    + maxReplicas);
        }
        if (!(arrivalRate >= 0)) {
            throw new IllegalArgumentException("observed cluster: arrival rate must be at least 0, got " + arrivalRate);
        }
    }

    /** As the simulator answers it: the replica must be one of this view's. */
    @Override
    public double decodeThroughput(ReplicaView replica) {
        for (ObservedReplica r : replicas) {
            if (r == replica) {
                return r.decodeThroughput();
            }
        }
        throw new PolicyViolation("asked for the throughput of a replica that is not one of this cluster's");
    }

    /** A copy of any view's fields (a recording of the simulator's, in tests and for replay). */
    public static ObservedCluster of(AutoscalerView view) {
        List<ObservedReplica> replicas = new ArrayList<>();
        for (ReplicaView r : view.replicas()) {
            replicas.add(new ObservedReplica(r.id(), r.numWaiting(), r.numRunning(), r.allocatedBlocks(),
                    r.totalBlocks(), r.blockSize(), r.accepting(), view.decodeThroughput(r)));
        }
        return new ObservedCluster(view.now(), view.interval(), replicas, view.starting(), view.draining(),
                view.minReplicas(), view.maxReplicas(), view.queued(), view.arrivalRate());
    }
}
