package dev.glia.policy.runtime;

import dev.glia.policy.Autoscaler;
import dev.glia.policy.AutoscalerView;
import dev.glia.policy.BatchPriority;
import dev.glia.policy.ClusterView;
import dev.glia.policy.Dispatch;
import dev.glia.policy.PolicyViolation;
import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;
import dev.glia.policy.Router;
import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.policy.sandbox.ConcurrentPolicyCall;
import dev.glia.policy.sandbox.PolicyAbort;

/**
 * Hosts every call to a cluster's policies, the same in the simulator and in the router: invokes
 * the router with the cluster's view and a {@link Dispatch} that checks each send (the request is
 * this cluster's and queued, not sent twice in the call; the replica is this cluster's and
 * accepting), stamps the batch priority's vLLM priority on each send when the engines schedule by
 * priority, allows sends only during the router's own call, and turns any failure into one
 * {@link PolicyFailure} naming the component and the time, which {@link OnFailure} then handles.
 *
 * <p>Threading: one thread at a time calls a runtime (the simulation's thread, the router's
 * routing thread); the guarded policies it hosts refuse a second thread.
 *
 * <p>A routing call allocates nothing: the dispatch is one object for the runtime's life, and the
 * checks read the cluster through {@link Cluster} without boxing.
 */
public final class PolicyRuntime<Q extends RequestView, P extends ReplicaView> {
    private final Cluster<Q, P> cluster;
    private final ClusterView view;
    private final boolean priorityScheduling;
    private final OnFailure onFailure;
    private final Dispatcher dispatch = new Dispatcher();
    private Router router;
    /** The router that ran before the current one and never failed; null when there is none. */
    private Router lastGood;
    private boolean routedWell;
    private BatchPriority batchPriority;
    private Autoscaler autoscaler;

    /** True only while the router runs (and not inside a batch priority it triggers): sends are valid then. */
    private boolean routing;
    private int call;
    private int sent;

    /**
     * @param priorityScheduling whether the engines run {@code --scheduling-policy priority}: only
     *                           then is the batch priority asked, and a priority other than 0 sent
     * @param autoscaler         null when the cluster does not autoscale
     */
    public PolicyRuntime(Cluster<Q, P> cluster, ClusterView view, Router router, BatchPriority batchPriority,
                         boolean priorityScheduling, Autoscaler autoscaler, OnFailure onFailure) {
        this.cluster = cluster;
        this.view = view;
        this.router = router;
        this.batchPriority = batchPriority == null ? BatchPriority.FCFS : batchPriority;
        this.priorityScheduling = priorityScheduling;
        this.autoscaler = autoscaler;
        this.onFailure = onFailure;
    }

    /**
     * One routing call over the cluster as the view shows it now. Requests the router sends leave
     * the global queue; the rest waits. In the router's mode a failing router is replaced (last
     * good router, then LLQ) and the call made again with what it sent standing.
     */
    public void route() {
        while (true) {
            PolicyFailure failure = attempt();
            if (failure == null) {
                routedWell = true;
                return;
            }
            if (failure.component().equals(BATCH_PRIORITY)) {
                onFailure.fail(failure, Fallback.FCFS);
                batchPriority = BatchPriority.FCFS;
            } else {
                fallBack(failure);
            }
        }
    }

    private PolicyFailure attempt() {
        call++;
        sent = 0;
        routing = true;
        try {
            router.route(view, dispatch);
            return null;
        } catch (PolicyAbort e) {
            return (PolicyFailure) e.failure();
        } catch (RuntimeException | StackOverflowError e) {
            return failure(ROUTER, view.now(), e);
        } finally {
            routing = false;
            if (sent > 0) {
                cluster.dequeueSent();
            }
        }
    }

    private void fallBack(PolicyFailure failure) {
        if (lastGood != null) {
            onFailure.fail(failure, Fallback.LAST_GOOD_ROUTER);
            router = lastGood;
            lastGood = null;
            routedWell = true;
        } else if (!(router instanceof Llq)) {
            onFailure.fail(failure, Fallback.LLQ);
            router = new Llq();
        } else {
            throw failure; // LLQ itself failed: the cluster broke its own views, and nothing is left to try
        }
    }

