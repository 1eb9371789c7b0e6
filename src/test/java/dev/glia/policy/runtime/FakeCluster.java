package dev.glia.policy.runtime;

import dev.glia.policy.ClusterView;
import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The smallest cluster a runtime can host policies over: a global queue and replicas, as strict
 * about what it accepts as the simulator. Records every send it carries out.
 */
final class FakeCluster implements Cluster<FakeCluster.Req, FakeCluster.Rep>, ClusterView {
    enum State { QUEUED, RUNNING }

    static final class Req implements RequestView {
        final long id;
        State state = State.QUEUED;
        int priority;
        int sentInCall = -1;

        Req(long id) {
            this.id = id;
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public double arrivalTime() {
            return id;
        }

        @Override
        public int promptTokens() {
            return (int) (100 * (id + 1));
        }

        @Override
        public int generatedTokens() {
            return 0;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public String toString() {
            return "request " + id;
        }
    }

    static final class Rep implements ReplicaView {
        final int id;
        boolean draining;
        final List<Req> waiting = new ArrayList<>();

        Rep(int id) {
            this.id = id;
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public int numWaiting() {
            return waiting.size();
        }

        @Override
        public int numRunning() {
            return 0;
        }

        @Override
        public List<? extends RequestView> waiting() {
            return waiting;
        }

        @Override
        public List<? extends RequestView> running() {
            return List.of();
        }

        @Override
        public int allocatedBlocks() {
            return 0;
        }

        @Override
        public int totalBlocks() {
            return 100;
        }

        @Override
        public int blockSize() {
            return 16;
        }

        @Override
        public boolean accepting() {
            return !draining;
        }

        @Override
        public String toString() {
            return "replica " + id;
        }
    }

    /** One send the cluster carried out. */
    record Sent(long request, int replica, int priority) {
    }

    final List<Req> requests = new ArrayList<>();
    final List<Req> queue = new ArrayList<>();
    final List<Rep> replicas = new ArrayList<>();
    final List<Sent> sent = new ArrayList<>();
    /** False to carry sends out without recording them (a cluster measured for allocations). */
    boolean recording = true;
    double now = 1.5;
    private final SplittableRandom random = new SplittableRandom(1);

    FakeCluster(int queued, int replicas) {
        for (int i = 0; i < queued; i++) {
            Req r = new Req(i);
            requests.add(r);
            queue.add(r);
        }
        for (int i = 0; i < replicas; i++) {
            this.replicas.add(new Rep(i));
        }
    }

    // ---- Cluster ----

    @Override
    public Req request(RequestView view) {
        return view instanceof Req r && requests.contains(r) ? r : null;
    }

    @Override
    public Rep replica(ReplicaView view) {
        return view instanceof Rep r && replicas.contains(r) ? r : null;
    }

    @Override
    public boolean queued(Req request) {
        return request.state == State.QUEUED;
    }

    @Override
    public String state(Req request) {
        return request.state.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String state(Rep replica) {
        return "draining";
    }

    @Override
    public int sentInCall(Req request) {
        return request.sentInCall;
    }

    @Override
    public void accept(Req request, Rep replica, int call, int priority) {
        request.sentInCall = call;
        request.priority = priority;
        request.state = State.RUNNING;
        if (recording) {
            replica.waiting.add(request);
            sent.add(new Sent(request.id, replica.id, priority));
        }
    }

    @Override
    public void dequeueSent() {
        int kept = 0;
        for (int i = 0; i < queue.size(); i++) {
            Req r = queue.get(i);
            if (r.state == State.QUEUED) {
                queue.set(kept++, r);
            }
        }
        while (queue.size() > kept) {
            queue.remove(queue.size() - 1);
        }
    }

    // ---- ClusterView ----

    @Override
    public double now() {
        return now;
    }

    @Override
    public List<? extends ReplicaView> replicas() {
        return replicas;
    }

    @Override
    public List<? extends RequestView> queue() {
        return queue;
    }

    @Override
    public RandomGenerator random() {
        return random;
    }
}
