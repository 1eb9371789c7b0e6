package dev.glia.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glia.sim.Experiment;
import dev.glia.sim.PolicySet;
import dev.glia.sim.RunWriter;
import dev.glia.sim.engine.ClusterConfig;
import dev.glia.sim.engine.Request;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Simulator throughput, measured side by side: one seed at a time on one thread, with decode runs
 * and with one event per iteration, alternating so both see the same machine noise; then K seeds
 * in parallel as {@code glia simulate} runs them.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure simulator speed: simulated requests and events per second, decode runs vs stepping.")
public class BenchCommand implements Callable<Integer> {
    @Option(names = "--scenario", defaultValue = "glia-sharegpt-a10", paramLabel = "NAME|FILE",
            description = "Scenario (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--router", defaultValue = "llq", description = "Router (default: ${DEFAULT-VALUE}).")
    String router;

    @Option(names = "--warmup", defaultValue = "10", description = "Untimed single-seed runs first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--repeat", defaultValue = "20", description = "Timed single-seed runs per mode (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--seeds", defaultValue = "10", description = "Seeds in the parallel measurement (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--policy", defaultValue = "hra-spf", paramLabel = "NAME|FILE",
            description = "Router source whose decision time to measure, instrumented and not (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--policy-only", description = "Measure only the policy's decision time.")
    boolean policyOnly;

