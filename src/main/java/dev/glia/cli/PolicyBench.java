package dev.glia.cli;

import dev.glia.catalog.PolicyCatalog;
import dev.glia.policy.BatchPriority;
import dev.glia.policy.ClusterView;
import dev.glia.policy.Dispatch;
import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;
import dev.glia.policy.Router;
import dev.glia.policy.runtime.OnFailure;
import dev.glia.policy.runtime.PolicyRuntime;
import dev.glia.policy.sandbox.PolicySource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Decision time of a sandboxed router, instrumented and not, on a frozen cluster state: 16
 * replicas near full memory with a few requests waiting each, and 1,000 requests in the global
 * queue. Dispatches are counted, not applied, so every call does the same work.
 */
final class PolicyBench {
    /**
     * @param hostedMicros the sandboxed router through the shared policy runtime in the router's mode (every send
     *                     checked, fallback armed), as {@code glia router} and the simulator call it
     */
    record Result(String policy, int queued, int replicas, double instrumentedMicros, double plainMicros,
                  double hostedMicros) {
        double ratio() {
            return instrumentedMicros / plainMicros;
        }
    }

    private static final class Request implements RequestView {
        private final long id;
        private final double arrivalTime;
        private final int promptTokens;
        private final int generatedTokens;
        /** The runtime's routing call that last sent it (sends are counted, never applied). */
        int routeCall = -1;

        Request(long id, double arrivalTime, int promptTokens, int generatedTokens) {
            this.id = id;
            this.arrivalTime = arrivalTime;
            this.promptTokens = promptTokens;
            this.generatedTokens = generatedTokens;
        }

        public long id() {
            return id;
        }

        public double arrivalTime() {
            return arrivalTime;
        }

        public int promptTokens() {
            return promptTokens;
        }

        public int generatedTokens() {
            return generatedTokens;
        }

        public int priority() {
            return 0;
        }
    }

    private record Replica(int id, List<Request> waiting, List<Request> running, int allocatedBlocks, int totalBlocks,
                           int blockSize, boolean accepting) implements ReplicaView {
        public int numWaiting() {
            return waiting.size();
        }

        public int numRunning() {
            return running.size();
        }
    }

    private record Cluster(double now, List<Replica> replicas, List<Request> queue, RandomGenerator random)
            implements ClusterView {
    }

    /** The frozen cluster as the runtime checks sends against it: every request queued, each send only counted. */
    private record Frozen(long[] sent) implements dev.glia.policy.runtime.Cluster<Request, Replica> {
        public Request request(RequestView view) {
            return view instanceof Request r ? r : null;
        }

        public Replica replica(ReplicaView view) {
            return view instanceof Replica r ? r : null;
        }

        public boolean queued(Request request) {
            return true;
        }

        public String state(Request request) {
            return "queued";
        }

        public String state(Replica replica) {
            return "accepting";
        }

        public int sentInCall(Request request) {
            return request.routeCall;
        }

        public void accept(Request request, Replica replica, int call, int priority) {
            request.routeCall = call;
            sent[0]++;
        }

        public void dequeueSent() {
        }
    }

    private PolicyBench() {
    }

    /** Which builds to measure: both in one JVM, or one alone (a JVM per build keeps their JIT profiles apart). */
    enum Variant { BOTH, SANDBOXED, PLAIN }

    static Result run(String policy, Map<String, Double> parameters, int queued, int replicaCount) {
        return run(policy, parameters, queued, replicaCount, Variant.BOTH);
    }

    static Result run(String policy, Map<String, Double> parameters, int queued, int replicaCount, Variant variant) {
        PolicyCatalog.Resolved<Router> resolved = PolicyCatalog.router(policy, parameters);
        if (resolved.source() == null) {
            throw new IllegalArgumentException(policy + " is a built-in; the policy benchmark measures policy source");
        }
        Router instrumented = variant == Variant.PLAIN ? null : resolved.factory().get();
        Router plain = variant == Variant.SANDBOXED ? null
                : PolicySource.compileUninstrumented(resolved.source().fileName(), resolved.source().source())
                .newRouter(resolved.parameters());
        Cluster cluster = cluster(queued, replicaCount);
        long[] sent = new long[1];
        Dispatch counting = (request, replica) -> sent[0]++;
        PolicyRuntime<Request, Replica> runtime = instrumented == null ? null
                : new PolicyRuntime<>(new Frozen(sent), cluster, resolved.factory().get(), BatchPriority.FCFS, false, null,
                        OnFailure.fallBack((failure, to) -> {
                            throw new IllegalStateException(policy + " failed in the benchmark: " + failure.getMessage());
                        }));
        List<Runnable> variants = new ArrayList<>();
        variants.add(instrumented == null ? null : () -> instrumented.route(cluster, counting));
        variants.add(plain == null ? null : () -> plain.route(cluster, counting));
        variants.add(runtime == null ? null : runtime::route);
        for (Runnable v : variants) {
            time(v, 20_000);
        }
        int rounds = 31;
        int calls = 500;
        double[][] micros = new double[3][rounds];
        for (int r = 0; r < rounds; r++) {
            // the order rotates, so no variant always runs in another's wake (caches, frequency)
            for (int k = 0; k < 3; k++) {
                int v = (r + k) % 3;
                micros[v][r] = time(variants.get(v), calls);
            }
        }
        if (sent[0] == 0) {
            throw new IllegalStateException(policy + " sent nothing in the benchmark state; the measurement would be empty");
        }
        return new Result(policy, queued, replicaCount, median(micros[0]), median(micros[1]), median(micros[2]));
    }

    /** Microseconds per call over {@code calls} calls; NaN for a build not measured. */
    private static double time(Runnable call, int calls) {
        if (call == null) {
            return Double.NaN;
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            call.run();
        }
        return (System.nanoTime() - t0) / 1e3 / calls;
    }

    /** Replicas at 70–95% of 2,240 blocks with 0–4 waiting; prompts drawn like ShareGPT's. */
    private static Cluster cluster(int queued, int replicaCount) {
        SplittableRandom random = new SplittableRandom(42);
        List<Replica> replicas = new ArrayList<>();
        long id = 0;
        for (int i = 0; i < replicaCount; i++) {
            List<Request> waiting = new ArrayList<>();
            for (int w = random.nextInt(5); w > 0; w--) {
                waiting.add(new Request(id++, 0, prompt(random), 0));
            }
            List<Request> running = new ArrayList<>();
            for (int w = 30 + random.nextInt(40); w > 0; w--) {
                running.add(new Request(id++, 0, prompt(random), random.nextInt(400)));
            }
            replicas.add(new Replica(i, List.copyOf(waiting), List.copyOf(running),
                    (int) (2240 * (0.70 + 0.25 * random.nextDouble())), 2240, 16, true));
        }
        List<Request> queue = new ArrayList<>();
        for (int q = 0; q < queued; q++) {
            queue.add(new Request(id++, q * 0.01, prompt(random), 0));
        }
        return new Cluster(100, List.copyOf(replicas), List.copyOf(queue), random);
    }

    private static int prompt(SplittableRandom random) {
        return Math.max(1, (int) Math.round(Math.exp(Math.log(90) + 1.3 * random.nextGaussian())));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