    /**
     * Replaces the router (a hot swap, between routing calls). The one it replaces becomes the
     * last good router if it routed at least once without failing.
     *
     * @return whether the router replaced became the last good one (otherwise the last good one stays)
     */
    public boolean install(Router next) {
        boolean wasGood = routedWell;
        if (routedWell) {
            lastGood = router;
        }
        router = next;
        routedWell = false;
        return wasGood;
    }

    /** Replaces the router as {@link #install(Router)} does, and the batch priority with it (null: FCFS). */
    public boolean install(Router next, BatchPriority nextPriority) {
        batchPriority = nextPriority == null ? BatchPriority.FCFS : nextPriority;
        return install(next);
    }

    /**
     * The autoscaler's desired replica count at a tick, through the same containment: a failure or
     * a negative count becomes a {@link PolicyFailure}; in the router's mode the count holds.
     */
    public int desiredReplicas(AutoscalerView scaling) {
        if (autoscaler != null) {
            PolicyFailure failure;
            try {
                int desired = autoscaler.desiredReplicas(scaling);
                if (desired >= 0) {
                    return desired;
                }
                failure = new PolicyFailure(AUTOSCALER, scaling.now(), new PolicyViolation("asked for " + desired
                        + " replicas; a replica count cannot be negative"));
            } catch (RuntimeException | StackOverflowError e) {
                failure = failure(AUTOSCALER, scaling.now(), e);
            }
            onFailure.fail(failure, Fallback.HOLD);
            autoscaler = null;
        }
        return scaling.replicas().size() - scaling.draining() + scaling.starting();
    }

    private static final String ROUTER = "router";
    private static final String BATCH_PRIORITY = "batch priority";
    private static final String AUTOSCALER = "autoscaler";

    /** The one conversion of whatever escapes a policy call. */
    private static PolicyFailure failure(String component, double now, Throwable t) {
        if (t instanceof ConcurrentPolicyCall c) {
            throw c; // the host's bug, not the policy's: no fallback may hide it
        }
        return t instanceof PolicyFailure f ? f : new PolicyFailure(component, now, t);
    }

    private void send(RequestView requestView, ReplicaView replicaView) {
        if (!routing) {
            throw new PolicyViolation("requests can be sent only by the router, during its call");
        }
        Q request = cluster.request(requestView);
        if (request == null) {
            throw new PolicyViolation("sent a request that is not one of this cluster's: " + requestView);
        }
        if (cluster.sentInCall(request) == call) {
            throw new PolicyViolation("sent request " + request.id() + " twice in one routing call");
        }
        if (!cluster.queued(request)) {
            throw new PolicyViolation("sent request " + request.id() + " which is not in the global queue (it is "
                    + cluster.state(request) + ")");
        }
        P replica = cluster.replica(replicaView);
        if (replica == null) {
            throw new PolicyViolation("sent request " + request.id() + " to an unknown replica: " + replicaView);
        }
        if (!replica.accepting()) {
            throw new PolicyViolation("sent request " + request.id() + " to replica " + replica.id() + " which is "
                    + cluster.state(replica));
        }
        int priority = 0;
        if (priorityScheduling) {
            routing = false; // a batch priority decides a number; it sends nothing
            try {
                priority = batchPriority.priority(request, view);
            } catch (RuntimeException | StackOverflowError e) {
                // unwinds through the router as an Error it cannot catch: the batch priority's
                // failure is final for this call, and reported as the batch priority's
                throw new PolicyAbort(failure(BATCH_PRIORITY, view.now(), e));
            } finally {
                routing = true;
            }
        }
        sent++;
        cluster.accept(request, replica, call, priority);
    }

    /** Where the router's decisions go; a separate object, so no view can be cast into the runtime. */
    private final class Dispatcher implements Dispatch {
        @Override
        public void send(RequestView request, ReplicaView replica) {
            PolicyRuntime.this.send(request, replica);
        }
    }

    /** The end of the fallback chain: the built-in least-loaded router, known by its type. */
    private static final class Llq implements Router {
        private final Router llq = BuiltinRouters.create("llq");

        @Override
        public void route(ClusterView cluster, Dispatch dispatch) {
            llq.route(cluster, dispatch);
        }
    }
}