    @Option(names = "--variant", defaultValue = "BOTH", description = "With --policy-only: BOTH builds in this JVM, or "
            + "SANDBOXED or PLAIN alone, to compare fresh JVMs (default: ${DEFAULT-VALUE}).")
    PolicyBench.Variant variant;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        return Cli.guard(() -> {
            if (policyOnly) {
                printDecision(PolicyBench.run(policy, Map.of(), 1000, 16, variant));
                return 0;
            }
            Scenario s = ScenarioLoader.override(ScenarioLoader.load(scenario), null, null, router, null, null);
            ClusterConfig base = Experiment.engineConfig(s).withLogs(false);
            Experiment runs = new Experiment(s, base.withDecodeRuns(true));
            Experiment steps = new Experiment(s, base.withDecodeRuns(false));
            Experiment.Policies policies = PolicySet.of(s, Map.of()).factories();
            for (int i = 0; i < warmup; i++) {
                runs.runSeed(i % 10, policies);
                steps.runSeed(i % 10, policies);
            }
            double[] runWall = new double[repeat];
            double[] stepWall = new double[repeat];
            double requests = 0;
            double runEvents = 0;
            double stepEvents = 0;
            boolean identical = true;
            for (int i = 0; i < repeat; i++) {
                long seed = i % 10;
                long t0 = System.nanoTime();
                Experiment.SeedRun a = runs.runSeed(seed, policies);
                long t1 = System.nanoTime();
                Experiment.SeedRun b = steps.runSeed(seed, policies);
                long t2 = System.nanoTime();
                runWall[i] = (t1 - t0) / 1e9;
                stepWall[i] = (t2 - t1) / 1e9;
                requests += a.result().requests().size();
                runEvents += a.result().events();
                stepEvents += b.result().events();
                identical &= sameOutcome(a.result().requests(), b.result().requests());
            }
            double perSeedRequests = requests / repeat;
            double runMedian = median(runWall);
            double stepMedian = median(stepWall);
            int cores = Runtime.getRuntime().availableProcessors();
            Experiment parallel = new Experiment(s);
            parallel.run(seeds, policies, cores, n -> { });
            double[] parallelWall = new double[3];
            for (int i = 0; i < parallelWall.length; i++) {
                parallelWall[i] = parallel.run(seeds, policies, cores, n -> { }).wallSeconds();
            }
            PolicyBench.Result decision = PolicyBench.run(policy, Map.of(), 1000, 16);
            ObjectNode o = RunWriter.JSON.createObjectNode();
            o.put("scenario", s.name());
            o.put("router", router);
            o.put("cores", cores);
            o.put("requestsPerSeed", Math.round(perSeedRequests));
            o.put("seedWallMedianSeconds", round(runMedian));
            o.put("simulatedRequestsPerSecond", Math.round(perSeedRequests / runMedian));
            o.put("eventsPerSeed", Math.round(runEvents / repeat));
            o.put("eventsPerSecond", Math.round(runEvents / repeat / runMedian));
            o.put("microsecondsPerRequest", round(runMedian / perSeedRequests * 1e6));
            o.put("steppingSeedWallMedianSeconds", round(stepMedian));
            o.put("steppingEventsPerSeed", Math.round(stepEvents / repeat));
            o.put("decodeRunSpeedup", round(stepMedian / runMedian));
            o.put("identicalToStepping", identical);
            o.put("parallelSeeds", seeds);
            o.put("parallelWallMedianSeconds", round(median(parallelWall)));
            o.put("policy", policy);
            o.put("policyDecisionMicros", round(decision.instrumentedMicros()));
            o.put("policyDecisionMicrosUninstrumented", round(decision.plainMicros()));
            o.put("instrumentationOverhead", round(decision.ratio()));
            o.put("policyDecisionMicrosThroughRuntime", round(decision.hostedMicros()));
            if (json) {
                System.out.println(RunWriter.JSON.writeValueAsString(o));
                return 0;
            }
            System.out.printf(Locale.ROOT, "%s · router %s · %,d requests per seed · %d cores%n%n", s.name(), router,
                    Math.round(perSeedRequests), cores);
            System.out.printf(Locale.ROOT, "  one seed, one thread (median of %d, after %d warm-up runs)%n", repeat, warmup);
            System.out.printf(Locale.ROOT, "    decode runs     %8.1f ms   %,10.0f requests/s   %,12.0f events/s   %.1f µs/request%n",
                    runMedian * 1e3, perSeedRequests / runMedian, runEvents / repeat / runMedian,
                    runMedian / perSeedRequests * 1e6);
            System.out.printf(Locale.ROOT, "    stepping        %8.1f ms   %,10.0f requests/s   %,12.0f events/s%n",
                    stepMedian * 1e3, perSeedRequests / stepMedian, stepEvents / repeat / stepMedian);
            System.out.printf(Locale.ROOT, "    decode runs are %.2fx faster; outcomes identical to stepping: %s%n",
                    stepMedian / runMedian, identical ? "yes" : "NO");
            System.out.printf(Locale.ROOT, "%n  %d seeds on %d threads with logs (as glia simulate): median %.3f s of 3%n",
                    seeds, cores, median(parallelWall));
            printDecision(decision);
            return identical ? 0 : 1;
        });
    }

    private void printDecision(PolicyBench.Result decision) {
        System.out.printf(Locale.ROOT, "%n  %s.route() over %d queued requests and %d replicas (median of 31 rounds of 500 calls)%n",
                policy, decision.queued(), decision.replicas());
        if (!Double.isNaN(decision.instrumentedMicros())) {
            System.out.printf(Locale.ROOT, "    sandboxed (budget-instrumented) %8.2f µs%n", decision.instrumentedMicros());
        }
        if (!Double.isNaN(decision.hostedMicros())) {
            System.out.printf(Locale.ROOT, "    through the policy runtime      %8.2f µs   (every send checked, fallback armed:"
                    + " as glia router and the simulator call it)%n", decision.hostedMicros());
        }
        if (!Double.isNaN(decision.plainMicros())) {
            System.out.printf(Locale.ROOT, "    same bytecode uninstrumented    %8.2f µs%s%n", decision.plainMicros(),
                    Double.isNaN(decision.ratio()) ? "" : String.format(Locale.ROOT, "   instrumentation costs %.2fx",
                            decision.ratio()));
        }
    }

    /** Same replica and same arrival, first-token and completion instants for every request. */
    static boolean sameOutcome(List<Request> a, List<Request> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            Request x = a.get(i);
            Request y = b.get(i);
            if (x.replicaId() != y.replicaId() || x.restarts() != y.restarts()
                    || Double.compare(x.completedAt(), y.completedAt()) != 0
                    || Double.compare(x.firstTokenAt(), y.firstTokenAt()) != 0
                    || Double.compare(x.scheduledAt(), y.scheduledAt()) != 0) {
                return false;
            }
        }
        return true;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double round(double v) {
        return Math.round(v * 1e5) / 1e5;
    }
}
