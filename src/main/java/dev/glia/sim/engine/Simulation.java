package dev.glia.sim.engine;

import dev.glia.policy.Autoscaler;
import dev.glia.policy.AutoscalerView;
import dev.glia.policy.BatchPriority;
import dev.glia.policy.ClusterView;
import dev.glia.policy.PolicyViolation;
import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;
import dev.glia.policy.Router;
import dev.glia.policy.runtime.Cluster;
import dev.glia.policy.runtime.OnFailure;
import dev.glia.policy.runtime.PolicyRuntime;
import dev.glia.vllm.Batch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The discrete-event loop of one run: arrivals, router invocations (on every arrival and every
 * completion), batches on replicas, autoscaler ticks and replica lifecycles. Single-threaded and
 * deterministic: the same config, workload, policies and seed give the same result.
 *
 * <p>With a {@linkplain ClusterConfig#scrapeInterval() scrape interval}, policies see each replica
 * as a live router does ({@link ScrapedReplica}): every interval a scrape tick reads each engine's
 * metrics, and the router is invoked after a tick that finds the global queue non-empty. Without
 * one, they see the engines exactly.
 */
public final class Simulation {
    private final ClusterConfig config;
    private final Workload workload;
    private final boolean autoscaling;
    private final boolean scraping;
    private final PolicyRuntime<Request, Replica> policies;

    private final EventQueue events = new EventQueue();
    private final RunLog log = new RunLog();
    private final List<Request> requests = new ArrayList<>();
    private final ArrayList<Request> queue = new ArrayList<>();
    private final List<Request> queueView = Collections.unmodifiableList(queue);
    private final List<Replica> replicas = new ArrayList<>();
    private final ArrayList<Replica> active = new ArrayList<>();
    private final List<Replica> activeView = Collections.unmodifiableList(active);
    /** {@code active} as a live router sees it, in the same order, when scraping. */
    private final ArrayList<ScrapedReplica> activeSeen = new ArrayList<>();
    private final List<ScrapedReplica> activeSeenView = Collections.unmodifiableList(activeSeen);
    private final List<Request> finished = new ArrayList<>();
    private final ScalingView scalingView = new ScalingView();
    private final SplittableRandom policyRandom;
    private final SplittableRandom workloadRandom;

    private double now;
    private long routerCalls;
    private int outstanding;
    private int nextArrival;
    private int[] userOf = new int[0];
    private int liveUsers;
    private int peakReplicas;
    private double lastCompletion;
    private long scrapeTicks;

    // autoscaler interval accounting
    private int arrivalsThisInterval;
    private long[] generatedAtTick = new long[0];

    public Simulation(ClusterConfig config, Workload workload, Router router, BatchPriority batchPriority,
                      Autoscaler autoscaler, long seed) {
        this.config = config;
        this.workload = workload;
        this.autoscaling = autoscaler != null && config.autoscaling() != null;
        this.scraping = config.scrapeInterval() > 0;
        this.policies = new PolicyRuntime<>(new SimulatedCluster(), new RoutingView(), router, batchPriority,
                config.engine().priorityScheduling(), autoscaler, OnFailure.stop(failure -> failure));
        SplittableRandom root = new SplittableRandom(seed);
        this.workloadRandom = root.split();
        this.policyRandom = root.split();
    }

    public SimulationResult run() {
        for (int i = 0; i < config.replicas(); i++) {
            Replica r = newReplica(0);
            ready(r);
        }
        if (workload instanceof Workload.OpenLoop open) {
            for (int i = 0; i < open.size(); i++) {
                requests.add(new Request(i, open.arrivals()[i], open.prompts()[i], open.outputs()[i]));
            }
            if (open.size() > 0) {
                events.push(open.arrivals()[0], EventQueue.ARRIVAL, 0, 0);
            }
        } else if (workload instanceof Workload.ClosedLoop closed) {
            liveUsers = closed.users();
            for (int u = 0; u < closed.users(); u++) {
                events.push(0, EventQueue.USER_REQUEST, u, 0);
            }
        }
        if (autoscaling) {
            events.push(config.autoscaling().interval(), EventQueue.AUTOSCALE, 0, 0);
        }
        if (scraping) {
            scrapeTicks = 1;
            events.push(config.scrapeInterval(), EventQueue.SCRAPE, 0, 0);
        }
        long processed = 0;
        while (events.poll()) {
            processed++;
            now = events.polledTime;
            switch (events.polledType) {
                case EventQueue.ARRIVAL -> arrival(events.polledA);
                case EventQueue.USER_REQUEST -> userRequest(events.polledA);
                case EventQueue.BATCH_END -> batchEnd(replicas.get(events.polledA), events.polledB);
                case EventQueue.AUTOSCALE -> autoscale();
                case EventQueue.SCRAPE -> scrape();
                case EventQueue.REPLICA_READY -> {
                    ready(replicas.get(events.polledA));
                    invokeRouter();
                }
                default -> throw new IllegalStateException("unknown event " + events.polledType);
            }
        }
        // the run ends with its last completion; a later autoscaler tick bills nothing
        double end = lastCompletion > 0 ? lastCompletion : now;
        double gpuSeconds = 0;
        for (Replica r : replicas) {
            double until = Double.isNaN(r.removedAt) ? end : Math.min(end, r.removedAt);
            gpuSeconds += Math.max(0, until - r.provisionedAt) * config.gpusPerReplica();
        }
        return new SimulationResult(List.copyOf(requests), log, end, gpuSeconds, processed, routerCalls,
                peakReplicas);
    }

    // ---- arrivals --------------------------------------------------------------------------------

    private void arrival(int index) {
        Workload.OpenLoop open = (Workload.OpenLoop) workload;
        if (index + 1 < open.size()) {
            events.push(open.arrivals()[index + 1], EventQueue.ARRIVAL, index + 1, 0);
        }
        nextArrival = index + 1;
        enterQueue(requests.get(index));
        invokeRouter();
    }

    private final int[] lengths = new int[2];

    private void userRequest(int user) {
        Workload.ClosedLoop closed = (Workload.ClosedLoop) workload;
        closed.lengths().sample(workloadRandom, lengths);
        Request r = new Request(requests.size(), now, lengths[0], lengths[1]);
        requests.add(r);
        if (userOf.length < requests.size()) {
            userOf = java.util.Arrays.copyOf(userOf, Math.max(64, requests.size() * 2));
        }
        userOf[r.index()] = user;
        enterQueue(r);
        invokeRouter();
    }

    private void enterQueue(Request r) {
        r.queued();
        queue.add(r);
        outstanding++;
        arrivalsThisInterval++;
    }

    private boolean moreArrivals() {
        if (workload instanceof Workload.OpenLoop open) {
            return nextArrival < open.size();
        }
        return liveUsers > 0;
    }

    // ---- batches ---------------------------------------------------------------------------------

    private void batchEnd(Replica replica, int version) {
        if (version != replica.version() || !replica.busy()) {
            return; // superseded: the run was cut short and rescheduled
        }
        logBatch(replica);
        finished.clear();
        replica.endBatch(now, finished);
        if (scraping) {
            streamed(replica);
        }
        for (Request r : finished) {
            outstanding--;
            lastCompletion = now;
            if (workload instanceof Workload.ClosedLoop closed) {
                double next = now + closed.thinkSeconds();
                if (next < closed.duration()) {
                    events.push(next, EventQueue.USER_REQUEST, userOf[r.index()], 0);
                } else {
                    liveUsers--;
                }
            }
        }
        if (!finished.isEmpty()) {
            invokeRouter();
        }
        startIfIdle(replica);
    }

    private void startIfIdle(Replica replica) {
        if (replica.busy()) {
            return;
        }
        if (replica.hasWork()) {
            if (replica.startBatch(now)) {
                events.push(replica.batchEnd(), EventQueue.BATCH_END, replica.id(), replica.version());
            }
        } else if (replica.phase == Replica.Phase.DRAINING) {
            replica.phase = Replica.Phase.REMOVED;
            replica.removedAt = now;
            active.remove(replica);
            if (scraping) {
                activeSeen.remove(replica.seen);
            }
        }
    }

    // ---- what a live router sees --------------------------------------------------------------------

    /** After a batch: its first tokens and last tokens reach the router's accounting. */
    private void streamed(Replica replica) {
        ScrapedReplica seen = replica.seen;
        Batch b = replica.batch();
        if (b.prefillTokens() > 0) {
            for (int i = 0; i < b.size(); i++) {
                Request r = (Request) b.member(i);
                if (r.firstTokenAt() == now) {
                    seen.firstToken(r);
                }
            }
        }
        for (int i = 0; i < finished.size(); i++) {
            seen.finished(finished.get(i));
        }
    }

    /** A scrape tick: every replica's metrics are read at once; a non-empty global queue is routed again. */
    private void scrape() {
        for (int i = 0; i < active.size(); i++) {
            Replica r = active.get(i);
            r.sync(now);
            r.seen.scrape();
        }
        if (outstanding > 0 || moreArrivals()) {
            scrapeTicks++;
            events.push(scrapeTicks * config.scrapeInterval(), EventQueue.SCRAPE, 0, 0);
        }
        if (!queue.isEmpty()) {
            invokeRouter();
        }
    }

    private void logBatch(Replica replica) {
        if (!config.logs()) {
            return;
        }
        Batch b = replica.batch();
        int iterations = replica.iterations();
        RunLog.Columns t = log.batches;
        int row = t.add();
        t.setD(row, 0, replica.batchStart());
        t.setD(row, 1, now);
        t.setI(row, 0, replica.id());
        t.setI(row, 1, iterations);
        t.setI(row, 2, b.size());
        t.setI(row, 3, b.tokens() * iterations);
        t.setI(row, 4, b.prefillTokens());
        t.setI(row, 5, b.preemptions());
    }

    // ---- routing ---------------------------------------------------------------------------------

    private void invokeRouter() {
        routerCalls++;
        for (Replica r : active) {
            r.sync(now);
        }
        if (config.logs()) {
            RunLog.Columns gs = log.gs;
            for (Replica r : active) {
                int row = gs.add();
                gs.setD(row, 0, now);
                gs.setI(row, 0, r.id());
                gs.setI(row, 1, r.numWaiting());
                gs.setI(row, 2, r.numRunning());
                gs.setI(row, 3, r.allocatedBlocks());
                gs.setI(row, 4, r.totalBlocks());
            }
        }
        if (!queue.isEmpty() && !active.isEmpty()) {
            policies.route();
        }
        for (int i = 0; i < active.size(); i++) {
            Replica r = active.get(i);
            if (!r.busy() && r.hasWork()) {
                startIfIdle(r);
            }
        }
    }

    /** A send the policy runtime checked: the request joins the replica's waiting queue. */
    private void send(Request r, Replica replica, int call, int priority) {
        r.priority(priority);
        r.routeCall = call;
        if (Double.isNaN(r.routedAt)) {
            r.routedAt = now;
        }
        replica.enqueue(r);
        if (scraping) {
            replica.seen.sent(r);
        }
        if (config.logs()) {
            RunLog.Columns t = log.routes;
            int row = t.add();
            t.setD(row, 0, now);
            t.setI(row, 0, replica.id());
            t.setI(row, 1, r.index());
        }
        if (replica.busy() && replica.cutRun(now)) {
            events.push(replica.batchEnd(), EventQueue.BATCH_END, replica.id(), replica.version());
        }
    }

    // ---- replicas and autoscaling ------------------------------------------------------------------

    private Replica newReplica(double provisionedAt) {
        Replica r = new Replica(replicas.size(), config.engine(), config.model(), provisionedAt);
        if (scraping) {
            r.seen = new ScrapedReplica(r);
        }
        replicas.add(r);
        if (generatedAtTick.length < replicas.size()) {
            generatedAtTick = java.util.Arrays.copyOf(generatedAtTick, replicas.size() * 2);
        }
        return r;
    }

    private void ready(Replica r) {
        r.phase = Replica.Phase.READY;
        r.readyAt = now;
        int pos = 0;
        while (pos < active.size() && active.get(pos).id() < r.id()) {
            pos++;
        }
        active.add(pos, r);
        if (scraping) {
            // a live router admits an engine after its first scrape: an idle one, read here at once
            r.seen.scrape();
            activeSeen.add(pos, r.seen);
        }
        peakReplicas = Math.max(peakReplicas, active.size());
    }

    private void autoscale() {
        ClusterConfig.Autoscaling cfg = config.autoscaling();
        for (Replica r : active) {
            r.sync(now);
        }
        int desired = policies.desiredReplicas(scalingView);
        desired = Math.max(cfg.minReplicas(), Math.min(cfg.maxReplicas(), desired));
        int serving = scalingView.replicas().size() - scalingView.draining();
        int current = serving + scalingView.starting();
        // a draining replica still holds its GPUs until its last request ends: maxReplicas bounds
        // every replica alive, so a policy flipping between 0 and a huge count cannot overshoot it
        int alive = scalingView.replicas().size() + scalingView.starting();
        for (int i = current; i < desired && alive < cfg.maxReplicas(); i++, alive++) {
            Replica r = newReplica(now);
            events.push(now + cfg.coldStart(), EventQueue.REPLICA_READY, r.id(), 0);
        }
        for (int i = desired; i < current && serving > 1; i++) {
            Replica victim = null;
            for (Replica r : active) {
                if (r.phase == Replica.Phase.READY
                        && (victim == null || r.outstanding() <= victim.outstanding())) {
                    victim = r;
                }
            }
            if (victim == null) {
                break;
            }
            victim.phase = Replica.Phase.DRAINING;
            serving--;
            startIfIdle(victim);
        }
        for (Replica r : replicas) {
            generatedAtTick[r.id()] = r.generatedTotal();
        }
        arrivalsThisInterval = 0;
        if (outstanding > 0 || moreArrivals()) {
            events.push(now + cfg.interval(), EventQueue.AUTOSCALE, 0, 0);
        }
        if (!queue.isEmpty()) {
            invokeRouter();
        }
    }

    /** This run's replica behind a view a policy handed back (the engine, or it as the router sees it), or null. */
    private Replica own(ReplicaView view) {
        Replica r = view instanceof Replica e ? e : view instanceof ScrapedReplica s ? s.replica : null;
        return r != null && r.id() < replicas.size() && replicas.get(r.id()) == r ? r : null;
    }

    /** What a router and a batch priority see, answering for the current instant. */
    private final class RoutingView implements ClusterView {
        @Override
        public double now() {
            return now;
        }

        @Override
        public List<? extends ReplicaView> replicas() {
            return scraping ? activeSeenView : activeView;
        }

        @Override
        public List<? extends RequestView> queue() {
            return queueView;
        }

        @Override
        public RandomGenerator random() {
            return policyRandom;
        }
    }

    /** The simulated cluster as the policy runtime checks and carries out a router's sends. */
    private final class SimulatedCluster implements Cluster<Request, Replica> {
        @Override
        public Request request(RequestView view) {
            return view instanceof Request r && r.index() < requests.size() && requests.get(r.index()) == r ? r : null;
        }

        @Override
        public Replica replica(ReplicaView view) {
            return own(view);
        }

        @Override
        public boolean queued(Request request) {
            return request.state() == Request.State.QUEUED;
        }

        @Override
        public String state(Request request) {
            return request.state().name().toLowerCase(Locale.ROOT);
        }

        @Override
        public String state(Replica replica) {
            return replica.phase.name().toLowerCase(Locale.ROOT);
        }

        @Override
        public int sentInCall(Request request) {
            return request.routeCall;
        }

        @Override
        public void accept(Request request, Replica replica, int call, int priority) {
            send(request, replica, call, priority);
        }

        @Override
        public void dequeueSent() {
            // compacted in place: ArrayList.removeIf allocates a bitmap on every call that removes
            int kept = 0;
            for (int i = 0; i < queue.size(); i++) {
                Request r = queue.get(i);
                if (r.state() == Request.State.QUEUED) {
                    queue.set(kept++, r);
                }
            }
            while (queue.size() > kept) {
                queue.remove(queue.size() - 1);
            }
        }
    }

    /** What an autoscaler sees at a tick. */
    private final class ScalingView implements AutoscalerView {
        @Override
        public double now() {
            return now;
        }

        @Override
        public List<? extends ReplicaView> replicas() {
            return scraping ? activeSeenView : activeView;
        }

        @Override
        public double interval() {
            return config.autoscaling().interval();
        }

        @Override
        public int starting() {
            int n = 0;
            for (Replica r : replicas) {
                n += r.phase == Replica.Phase.STARTING ? 1 : 0;
            }
            return n;
        }

        @Override
        public int draining() {
            int n = 0;
            for (Replica r : active) {
                n += r.phase == Replica.Phase.DRAINING ? 1 : 0;
            }
            return n;
        }

        @Override
        public int minReplicas() {
            return config.autoscaling().minReplicas();
        }

        @Override
        public int maxReplicas() {
            return config.autoscaling().maxReplicas();
        }

        @Override
        public int queued() {
            return queue.size();
        }

        @Override
        public double arrivalRate() {
            return arrivalsThisInterval / config.autoscaling().interval();
        }

        @Override
        public double decodeThroughput(ReplicaView replica) {
            Replica r = own(replica);
            if (r == null) {
                throw new PolicyViolation("asked for the throughput of a replica that is not one of this cluster's");
            }
            return (r.generatedTotal() - generatedAtTick[r.id()]) / config.autoscaling().interval();
        }
    }
}
