package dev.glia.policy.sandbox;

import static dev.glia.policy.sandbox.HostilePolicyTest.AUTOSCALING;
import static dev.glia.policy.sandbox.HostilePolicyTest.SEND_ALL;
import static dev.glia.policy.sandbox.HostilePolicyTest.TIGHT;
import static dev.glia.policy.sandbox.HostilePolicyTest.autoscaler;
import static dev.glia.policy.sandbox.HostilePolicyTest.batchPriority;
import static dev.glia.policy.sandbox.HostilePolicyTest.llqMetrics;
import static dev.glia.policy.sandbox.HostilePolicyTest.metrics;
import static dev.glia.policy.sandbox.HostilePolicyTest.router;
import static dev.glia.policy.sandbox.HostilePolicyTest.run;
import static dev.glia.policy.sandbox.HostilePolicyTest.scenario;
import static dev.glia.policy.sandbox.HostilePolicyTest.simulate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.glia.cli.PolicyCheckCommand;
import dev.glia.policy.Autoscaler;
import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.policy.runtime.PolicyFailure;
import dev.glia.sim.Experiment;
import dev.glia.sim.engine.ClusterConfig;
import dev.glia.sim.engine.Request;
import dev.glia.sim.engine.SimulationResult;
import dev.glia.sim.scenario.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Issue 8: the sandbox must hold in production. Hostile policies for each class of hole the issue
 * names (1 host crash, 2 hangs, 3 nondeterminism, 4 hidden failures, 5 leaks, 6 memory budget
 * bypassed, 7 autoscaler bounds), each with what must become of it, and legitimate policies that
 * must keep working so that a fix cannot simply refuse everything.
 *
 * <p>Every case ends within 10 s of wall time, rejected (compile or verification, with a
 * diagnostic) or contained (a {@link PolicyFailure} naming the component and the cause) — or, for
 * nondeterminism, gives the same bytes under different host locales and time zones. Which of
 * rejected and contained is left to the fix. A case that does not end within 10 s is failed at once
 * (preemptively, like {@code assertTimeoutPreemptively}), and its thread is then stopped, so that a
 * runaway does not share the CPUs with the cases after it (JUnit's own preemptive timeout only
 * interrupts, which neither policy code nor the JDK work it started looks at).
 *
 * One exception: the fresh-JVM case of class 1 gets {@link #FRESH_JVM_LIMIT}, for a JVM's start and a
 * cold compiler.
 *
 * <p>Tagged {@code hardening}: run alone with {@code -Dtest=HostileSandboxHardeningTest}; it is part
 * of the default suite. Every hostile case failed on the sandbox this suite was written against
 * (da68360); all pass since the mechanisms were fixed.
 */
@Tag("hardening")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileSandboxHardeningTest {
    static final Duration LIMIT = Duration.ofSeconds(10);
    /** How long a runaway that missed the limit is given to unwind once it has been stopped. */
    static final Duration GRACE = Duration.ofSeconds(5);
    /** The same as HostilePolicyTest's: 2 M steps, 4 M cells, 1 s. */
    static final Budget SMALL = HostilePolicyTest.BUDGET;
    /** The production default (20 M steps, 32 M cells, 1 s): room for the big inputs of the hangs. */
    static final Budget ROOMY = Budget.DEFAULT;
    /** Steps to spare, a 20 ms deadline: a spinning call is stopped by the clock, not the step count. */
    static final Budget SHORT_DEADLINE = new Budget(Long.MAX_VALUE / 4, 4_000_000L, 20_000_000L);
    /** What must never appear in anything a policy can read out or make Glia print. */
    static final List<String> HOST_MARKERS = List.of("dev.glia.sim", "dev.glia.policy.sandbox", "dev.glia.cli",
            "org.junit", "Simulation$", "Simulation.java", "PolicySource", "\tat ");
    /** The longest policy-supplied text Glia may print in one message. */
    static final int MAX_MESSAGE = 16_384;

    /** A host setting a policy must not see: default locale and time zone. */
    record Env(Locale locale, TimeZone zone) {
        @Override
        public String toString() {
            return locale.toLanguageTag() + "/" + zone.getID();
        }
    }

    static final List<Env> ENVS = List.of(
            new Env(Locale.US, TimeZone.getTimeZone("UTC")),
            new Env(new Locale("tr", "TR"), TimeZone.getTimeZone("Asia/Tokyo")),
            new Env(Locale.GERMANY, TimeZone.getTimeZone("America/Los_Angeles")));

    /** Ready, starting and draining replicas must stay within 1..4; load that keeps drains busy. */
    static final String FLIPPING = """
            name: flipping
            duration: 60
            cluster: {replicas: 2, gpu: a10, model: llama-3-8b, numBlocks: 600, maxNumBatchedTokens: 512, maxModelLen: 4096}
            workload:
              arrivals: {process: lognormal, qps: 8, sigma: 1}
              lengths: {table: sharegpt}
            autoscaling: {interval: 2, coldStart: 2, minReplicas: 1, maxReplicas: 4}
            """;

    static Scenario tight;
    static ClusterConfig tightConfig;
    /** llq on the TIGHT scenario before any hostile policy ran. */
    static String baseline;

    @TempDir
    Path tmp;

    @BeforeAll
    static void recordTheHostAndWarmUp() {
        tight = scenario(TIGHT);
        tightConfig = Experiment.engineConfig(tight);
        baseline = llqMetrics(tight, tightConfig);
        // javac and the sandbox warm up here, so that each case's 10 s are its own
        PolicySource warm = PolicySource.compile("Hostile.java", router("public void route(ClusterView c, Dispatch d) {\n    "
                + SEND_ALL + "\n}"), SMALL);
        simulate(warm);
    }

    // =================================================================================================
    // building hostile sources
    // =================================================================================================

    /** A router that spends once, in its first call, then sends everything to replica 0. */
    static String spendOnce(String work) {
        return router("boolean spent;\nlong sink;\n\npublic void route(ClusterView c, Dispatch d) {\n    if (!spent) {\n"
                + "        spent = true;\n" + work.indent(8) + "    }\n    " + SEND_ALL + "\n}");
    }

    /**
     * A router that sends each request to replica {@code (h >>> (id % 31)) & 1} where h is the
     * given int expression: any identity hash or host setting in h changes about half the decisions.
     */
    static String decidesBy(String members, String prelude, String h) {
        return router(members + (members.isEmpty() ? "" : "\n\n") + "public void route(ClusterView c, Dispatch d) {\n"
                + "    for (RequestView r : c.queue()) {\n" + (prelude.isEmpty() ? "" : prelude.indent(8))
                + "        int h = " + h + ";\n"
                + "        d.send(r, c.replicas().get((h >>> (int) (r.id() % 31)) & 1));\n    }\n}");
    }

    static String decidesBy(String h) {
        return decidesBy("", "", h);
    }

    /** A batch priority that recurses until the stack overflows. */
    static final String BP_OVERFLOWS = batchPriority("""
            int depth(int n) {
                return depth(n + 1) + 1;
            }

            public int priority(RequestView r, ClusterView c) {
                return depth(0);
            }""");

    /** A batch priority whose first call for each request fails with {@code failure}; later calls answer 0. */
    static String bpFailsOncePerRequest(String failure) {
        return batchPriority("""
                final Set<Long> seen = new TreeSet<>();

                int depth(int n) {
                    return depth(n + 1) + 1;
                }

                public int priority(RequestView r, ClusterView c) {
                    if (seen.add(r.id())) {
                %s
                    }
                    return 0;
                }""".formatted(failure.indent(8).stripTrailing()));
    }

    static final String SPINS = "while (true) { }";
    static final String OVERFLOWS = "return depth(0);";
    static final String ALLOCATES = "long[] huge = new long[Integer.MAX_VALUE - 8];\nreturn (int) huge[0];";
    static final String THROWS = "throw new IllegalStateException(\"no priority for request \" + r.id());";

    /** A router that catches whatever Dispatch.send throws and tries the same send once more. */
    static final String ROUTER_RETRIES = router("""
            public void route(ClusterView c, Dispatch d) {
                for (RequestView r : c.queue()) {
                    try {
                        d.send(r, c.replicas().get(0));
                    } catch (RuntimeException e) {
                        d.send(r, c.replicas().get(0));
                    }
                }
            }""");

    /** A router that swallows whatever Dispatch.send throws (50 times, then it stops sending). */
    static final String ROUTER_SWALLOWS = router("""
            int swallowed;

            public void route(ClusterView c, Dispatch d) {
                for (RequestView r : c.queue()) {
                    if (swallowed >= 50) {
                        return;
                    }
                    try {
                        d.send(r, c.replicas().get(0));
                    } catch (RuntimeException e) {
                        swallowed++; // the batch priority failed: carry on as if it had not
                    }
                }
            }""");

    /** Tries to send each request until 300 sends in all have failed, catching every failure. */
    static final String OVERFLOW_RETRYING_ROUTER = router("""
            int attempts = 300;

            public void route(ClusterView c, Dispatch d) {
                for (RequestView r : c.queue()) {
                    while (attempts > 0) {
                        attempts--;
                        try {
                            d.send(r, c.replicas().get(0));
                            break;
                        } catch (RuntimeException e) {
                            // overflow again, a little deeper into the JDK
                        }
                    }
                }
            }""");

    /**
     * Recurses until the stack overflows; from its second call on, the frames within a shifting
     * distance of the depth where it overflowed before run JDK code (streams, formatting), so that
     * sooner or later an overflow lands inside JDK code running for the first time in the JVM — a
     * static initialiser.
     */
    static final String OVERFLOWS_INSIDE_THE_JDK = batchPriority("""
            int deepest;
            int calls;
            double sink;

            int dive(int n, int near) {
                if (n > deepest) {
                    deepest = n;
                }
                if (calls > 1 && n >= deepest - near) {
                    sink += java.util.stream.DoubleStream.of(n, near, 1.5).sorted().map(x -> x * 0.5).boxed()
                            .distinct().skip(1).mapToDouble(Double::doubleValue).summaryStatistics().getAverage();
                    sink += String.format("%.3f|%08.2e", sink, (double) n).length();
                }
                return dive(n + 1, near) + 1;
            }

            public int priority(RequestView r, ClusterView c) {
                calls++;
                return dive(0, calls * 7 % 3_000); // how far from the deepest frame the JDK work starts
            }""");

    /** A javac workload that doubles with each level of nesting: 12 levels of a conditional inside a generic call. */
    static String exponentialForJavac(int levels) {
        String e = "1";
        for (int i = 0; i < levels; i++) {
            e = "id(b ? " + e + " : id(null))";
        }
        return router("boolean b;\n\nstatic <T> T id(T t) {\n    return t;\n}\n\nObject o = " + e
                + ";\n\npublic void route(ClusterView c, Dispatch d) {\n    " + SEND_ALL + "\n}");
    }

    // =================================================================================================
    // running under a time limit
    // =================================================================================================

    /** What a piece of work returned or threw, and how long it took; null value for void work. */
    record Ran(Object value, Throwable thrown, long millis) {
    }

    /**
     * Runs {@code work} on its own thread and fails if it does not end within {@link #LIMIT} —
     * assertTimeoutPreemptively, except that the runaway is then stopped ({@link Thread#stop()},
     * still there in Java 17) so that it does not share the CPUs with the next case.
     */
    @SuppressWarnings({"deprecation", "removal"})
    static Ran within(String what, Callable<?> work) {
        FutureTask<Object> task = new FutureTask<>(work::call);
        Thread thread = new Thread(task, "hostile-case");
        thread.setDaemon(true);
        long start = System.nanoTime();
        thread.start();
        try {
            return new Ran(task.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS), null, millisSince(start));
        } catch (ExecutionException e) {
            return new Ran(null, e.getCause(), millisSince(start));
        } catch (TimeoutException e) {
            StackTraceElement[] where = thread.getStackTrace();
            String at = where.length == 0 ? "" : ", busy in " + where[0].getClassName() + "." + where[0].getMethodName();
            try {
                thread.stop();
            } catch (UnsupportedOperationException unsupported) {
                // Java 20+: the runaway runs on; the next cases share the CPUs with it
            }
            try {
                thread.join(GRACE.toMillis());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            String end = thread.isAlive() ? "still running after " + millisSince(start) / 1000 + " s" + at
                    : "stopped after " + millisSince(start) / 1000 + " s" + at;
            return fail(what + " did not end within " + LIMIT.toSeconds() + " s (" + end + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    static String brief(Object o) {
        if (o instanceof SimulationResult r) {
            return "a completed run (" + r.requests().size() + " requests, " + r.completed() + " done)";
        }
        if (o instanceof Throwable t) {
            String m = String.valueOf(t.getMessage());
            return t.getClass().getSimpleName() + ": " + clip(m);
        }
        return clip(String.valueOf(o));
    }

    static String clip(String s) {
        String flat = s.replaceAll("\\p{Cntrl}", "^");
        return flat.length() > 240 ? flat.substring(0, 240) + "… (" + s.length() + " chars)" : flat;
    }

    static PolicySource compileWithin(String source, Budget budget) {
        Ran ran = within("compiling the policy", () -> PolicySource.compile("Hostile.java", source, budget));
        if (ran.thrown() != null) {
            throw sneaky(ran.thrown());
        }
        return (PolicySource) ran.value();
    }

    @SuppressWarnings("unchecked")
    static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }

    // =================================================================================================
    // what must become of a hostile policy
    // =================================================================================================

    /** Rejected with a diagnostic, or contained as a PolicyFailure naming {@code component} and one of {@code causes}. */
    static void assertRejectedOrContained(String name, Ran ran, String component, List<String> causes) {
        Throwable t = ran.thrown();
        if (t instanceof PolicyRejected rejected) {
            assertThat(rejected.diagnostics()).as("diagnostics of the rejected policy that %s", name).isNotEmpty();
            return;
        }
        if (t == null) {
            fail(name + ": accepted and " + brief(ran.value()) + " in " + ran.millis() + " ms; expected rejected or contained");
        }
        assertThat(t).as("what the policy that %s threw", name).isInstanceOf(PolicyFailure.class);
        assertThat(t.getMessage()).as("the failure of the policy that %s names the component", name).contains(component);
        if (!causes.isEmpty()) {
            assertThat(t.getMessage()).as("the failure of the policy that %s names the cause", name)
                    .containsAnyOf(causes.toArray(String[]::new));
        }
    }

    static void assertClean(String what, String text) {
        assertThat(text.length()).as("length of %s", what).isLessThanOrEqualTo(MAX_MESSAGE);
        for (String marker : HOST_MARKERS) {
            assertThat(text).as("%s names the host (%s): %s", what, marker, clip(text)).doesNotContain(marker);
        }
        assertThat(text.chars().filter(HostileSandboxHardeningTest::control).count())
                .as("control characters in %s: %s", what, clip(text)).isZero();
    }

    static boolean control(int ch) {
        return ch < 0x20 || (ch >= 0x7f && ch < 0xa0);
    }

    /** Everything the host writes on System.out and System.err while {@code body} runs. */
    static String capturingOutput(Runnable body) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            body.run();
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    static <T> T underEnv(Env env, Callable<T> body) throws Exception {
        Locale locale = Locale.getDefault();
        Locale format = Locale.getDefault(Locale.Category.FORMAT);
        Locale display = Locale.getDefault(Locale.Category.DISPLAY);
        TimeZone zone = TimeZone.getDefault();
        Locale.setDefault(env.locale());
        TimeZone.setDefault(env.zone());
        try {
            return body.call();
        } finally {
            Locale.setDefault(locale);
            Locale.setDefault(Locale.Category.FORMAT, format);
            Locale.setDefault(Locale.Category.DISPLAY, display);
            TimeZone.setDefault(zone);
        }
    }

    /** The request metrics of a run of the policy in its role (see HostilePolicyTest.simulate), or its failure. */
    static String bytesOf(PolicySource p) {
        Scenario s = scenario(p.kind() == PolicySource.Kind.AUTOSCALER ? AUTOSCALING : TIGHT);
        ClusterConfig config = Experiment.engineConfig(s);
        try {
            return metrics(simulate(p), config);
        } catch (PolicyFailure e) {
            return "contained: " + e.getMessage();
        }
    }

    /** bytesOf within the time limit; anything but a contained failure escaping the run fails the case. */
    static String runBytes(String what, PolicySource policy) {
        Ran ran = within(what, () -> bytesOf(policy));
        if (ran.thrown() != null) {
            fail(what + " escaped containment: " + brief(ran.thrown()));
        }
        return (String) ran.value();
    }

    static String firstDifference(String a, String b) {
        List<String> x = a.lines().toList();
        List<String> y = b.lines().toList();
        int differing = 0;
        String first = null;
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            String l = i < x.size() ? x.get(i) : "<none>";
            String m = i < y.size() ? y.get(i) : "<none>";
            if (!l.equals(m)) {
                differing++;
                if (first == null) {
                    first = "line " + (i + 1) + ": " + clip(l) + " | " + clip(m);
                }
            }
        }
        return differing + " differing lines, first " + first;
    }

    /** The host still computes what it computed before any hostile policy ran, with the JDK classes it uses intact. */
    static void assertTheHostStillWorks() {
        assertThat(llqMetrics(tight, tightConfig)).as("llq's request metrics after the hostile policies").isEqualTo(baseline);
        assertThat(DoubleStream.of(3, 1, 2, 2).sorted().map(x -> x * 0.5).boxed().distinct().skip(1)
                .mapToDouble(Double::doubleValue).summaryStatistics().getAverage()).isEqualTo(1.25);
        assertThat(IntStream.rangeClosed(1, 4).mapToObj(Integer::toString).collect(Collectors.joining(","))).isEqualTo("1,2,3,4");
        assertThat(String.format(Locale.ROOT, "%.3f|%08.2e|%,d", 1.5, 1234.5, 1234567)).isEqualTo("1.500|1.23e+03|1,234,567");
        PolicySource headroom = PolicySource.read(Path.of("simulator/policies/HeadroomRouter.java"));
        SimulationResult hra = run(tight, tightConfig, headroom.newRouter(headroom.defaults()), null, null);
        assertThat(hra.requests()).isNotEmpty().allMatch(r -> r.state() == Request.State.DONE);
    }

    // =================================================================================================
    // class 1 (host crash) and class 4 (failures hidden): a batch priority's failure under a source router
    // =================================================================================================

    static Stream<Arguments> batchPriorityFailuresUnderASourceRouter() {
        return Stream.of(
                // ---- class 4: the router catches and retries; today the run ends clean ------------------------
                Arguments.of("router retries after the batch priority's step-budget overrun", 4, ROUTER_RETRIES,
                        bpFailsOncePerRequest(SPINS), SMALL, List.of("step budget", "budget")),
                Arguments.of("router catches Exception and resends to another replica after an allocation overrun", 4, router("""
                        public void route(ClusterView c, Dispatch d) {
                            for (RequestView r : c.queue()) {
                                try {
                                    d.send(r, c.replicas().get(0));
                                } catch (Exception e) {
                                    d.send(r, c.replicas().get(1));
                                }
                            }
                        }"""), bpFailsOncePerRequest(ALLOCATES), SMALL, List.of("allocation", "budget", "memory")),
                Arguments.of("router retries after the batch priority's StackOverflowError", 4, ROUTER_RETRIES,
                        bpFailsOncePerRequest(OVERFLOWS), SMALL, List.of("recurs", "stack", "Stack")),
                Arguments.of("router retries after the batch priority's per-call deadline", 4, ROUTER_RETRIES,
                        bpFailsOncePerRequest(SPINS), SHORT_DEADLINE, List.of("deadline", "budget", "time")),
                Arguments.of("router retries after the batch priority throws an exception", 4, ROUTER_RETRIES,
                        bpFailsOncePerRequest(THROWS), SMALL, List.of("no priority for request", "IllegalStateException")),
                Arguments.of("router retries inside a forEach lambda after a step-budget overrun", 4, router("""
                        public void route(ClusterView c, Dispatch d) {
                            ReplicaView first = c.replicas().get(0);
                            c.queue().forEach(r -> {
                                try {
                                    d.send(r, first);
                                } catch (RuntimeException e) {
                                    d.send(r, first);
                                }
                            });
                        }"""), bpFailsOncePerRequest(SPINS), SMALL, List.of("step budget", "budget")),
                Arguments.of("router retries up to three times, ignoring every overrun", 4, router("""
                        public void route(ClusterView c, Dispatch d) {
                            for (RequestView r : c.queue()) {
                                for (int attempt = 0; attempt < 3; attempt++) {
                                    try {
                                        d.send(r, c.replicas().get(attempt % 2));
                                        break;
                                    } catch (RuntimeException e) {
                                        // again
                                    }
                                }
                            }
                        }"""), bpFailsOncePerRequest(SPINS), SMALL, List.of("step budget", "budget")),
                // ---- class 1: the router observes or swallows the failure; the host must survive -------------
                Arguments.of("router swallows the batch priority's StackOverflowError around Dispatch.send", 1,
                        ROUTER_SWALLOWS, BP_OVERFLOWS, SMALL, List.of("recurs", "stack", "Stack")),
                Arguments.of("router discards the batch priority's StackOverflowError with finally { continue; }", 1, router("""
                        int tries;

                        public void route(ClusterView c, Dispatch d) {
                            for (RequestView r : c.queue()) {
                                if (tries++ >= 50) {
                                    return;
                                }
                                try {
                                    d.send(r, c.replicas().get(0));
                                } finally {
                                    continue;
                                }
                            }
                        }"""), BP_OVERFLOWS, SMALL, List.of("recurs", "stack", "Stack")),
                Arguments.of("router swallows the batch priority's allocation overrun", 1, ROUTER_SWALLOWS,
                        batchPriority("""
                        public int priority(RequestView r, ClusterView c) {
                            long[] huge = new long[Integer.MAX_VALUE - 8];
                            return (int) huge[0];
                        }"""), SMALL, List.of("allocation", "budget", "memory")),
                Arguments.of("router reads the batch priority's failure message and routes by it", 1, router("""
                        int signal;

                        public void route(ClusterView c, Dispatch d) {
                            for (RequestView r : c.queue()) {
                                try {
                                    d.send(r, c.replicas().get(signal % 2));
                                } catch (RuntimeException e) {
                                    signal += String.valueOf(e.getMessage()).length();
                                    d.send(r, c.replicas().get(signal % 2));
                                }
                            }
                        }"""), bpFailsOncePerRequest(THROWS), SMALL, List.of("no priority for request", "IllegalStateException")),
                Arguments.of("a batch priority's stack overflow under a plain source router is reported as the batch priority's", 1,
                        router("public void route(ClusterView c, Dispatch d) {\n    " + SEND_ALL + "\n}"), BP_OVERFLOWS, SMALL,
                        List.of("recurs", "stack", "Stack")),
                Arguments.of("router retries while the batch priority overflows at shifting depths inside JDK code", 1,
                        OVERFLOW_RETRYING_ROUTER, OVERFLOWS_INSIDE_THE_JDK, ROOMY, List.of()));
    }

    @Order(8)
    @ParameterizedTest(name = "[class {1}] {0}")
    @MethodSource("batchPriorityFailuresUnderASourceRouter")
    void aBatchPriorityFailureIsFinalAndCannotBeObservedByTheRouter(String name, int issueClass, String routerSource,
                                                                    String prioritySource, Budget budget, List<String> causes) {
        PolicySource r = compileWithin(routerSource, budget);
        PolicySource p = compileWithin(prioritySource, budget);
        ClusterConfig config = tightConfig.withPriorityScheduling();
        Ran ran = within("the run", () -> run(tight, config, r.newRouter(Map.of()), p.newBatchPriority(Map.of()), null));
        try {
            if (name.contains("shifting depths")) {
                // where the overflow lands is the point; which component is blamed may be either
                assertRejectedOrContained(name, ran, "", List.of());
            } else {
                assertRejectedOrContained(name, ran, "batch priority", causes);
                if (ran.thrown() instanceof PolicyFailure f) {
                    assertThat(f.component()).as("the component blamed for the batch priority's failure").isEqualTo("batch priority");
                }
            }
        } finally {
            if (issueClass == 1) {
                assertTheHostStillWorks();
            }
        }
    }

    /**
     * Issue 8 (1) as it was found: in a fresh JVM, where the JDK classes the host uses after a run
     * are not yet initialised, a router keeps catching its batch priority's stack overflows; then the
     * host computes metrics, streams and formats. Contained, and the host still works (a fresh JVM
     * and a cold compiler get {@link #FRESH_JVM_LIMIT}, not 10 s).
     */
    @Order(8)
    @Test
    void repeatedStackOverflowsLeaveTheJdkUsableInAFreshJvm() throws Exception {
        Path log = tmp.resolve("fresh-jvm.log");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xss1m",
                "-cp", System.getProperty("java.class.path"), FreshJvm.class.getName());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended;
        try {
            ended = process.waitFor(FRESH_JVM_LIMIT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            process.destroyForcibly();
        }
        String out = Files.readString(log);
        assertThat(ended).as("the fresh JVM ended within %s s: %s", FRESH_JVM_LIMIT.toSeconds(), clip(out)).isTrue();
        assertThat(out).as("what the fresh JVM reported").contains("run: contained").contains("host: ok")
                .contains("llq: " + PolicySource.sha256(baseline));
        assertThat(process.exitValue()).as("the fresh JVM's exit status: %s", clip(out)).isZero();
    }

    static final Duration FRESH_JVM_LIMIT = Duration.ofSeconds(30);

    /** The host of {@link #repeatedStackOverflowsLeaveTheJdkUsableInAFreshJvm}. */
    static final class FreshJvm {
        public static void main(String[] args) {
            Scenario s = scenario(TIGHT);
            ClusterConfig config = Experiment.engineConfig(s);
            String outcome;
            try {
                PolicySource router = PolicySource.compile("Hostile.java", OVERFLOW_RETRYING_ROUTER, ROOMY);
                PolicySource priority = PolicySource.compile("Hostile.java", OVERFLOWS_INSIDE_THE_JDK, ROOMY);
                SimulationResult r = run(s, config.withPriorityScheduling(), router.newRouter(Map.of()),
                        priority.newBatchPriority(Map.of()), null);
                outcome = "accepted, " + brief(r);
            } catch (PolicyFailure | PolicyRejected e) {
                outcome = "contained: " + clip(e.getMessage());
            } catch (Throwable t) {
                outcome = "escaped: " + brief(t);
            }
            System.out.println("run: " + outcome);
            try {
                String first = llqMetrics(s, config);
                assertThat(DoubleStream.of(3, 1, 2, 2).sorted().map(x -> x * 0.5).boxed().distinct().skip(1)
                        .mapToDouble(Double::doubleValue).summaryStatistics().getAverage()).isEqualTo(1.25);
                assertThat(String.format(Locale.ROOT, "%.3f|%08.2e|%,d", 1.5, 1234.5, 1234567)).isEqualTo("1.500|1.23e+03|1,234,567");
                assertThat(llqMetrics(s, config)).isEqualTo(first);
                System.out.println("llq: " + PolicySource.sha256(first));
                System.out.println("host: ok");
                System.exit(0);
            } catch (Throwable t) {
                System.out.println("host: broken, " + t);
                System.exit(1);
            }
        }
    }

    // =================================================================================================
    // class 2: hangs — heavy JDK work in few steps; every case ends within 10 s
    // =================================================================================================

    static Stream<Arguments> hangs() {
        return Stream.of(
                Arguments.of("String.indexOf over 8 MB, 6,000 times in one call", spendOnce("""
                        String big = "x".repeat(8_000_000);
                        for (int i = 0; i < 6_000; i++) { sink += big.indexOf("xy"); }""")),
                Arguments.of("String.contains over 8 MB, 6,000 times in one call", spendOnce("""
                        String big = "x".repeat(8_000_000);
                        for (int i = 0; i < 6_000; i++) { sink += big.contains("xy") ? 1 : 0; }""")),
                Arguments.of("String.replace over 8 MB, 6,000 times in one call", spendOnce("""
                        String big = "x".repeat(8_000_000);
                        for (int i = 0; i < 6_000; i++) { sink += big.replace("xy", "z").length(); }""")),
                Arguments.of("Arrays.fill of 4 M longs, 50,000 times", spendOnce("""
                        long[] a = new long[4_000_000];
                        for (int i = 0; i < 50_000; i++) { Arrays.fill(a, i); }""")),
                Arguments.of("Arrays.hashCode of 4 M longs, 15,000 times", spendOnce("""
                        long[] a = new long[4_000_000];
                        for (int i = 0; i < 15_000; i++) { sink += Arrays.hashCode(a); }""")),
                Arguments.of("Arrays.equals of two 4 M long arrays, 20,000 times", spendOnce("""
                        long[] a = new long[4_000_000];
                        long[] b = new long[4_000_000];
                        for (int i = 0; i < 20_000; i++) { sink += Arrays.equals(a, b) ? 1 : 0; }""")),
                Arguments.of("List.sort of 1 M boxed integers, 2,000 times in alternating order", spendOnce("""
                        List<Integer> list = new ArrayList<>();
                        for (int i = 0; i < 1_000; i++) { list.add(i * 7919 % 1_000); }
                        for (int k = 0; k < 10; k++) { list.addAll(new ArrayList<>(list)); }
                        for (int i = 0; i < 2_000; i++) {
                            list.sort(i % 2 == 0 ? Comparator.<Integer>naturalOrder() : Comparator.<Integer>reverseOrder());
                        }""")),
                Arguments.of("IntStream.range(0, Integer.MAX_VALUE).sum(), 64 times", spendOnce("""
                        for (int i = 0; i < 64; i++) { sink += java.util.stream.IntStream.range(0, Integer.MAX_VALUE).sum(); }""")),
                Arguments.of("IntStream.range(0, Integer.MAX_VALUE).filter(Character::isDefined).count(), eight times", spendOnce("""
                        for (int i = 0; i < 8; i++) {
                            sink += java.util.stream.IntStream.range(0, Integer.MAX_VALUE).filter(Character::isDefined).count();
                        }""")),
                Arguments.of("List.contains on a 1 M list, 35,000 times", spendOnce("""
                        List<Integer> list = new ArrayList<>(Collections.nCopies(1_000, 7));
                        for (int k = 0; k < 10; k++) { list.addAll(new ArrayList<>(list)); }
                        for (int i = 0; i < 35_000; i++) { sink += list.contains(-1) ? 1 : 0; }""")),
                Arguments.of("List.indexOf on a 1 M list, 35,000 times", spendOnce("""
                        List<Integer> list = new ArrayList<>(Collections.nCopies(1_000, 7));
                        for (int k = 0; k < 10; k++) { list.addAll(new ArrayList<>(list)); }
                        for (int i = 0; i < 35_000; i++) { sink += list.indexOf(-1); }""")),
                Arguments.of("List.removeAll of a 60,000-element list from a 1 M list", spendOnce("""
                        List<Integer> a = new ArrayList<>(Collections.nCopies(1_000, 7));
                        for (int k = 0; k < 10; k++) { a.addAll(new ArrayList<>(a)); }
                        List<Integer> b = new ArrayList<>();
                        for (int i = 0; i < 60_000; i++) { b.add(-i - 1); }
                        a.removeAll(b);""")),
                Arguments.of("StringBuilder.insert at the front of 8 MB, 50,000 times", spendOnce("""
                        StringBuilder sb = new StringBuilder("x".repeat(8_000_000));
                        for (int i = 0; i < 50_000; i++) { sb.insert(0, 'x'); }""")),
                Arguments.of("StringBuilder.reverse of 8 MB, 10,000 times", spendOnce("""
                        StringBuilder sb = new StringBuilder("x".repeat(8_000_000));
                        for (int i = 0; i < 10_000; i++) { sb.reverse(); }""")),
                Arguments.of("a batch priority taking seconds per call (600 indexOf over 8 MB), ten calls", batchPriority("""
                        int calls;
                        long sink;

                        public int priority(RequestView r, ClusterView c) {
                            if (calls++ < 10) {
                                String big = "x".repeat(8_000_000);
                                for (int i = 0; i < 600; i++) { sink += big.indexOf("xy"); }
                            }
                            return 0;
                        }""")),
                Arguments.of("a batch priority spending ~0.5 s per call, under its deadline, on every request (whole-run bound)",
                        batchPriority("""
                        long sink;

                        public int priority(RequestView r, ClusterView c) {
                            String big = "x".repeat(8_000_000);
                            for (int i = 0; i < 60; i++) { sink += big.indexOf("xy"); }
                            return 0;
                        }""")),
                Arguments.of("an autoscaler filling 4 M longs 50,000 times in one tick", autoscaler("""
                        boolean spent;

                        public int desiredReplicas(AutoscalerView v) {
                            if (!spent) {
                                spent = true;
                                long[] a = new long[4_000_000];
                                for (int i = 0; i < 50_000; i++) { Arrays.fill(a, i); }
                            }
                            return 2;
                        }""")),
                Arguments.of("a router spending ~0.7 s in every call, under its deadline, for 100 calls (whole-run bound)", router("""
                        int calls;
                        long sink;

                        public void route(ClusterView c, Dispatch d) {
                            if (calls++ < 100) {
                                String big = "x".repeat(8_000_000);
                                for (int i = 0; i < 80; i++) { sink += big.indexOf("xy"); }
                            }
                            for (RequestView r : c.queue()) { d.send(r, c.replicas().get(0)); }
                        }""")));
    }

    @Order(6)
    @ParameterizedTest(name = "[class 2] {0}")
    @MethodSource("hangs")
    void heavyJdkWorkInFewStepsIsStoppedWithinTenSeconds(String name, String source) {
        Ran ran = within("the policy that does " + name, () -> simulate(PolicySource.compile("Hostile.java", source, ROOMY)));
        assertRejectedOrContained(name, ran, "", List.of());
    }

    static Stream<Arguments> hangsAtCheck() {
        return Stream.of(
                Arguments.of("a constructor looping over heavy JDK work (6,000 indexOf over 8 MB)", false, router("""
                        long sink;

                        public Hostile() {
                            String big = "x".repeat(8_000_000);
                            for (int i = 0; i < 6_000; i++) { sink += big.indexOf("xy"); }
                        }

                        public void route(ClusterView c, Dispatch d) {
                            %s
                        }""".formatted(SEND_ALL))),
                Arguments.of("a static initialiser looping over heavy JDK work (6,000 indexOf over 8 MB)", false, router("""
                        static final long SINK = spin();

                        static long spin() {
                            String big = "x".repeat(8_000_000);
                            long s = 0;
                            for (int i = 0; i < 6_000; i++) { s += big.indexOf("xy"); }
                            return s;
                        }

                        public void route(ClusterView c, Dispatch d) {
                            %s
                        }""".formatted(SEND_ALL))),
                Arguments.of("a 0.6 KB source whose nested generic conditionals take javac exponential time (14 levels)", true,
                        exponentialForJavac(14)));
    }

    /** glia policy check: compile, verify, instantiate — it must answer within 10 s, whatever the source. */
    @Order(6)
    @ParameterizedTest(name = "[class 2] policy check of {0}")
    @MethodSource("hangsAtCheck")
    void policyCheckEndsWithinTenSeconds(String name, boolean benignOnceCompiled, String source) {
        Ran check = within("policy check of " + name, () -> PolicySource.compile("Hostile.java", source, ROOMY));
        if (check.thrown() != null) {
            assertRejectedOrContained(name, check, "", List.of());
            return;
        }
        if (benignOnceCompiled) {
            return; // the source was the attack; what it compiles to is harmless
        }
        PolicySource policy = (PolicySource) check.value();
        assertRejectedOrContained(name, within("running " + name, () -> simulate(policy)), "", List.of());
    }

    // =================================================================================================
    // class 3: nondeterminism — identity hashes and host settings must not reach a policy
    // =================================================================================================

    static Stream<Arguments> nondeterminism() {
        return Stream.of(
                Arguments.of("decides by Object.toString()", decidesBy("new Object().toString().hashCode()")),
                Arguments.of("decides by Optional.hashCode() of an identity-hashed object",
                        decidesBy("Optional.of(new Object()).hashCode()")),
                Arguments.of("decides by its own enum's hashCode() (javac names the enum as owner)",
                        decidesBy("enum Mode { SPREAD, PACK }", "", "Mode.SPREAD.hashCode()")),
                Arguments.of("decides by Objects.hash over an identity-hashed object", decidesBy("Objects.hash(new Object(), r.id())")),
                Arguments.of("decides by Arrays.hashCode over identity-hashed objects",
                        decidesBy("Arrays.hashCode(new Object[] {new Object(), \"x\"})")),
                Arguments.of("decides by List.hashCode over identity-hashed objects",
                        decidesBy("List.of(new Object(), \"x\").hashCode()")),
                Arguments.of("decides by String.valueOf of a lambda",
                        decidesBy("final java.util.function.IntSupplier f = () -> 1;", "", "String.valueOf(f).hashCode()")),
                Arguments.of("decides by String.valueOf of an array", decidesBy("String.valueOf(new int[1]).hashCode()")),
                Arguments.of("decides by String.valueOf of a host view object", decidesBy("String.valueOf(c).hashCode()")),
                Arguments.of("decides by Map.entry(host view).hashCode()", decidesBy("Map.entry(c, 1).hashCode()")),
                Arguments.of("decides by hashCode() of a record with an Object component",
                        decidesBy("record Box(Object o) { }", "", "new Box(new Object()).hashCode()")),
                Arguments.of("decides by toString() of a record with an Object component",
                        decidesBy("record Box(Object o) { }", "", "new Box(new Object()).toString().hashCode()")),
                Arguments.of("decides by string concatenation of an Object", decidesBy("(\"\" + new Object()).hashCode()")),
                Arguments.of("decides by StringBuilder.append(Object)",
                        decidesBy("new StringBuilder().append(new Object()).toString().hashCode()")),
                Arguments.of("decides by Objects.hashCode(Object)", decidesBy("Objects.hashCode(new Object())")),
                Arguments.of("decides by String.format(\"%h\") of an Object", decidesBy("String.format(\"%h\", new Object()).hashCode()")),
                Arguments.of("orders a TreeSet by Object::toString", decidesBy("", """
                        TreeSet<Object> order = new TreeSet<>(Comparator.comparing(Object::toString));
                        Object a = new Object();
                        order.add(a);
                        order.add(new Object());""", "order.first() == a ? 0 : -1")),
                Arguments.of("decides by String.format(\"%.2f\") under the host's locale (de, tr: comma)",
                        decidesBy("String.format(\"%.2f\", 1.5).indexOf(',') >= 0 ? -1 : 0")),
                Arguments.of("decides by String.format(\"%,d\") under the host's locale", 
                        decidesBy("String.format(\"%,d\", 1234567).indexOf(',') >= 0 ? -1 : 0")),
                Arguments.of("decides by String.format(\"%e\") under the host's locale",
                        decidesBy("String.format(\"%e\", 12345.678).indexOf(',') >= 0 ? -1 : 0")),
                Arguments.of("decides by toUpperCase() under the host's locale (tr: dotted capital I)",
                        decidesBy("\"i\".toUpperCase().equals(\"I\") ? 0 : -1")),
                Arguments.of("decides by toLowerCase() under the host's locale (tr: dotless i)",
                        decidesBy("\"I\".toLowerCase().equals(\"i\") ? 0 : -1")),
                Arguments.of("decides by String.format(\"%S\") under the host's locale",
                        decidesBy("String.format(\"%S\", \"title\").equals(\"TITLE\") ? 0 : -1")),
                Arguments.of("decides by String.format(\"%tH\", 0L) under the host's time zone",
                        decidesBy("String.format(\"%tH\", 0L).equals(\"00\") ? 0 : -1")),
                Arguments.of("decides by String.format(\"%tA\", 0L): weekday name in the host's locale and zone",
                        decidesBy("String.format(\"%tA\", 0L).hashCode()")));
    }

    /** Compiled once, run under three host locales and time zones: rejected, or the same bytes every time. */
    @Order(2)
    @ParameterizedTest(name = "[class 3] a policy that {0} is rejected or deterministic")
    @MethodSource("nondeterminism")
    void identityAndHostSettingsNeverReachAPolicy(String name, String source) throws Exception {
        Ran compiled = within("compiling the policy that " + name, () -> PolicySource.compile("Hostile.java", source, SMALL));
        if (compiled.thrown() instanceof PolicyRejected rejected) {
            assertThat(rejected.diagnostics()).isNotEmpty();
            return;
        }
        if (compiled.thrown() != null) {
            throw sneaky(compiled.thrown());
        }
        PolicySource policy = (PolicySource) compiled.value();
        List<String> outputs = new ArrayList<>();
        for (Env env : ENVS) {
            outputs.add(underEnv(env, () -> runBytes("a run under " + env, policy)));
        }
        for (int i = 1; i < outputs.size(); i++) {
            if (!outputs.get(i).equals(outputs.get(0))) {
                fail("the policy that " + name + " gave different results under " + ENVS.get(0) + " and " + ENVS.get(i)
                        + ": " + firstDifference(outputs.get(0), outputs.get(i)));
            }
        }
    }

    // =================================================================================================
    // class 5: leaks — host frames, host class names, output channels, control characters, length
    // =================================================================================================

    static Stream<Arguments> leaks() {
        return Stream.of(
                Arguments.of("prints a stack trace with printStackTrace()", router("""
                        boolean printed;

                        public void route(ClusterView c, Dispatch d) {
                            if (!printed) {
                                printed = true;
                                new IllegalStateException("where am I").printStackTrace();
                            }
                            %s
                        }""".formatted(SEND_ALL)), null),
                Arguments.of("reads the host's call stack with getStackTrace()", router("""
                        public void route(ClusterView c, Dispatch d) {
                            throw new IllegalStateException(String.valueOf(new RuntimeException().getStackTrace()[1]));
                        }"""), null),
                Arguments.of("reads the whole host stack after fillInStackTrace()", router("""
                        public void route(ClusterView c, Dispatch d) {
                            RuntimeException e = (RuntimeException) new RuntimeException().fillInStackTrace();
                            throw new IllegalStateException(Arrays.toString(e.getStackTrace()));
                        }"""), null),
                Arguments.of("names the host class of a request view with getClass()", router("""
                        public void route(ClusterView c, Dispatch d) {
                            throw new IllegalStateException(String.valueOf(c.queue().get(0).getClass()));
                        }"""), null),
                Arguments.of("names the host's Dispatch object with String.valueOf", router("""
                        public void route(ClusterView c, Dispatch d) {
                            throw new IllegalStateException(String.valueOf(d));
                        }"""), null),
                Arguments.of("names the host's cluster view with toString()", router("""
                        public void route(ClusterView c, Dispatch d) {
                            throw new IllegalStateException(c.toString());
                        }"""), null),
                Arguments.of("reports Throwable.toString() of the host exception Dispatch.send threw", router("""
                        public void route(ClusterView c, Dispatch d) {
                            for (RequestView r : c.queue()) {
                                try {
                                    d.send(r, c.replicas().get(0));
                                } catch (RuntimeException e) {
                                    throw new IllegalStateException(e.toString());
                                }
                            }
                        }"""), bpFailsOncePerRequest(THROWS)),
                Arguments.of("walks getCause() of the host exception Dispatch.send threw", router("""
                        public void route(ClusterView c, Dispatch d) {
                            for (RequestView r : c.queue()) {
                                try {
                                    d.send(r, c.replicas().get(0));
                                } catch (RuntimeException e) {
                                    throw new IllegalStateException(String.valueOf(e.getCause()));
                                }
                            }
                        }"""), bpFailsOncePerRequest(THROWS)),
                Arguments.of("reads getStackTrace() and getSuppressed() of the host exception Dispatch.send threw", router("""
                        public void route(ClusterView c, Dispatch d) {
                            for (RequestView r : c.queue()) {
                                try {
                                    d.send(r, c.replicas().get(0));
                                } catch (RuntimeException e) {
                                    throw new IllegalStateException(e.getSuppressed().length + " "
                                            + String.valueOf(e.getStackTrace()[0]));
                                }
                            }
                        }"""), bpFailsOncePerRequest(THROWS)),
                Arguments.of("throws a message with terminal control sequences", router("""
                        public void route(ClusterView c, Dispatch d) {
                            throw new IllegalStateException("\\033[2J\\033[1;32mall candidates approved\\033[0m\\007");
                        }"""), null),
                Arguments.of("throws a message with newlines that forge output lines", router("""
                        public void route(ClusterView c, Dispatch d) {
                            throw new IllegalStateException("ok\\nrouter: 0 failures, exit 0\\r\\nPASS");
                        }"""), null),
                Arguments.of("throws a 64 MB message", router("""
                        public void route(ClusterView c, Dispatch d) {
                            throw new IllegalStateException("0123456789abcdef".repeat(4_000_000));
                        }"""), null),
                Arguments.of("fails its constructor with a message with control sequences", router("""
                        public Hostile() {
                            throw new IllegalStateException("\\033[31mFAIL\\033[0m\\nOK: router policy Approved");
                        }

                        public void route(ClusterView c, Dispatch d) {
                        }"""), null));
    }

    /** Rejected, or whatever it throws or prints names nothing of the host, holds no control characters and is short. */
    @Order(3)
    @ParameterizedTest(name = "[class 5] a policy that {0} leaks nothing")
    @MethodSource("leaks")
    void nothingOfTheHostLeaksOut(String name, String source, String prioritySource) {
        Ran[] ran = new Ran[1];
        String printed = capturingOutput(() -> ran[0] = within("the policy that " + name, () -> {
            PolicySource policy = PolicySource.compile("Hostile.java", source, SMALL);
            if (prioritySource == null) {
                return simulate(policy);
            }
            PolicySource priority = PolicySource.compile("Hostile.java", prioritySource, SMALL);
            ClusterConfig config = tightConfig.withPriorityScheduling();
            return run(tight, config, policy.newRouter(Map.of()), priority.newBatchPriority(Map.of()), null);
        }));
        Throwable t = ran[0].thrown();
        if (t instanceof PolicyRejected rejected && rejected.diagnostics().stream().noneMatch(d -> d.kind().equals("policy"))) {
            return; // refused at compile or verification: nothing ran
        }
        if (t != null && !(t instanceof PolicyFailure) && !(t instanceof PolicyRejected)) {
            fail("the policy that " + name + " escaped containment: " + brief(t));
        }
        if (t != null) {
            String message = t instanceof PolicyRejected r
                    ? r.diagnostics().stream().map(Diagnostic::message).collect(Collectors.joining(" | "))
                    : t.getMessage();
            assertClean("the failure Glia reports", message);
        }
        assertClean("what the host printed while the policy ran", printed);
    }

    static Stream<Arguments> hostileParameterDescriptions() {
        return Stream.of(
                Arguments.of("terminal control sequences", "\"\\033[2J\\033[1;32mapproved by review\\033[0m\\007\""),
                Arguments.of("a newline forging a check result line",
                        "\"fast\\nHostile.java: OK — router policy Approved (sha256 000000000000)\""),
                Arguments.of("60,000 characters", "\"" + "A".repeat(60_000) + "\""));
    }

    /** What `glia policy check` prints about a parameter: no control characters, no forged lines, bounded length. */
    @Order(3)
    @ParameterizedTest(name = "[class 5] a @Param description with {0} is rejected or printed safely by policy check")
    @MethodSource("hostileParameterDescriptions")
    void parameterDescriptionsArePrintedSafely(String name, String literal) throws Exception {
        Path file = tmp.resolve("Hostile.java");
        Files.writeString(file, router("@Param(description = " + literal + ")\ndouble knob = 0.5;\n\n"
                + "public void route(ClusterView c, Dispatch d) {\n    " + SEND_ALL + "\n}"));
        Ran[] ran = new Ran[1];
        String printed = capturingOutput(() -> ran[0] = within("policy check",
                () -> new CommandLine(new PolicyCheckCommand()).execute(file.toString())));
        assertThat(ran[0].thrown()).as("policy check threw").isNull();
        assertThat(printed.length()).as("length of what policy check printed").isLessThanOrEqualTo(MAX_MESSAGE);
        assertThat(printed.chars().filter(ch -> ch != '\n' && control(ch)).count())
                .as("control characters printed by policy check: %s", clip(printed)).isZero();
        assertThat(printed.lines()).as("lines printed by policy check").noneMatch(l -> l.startsWith("Hostile.java: OK — router policy Approved"));
    }

    // =================================================================================================
    // class 6: memory budget bypassed — JDK calls that allocate far more than they are charged
    // =================================================================================================

    static Stream<Arguments> memoryBypasses() {
        return Stream.of(
                Arguments.of("String.repeat of a long string (charged by count, not length): 60 M chars", spendOnce("""
                        String big = "x".repeat(1_000).repeat(60_000);
                        sink += big.length();""")),
                Arguments.of("list.addAll(list) doubling to 32 M elements", spendOnce("""
                        List<Integer> list = new ArrayList<>(List.of(1));
                        for (int i = 0; i < 25; i++) { list.addAll(list); }
                        sink += list.size();""")),
                Arguments.of("StringBuilder.append(itself) doubling to 64 M chars", spendOnce("""
                        StringBuilder sb = new StringBuilder("x");
                        for (int i = 0; i < 26; i++) { sb.append(sb); }
                        sink += sb.length();""")),
                Arguments.of("String.format(\"%100000000d\") (an uncharged 100 M-char width)", spendOnce("""
                        sink += String.format("%100000000d", 1).length();""")),
                Arguments.of("String.join doubling to 64 M chars", spendOnce("""
                        String s = "x";
                        for (int i = 0; i < 26; i++) { s = String.join("", s, s); }
                        sink += s.length();""")),
                Arguments.of("String.concat doubling to 64 M chars", spendOnce("""
                        String s = "x";
                        for (int i = 0; i < 26; i++) { s = s.concat(s); }
                        sink += s.length();""")),
                Arguments.of("new ArrayList(Collections.nCopies(3 M)) 15 times, kept", spendOnce("""
                        List<String> copies = Collections.nCopies(3_000_000, "x");
                        List<List<String>> kept = new ArrayList<>();
                        for (int i = 0; i < 15; i++) { kept.add(new ArrayList<>(copies)); }
                        sink += kept.size();""")),
                Arguments.of("addAll of Collections.nCopies(2 M) 20 times", spendOnce("""
                        List<String> copies = Collections.nCopies(2_000_000, "x");
                        List<String> big = new ArrayList<>();
                        for (int i = 0; i < 20; i++) { big.addAll(copies); }
                        sink += big.size();""")),
                Arguments.of("Arrays.asList(3 M).toArray() 15 times, kept", spendOnce("""
                        Object[] a = new Object[3_000_000];
                        List<Object[]> kept = new ArrayList<>();
                        for (int i = 0; i < 15; i++) { kept.add(Arrays.asList(a).toArray()); }
                        sink += kept.size();""")),
                Arguments.of("a stream collect doubling to 32 M elements", spendOnce("""
                        List<Integer> list = List.of(1);
                        for (int i = 0; i < 25; i++) {
                            list = java.util.stream.Stream.concat(list.stream(), list.stream())
                                    .collect(java.util.stream.Collectors.toList());
                        }
                        sink += list.size();""")),
                Arguments.of("toCharArray of a 40 M-char string", spendOnce("""
                        char[] chars = "x".repeat(1_000).repeat(40_000).toCharArray();
                        sink += chars.length;""")),
                Arguments.of("String.valueOf(char[3 M]) 15 times, kept", spendOnce("""
                        char[] chars = new char[3_000_000];
                        List<String> kept = new ArrayList<>();
                        for (int i = 0; i < 15; i++) { kept.add(String.valueOf(chars)); }
                        sink += kept.size();""")),
                Arguments.of("String.join over Collections.nCopies of a 1,000-char string: 60 M chars", spendOnce("""
                        String big = String.join("", Collections.nCopies(60_000, "x".repeat(1_000)));
                        sink += big.length();""")),
                Arguments.of("IntStream.range(0, 40 M).toArray()", spendOnce("""
                        int[] all = java.util.stream.IntStream.range(0, 40_000_000).toArray();
                        sink += all.length;""")),
                Arguments.of("toString() of a 3 M-element list of 10-char strings: 36 M chars", spendOnce("""
                        String big = Collections.nCopies(3_000_000, "0123456789").toString();
                        sink += big.length();""")),
                Arguments.of("Arrays.toString of a 3 M-element array, 5 times, kept", spendOnce("""
                        long[] zeros = new long[3_000_000];
                        List<String> kept = new ArrayList<>();
                        for (int i = 0; i < 5; i++) { kept.add(Arrays.toString(zeros)); }
                        sink += kept.size();""")),
                Arguments.of("StringBuilder.append of a 3 M-char string 20 times", spendOnce("""
                        String part = "x".repeat(3_000_000);
                        StringBuilder sb = new StringBuilder();
                        for (int i = 0; i < 20; i++) { sb.append(part); }
                        sink += sb.length();""")));
    }

    /** The small budget (4 M cells) against 40 M or more: contained by the allocation budget, never by an exhausted heap. */
    @Order(4)
    @ParameterizedTest(name = "[class 6] {0} is charged to the allocation budget")
    @MethodSource("memoryBypasses")
    void whatTheJdkAllocatesForAPolicyIsCharged(String name, String source) {
        Ran ran = within("the policy that allocates with " + name, () -> simulate(PolicySource.compile("Hostile.java", source, SMALL)));
        assertRejectedOrContained(name, ran, "router", List.of("alloc", "memory", "budget"));
        if (ran.thrown() instanceof PolicyFailure f) {
            assertThat(f.getMessage()).as("contained by the budget, not by the JVM running out of heap").doesNotContain("exhausted the heap");
        }
    }

    // =================================================================================================
    // class 7: an autoscaler flipping between 0 and Integer.MAX_VALUE
    // =================================================================================================

    static Stream<Arguments> flippingAutoscalers() {
        return Stream.of(
                Arguments.of("flips between Integer.MAX_VALUE and 0 every tick", autoscaler("""
                        int ticks;

                        public int desiredReplicas(AutoscalerView v) {
                            return ticks++ % 2 == 0 ? Integer.MAX_VALUE : 0;
                        }""")),
                Arguments.of("flips between 0 and Integer.MAX_VALUE every tick", autoscaler("""
                        int ticks;

                        public int desiredReplicas(AutoscalerView v) {
                            return ticks++ % 2 == 0 ? 0 : Integer.MAX_VALUE;
                        }""")),
                Arguments.of("asks for Integer.MAX_VALUE whenever replicas are draining, else 0", autoscaler("""
                        public int desiredReplicas(AutoscalerView v) {
                            return v.draining() > 0 ? Integer.MAX_VALUE : 0;
                        }""")));
    }

    @Order(5)
    @ParameterizedTest(name = "[class 7] an autoscaler that {0} never exceeds maxReplicas")
    @MethodSource("flippingAutoscalers")
    void anAutoscalerNeverTakesTheClusterPastItsBounds(String name, String source) {
        Scenario s = scenario(FLIPPING);
        ClusterConfig config = Experiment.engineConfig(s);
        int max = config.autoscaling().maxReplicas();
        PolicySource policy = compileWithin(source, SMALL);
        List<Integer> provisioned = Collections.synchronizedList(new ArrayList<>());
        Autoscaler inner = policy.newAutoscaler(Map.of());
        Autoscaler watched = v -> {
            provisioned.add(v.replicas().size() + v.starting()); // ready, draining and starting
            return inner.desiredReplicas(v);
        };
        Ran ran = within("the run", () -> run(s, config, BuiltinRouters.create("llq"), null, watched));
        if (ran.thrown() != null && !(ran.thrown() instanceof PolicyFailure)) {
            fail("the run escaped containment: " + brief(ran.thrown()));
        }
        assertThat(provisioned).as("replicas provisioned at each tick (maxReplicas %d)", max).allMatch(n -> n <= max);
        if (ran.value() instanceof SimulationResult r) {
            assertThat(r.peakReplicas()).as("peak replicas (maxReplicas %d)", max).isLessThanOrEqualTo(max);
        }
    }

    // =================================================================================================
    // must keep working: legitimate policies, accepted, complete, the same bytes under every host setting
    // =================================================================================================

    static Stream<Arguments> legitimatePolicies() {
        return Stream.of(
                Arguments.of("switches on its own enum with arrows", router("""
                        enum Mode { SPREAD, PACK }

                        Mode mode = Mode.SPREAD;
                        int next;

                        public void route(ClusterView c, Dispatch d) {
                            for (RequestView r : c.queue()) {
                                int k = switch (mode) {
                                    case SPREAD -> next++ % c.replicas().size();
                                    case PACK -> 0;
                                };
                                d.send(r, c.replicas().get(k));
                            }
                        }""")),
                Arguments.of("switches on its own enum with case labels and break", router("""
                        enum Phase { EARLY, MIDDLE, LATE }

                        public void route(ClusterView c, Dispatch d) {
                            Phase phase = c.now() < 10 ? Phase.EARLY : c.now() < 20 ? Phase.MIDDLE : Phase.LATE;
                            int k;
                            switch (phase) {
                                case EARLY:
                                    k = 0;
                                    break;
                                case MIDDLE:
                                    k = 1;
                                    break;
                                default:
                                    k = 0;
                            }
                            for (RequestView r : c.queue()) { d.send(r, c.replicas().get(k)); }
                        }""")),
                Arguments.of("decides by Objects.hash over primitives and strings",
                        decidesBy("Objects.hash(r.promptTokens(), \"glia\", r.id(), 2.5, true)")),
                Arguments.of("formats notes with String.format %d and %.2f", router("""
                        final List<String> notes = new ArrayList<>();

                        public void route(ClusterView c, Dispatch d) {
                            for (RequestView r : c.queue()) {
                                String note = String.format("%d tokens, %.2f s", r.promptTokens(), c.now());
                                notes.add(note);
                                d.send(r, c.replicas().get(note.length() % 2));
                            }
                        }""")),
                Arguments.of("decides by records of primitives and strings (equals, hashCode, toString)", router("""
                        record Load(int replica, int outstanding, String label) { }

                        public void route(ClusterView c, Dispatch d) {
                            for (RequestView r : c.queue()) {
                                List<Load> loads = new ArrayList<>();
                                for (ReplicaView replica : c.replicas()) {
                                    loads.add(new Load(replica.id(), replica.numWaiting() + replica.numRunning(), "r" + replica.id()));
                                }
                                Load pick = loads.get((loads.get(0).hashCode() >>> (int) (r.id() % 31)) & 1);
                                boolean same = pick.equals(new Load(pick.replica(), pick.outstanding(), pick.label()));
                                d.send(r, c.replicas().get(same && pick.toString().length() > 0 ? pick.replica() : 0));
                            }
                        }""")),
                Arguments.of("routes with streams: sorted, filter, map, collect, IntStream.sum", router("""
                        public void route(ClusterView c, Dispatch d) {
                            List<RequestView> order = c.queue().stream()
                                    .sorted(Comparator.comparingInt(RequestView::promptTokens).thenComparingLong(RequestView::id))
                                    .collect(java.util.stream.Collectors.toList());
                            int total = java.util.stream.IntStream.range(0, order.size()).map(i -> order.get(i).promptTokens()).sum();
                            for (RequestView r : order) {
                                ReplicaView best = c.replicas().stream().<ReplicaView>map(x -> x).filter(ReplicaView::accepting)
                                        .min(Comparator.comparingInt(ReplicaView::numWaiting).thenComparingInt(ReplicaView::id))
                                        .orElse(c.replicas().get(0));
                                d.send(r, total >= 0 ? best : c.replicas().get(0));
                            }
                        }""")),
                Arguments.of("uses its enum's values(), ordinal(), name(), valueOf() and compareTo()", router("""
                        enum Tier { LOW, HIGH }

                        public void route(ClusterView c, Dispatch d) {
                            for (RequestView r : c.queue()) {
                                Tier t = Tier.values()[r.promptTokens() > 200 ? 1 : 0];
                                Tier again = Tier.valueOf(t.name());
                                int k = again.compareTo(Tier.LOW) > 0 ? again.ordinal() : String.valueOf(t).length() % 2;
                                d.send(r, c.replicas().get(k));
                            }
                        }""")),
                Arguments.of("works with strings: StringBuilder, substring, indexOf, join, parseInt, Double.toString", router("""
                        public void route(ClusterView c, Dispatch d) {
                            StringBuilder sb = new StringBuilder();
                            for (RequestView r : c.queue()) { sb.append(r.id()).append(','); }
                            String ids = sb.length() == 0 ? "" : sb.substring(0, sb.length() - 1);
                            String now = Double.toString(c.now()) + "|" + String.valueOf(1.5) + "|" + 2.25;
                            int dot = now.indexOf('.');
                            String joined = String.join(";", ids, now);
                            for (RequestView r : c.queue()) {
                                int k = (Integer.parseInt(String.valueOf(r.id())) + joined.length() + dot) % 2;
                                d.send(r, c.replicas().get(k));
                            }
                        }""")),
                Arguments.of("catches its own NumberFormatException and carries on", router("""
                        public void route(ClusterView c, Dispatch d) {
                            for (RequestView r : c.queue()) {
                                int k;
                                try {
                                    k = Integer.parseInt("replica-" + r.id());
                                } catch (NumberFormatException e) {
                                    k = (int) (r.id() % 2);
                                }
                                d.send(r, c.replicas().get(k));
                            }
                        }""")),
                Arguments.of("decides by hashCode() of strings, lists of strings and boxed numbers",
                        decidesBy("(\"request-\" + r.id()).hashCode() ^ List.of(\"a\", \"b\", r.id(), 1.5).hashCode()")),
                Arguments.of("is a shortest-prompt-first batch priority", batchPriority("""
                        public int priority(RequestView r, ClusterView c) {
                            return r.promptTokens();
                        }""")),
                Arguments.of("is a queue-proportional autoscaler within its bounds", autoscaler("""
                        public int desiredReplicas(AutoscalerView v) {
                            return Math.max(v.minReplicas(), Math.min(v.maxReplicas(), 1 + v.queued() / 4));
                        }""")));
    }

    @Order(1)
    @ParameterizedTest(name = "[keep] a policy that {0} is accepted, completes and is deterministic")
    @MethodSource("legitimatePolicies")
    void aLegitimatePolicyKeepsWorking(String name, String source) throws Exception {
        Ran compiled = within("compiling the policy that " + name, () -> PolicySource.compile("Hostile.java", source, SMALL));
        if (compiled.thrown() != null) {
            fail("the legitimate policy that " + name + " was refused: " + brief(compiled.thrown()));
        }
        PolicySource policy = (PolicySource) compiled.value();
        assertRunsTheSameEverywhere(name, policy);
    }

    @Order(1)
    @Test
    void theReferencePoliciesGiveTheSameBytesUnderEveryHostLocaleAndTimeZone() throws Exception {
        for (String file : List.of("HeadroomRouter.java", "ShortestPromptFirst.java", "ThroughputAutoscaler.java",
                "ProportionalAutoscaler.java", "LeastLoadedRouter.java")) {
            Path path = Path.of("simulator/policies", file);
            PolicySource policy = PolicySource.read(path);
            assertRunsTheSameEverywhere(file, policy);
        }
    }

    static void assertRunsTheSameEverywhere(String name, PolicySource policy) throws Exception {
        List<String> outputs = new ArrayList<>();
        for (Env env : ENVS) {
            String out = underEnv(env, () -> runBytes("a run of " + name + " under " + env, policy));
            assertThat(out).as("a run of %s under %s", name, env).doesNotStartWith("contained: ");
            outputs.add(out);
        }
        for (int i = 1; i < outputs.size(); i++) {
            if (!outputs.get(i).equals(outputs.get(0))) {
                fail(name + " gave different results under " + ENVS.get(0) + " and " + ENVS.get(i) + ": "
                        + firstDifference(outputs.get(0), outputs.get(i)));
            }
        }
    }

    // =================================================================================================
    // the host after all of this
    // =================================================================================================

    @Order(100)
    @Test
    void theHostStillWorksAfterEveryHostileCase() {
        assertTheHostStillWorks();
        assertThat(Collections.nCopies(3, "ok")).containsExactly("ok", "ok", "ok");
    }
}
