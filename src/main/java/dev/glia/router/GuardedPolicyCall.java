package dev.glia.router;

import dev.glia.policy.ClusterView;
import dev.glia.policy.Dispatch;
import dev.glia.policy.PolicyViolation;
import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;
import dev.glia.policy.Router;
import dev.glia.policy.builtin.BuiltinRouters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A direct call of the policy, contained: its sends are staged and checked as it makes them, and if it throws
 * (a {@link PolicyViolation} included) or overflows its stack, its sends are dropped and LLQ routes this call
 * instead. The next call tries the policy again. Stands in for the shared policy runtime (issue 10).
 */
final class GuardedPolicyCall implements PolicyCall {
    private static final Logger LOG = Logger.getLogger(GuardedPolicyCall.class.getName());

    private final Router policy;
    private final Router fallback = BuiltinRouters.create("llq");
    private final Consumer<Throwable> onFailure;

    GuardedPolicyCall(Router policy, Consumer<Throwable> onFailure) {
        this.policy = policy;
        this.onFailure = onFailure;
    }

    @Override
    public void route(ClusterView cluster, Dispatch dispatch) {
        Staged staged = new Staged(cluster);
        try {
            policy.route(cluster, staged);
        } catch (RuntimeException | StackOverflowError e) {
            LOG.log(Level.WARNING, "routing policy failed, LLQ routes this call instead: " + e, e);
            onFailure.accept(e);
            staged = new Staged(cluster);
            fallback.route(cluster, staged);
        }
        for (int i = 0; i < staged.requests.size(); i++) {
            dispatch.send(staged.requests.get(i), staged.replicas.get(i));
        }
    }

    /** The sends of one call, each checked as the policy makes it, so the policy hears of its own mistake. */
    private static final class Staged implements Dispatch {
        private final ClusterView cluster;
        /** Made at the first send: a policy that holds a long queue back pays nothing for it. */
        private Set<RequestView> unsent;
        private final List<RequestView> requests = new ArrayList<>();
        private final List<ReplicaView> replicas = new ArrayList<>();

        Staged(ClusterView cluster) {
            this.cluster = cluster;
        }

        @Override
        public void send(RequestView request, ReplicaView replica) {
            if (unsent == null) {
                unsent = Collections.newSetFromMap(new IdentityHashMap<>());
                unsent.addAll(cluster.queue());
            }
            if (!unsent.remove(request)) {
                throw new PolicyViolation("request " + (request == null ? null : request.id())
                        + " is not in the global queue, or was already sent in this call");
            }
            if (replica == null || !cluster.replicas().contains(replica) || !replica.accepting()) {
                throw new PolicyViolation("replica " + (replica == null ? null : replica.id())
                        + " is unknown or not accepting requests");
            }
            requests.add(request);
            replicas.add(replica);
        }
    }
}
