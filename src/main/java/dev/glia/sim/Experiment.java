package dev.glia.sim;

import dev.glia.policy.Autoscaler;
import dev.glia.policy.BatchPriority;
import dev.glia.policy.Router;
import dev.glia.sim.engine.ClusterConfig;
import dev.glia.sim.engine.Simulation;
import dev.glia.sim.engine.SimulationResult;
import dev.glia.sim.engine.Workload;
import dev.glia.sim.metrics.Aggregate;
import dev.glia.sim.metrics.RunSummary;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.WorkloadFactory;
import dev.glia.vllm.BatchFormation;
import dev.glia.vllm.EngineSettings;
import dev.glia.vllm.SchedulingPolicy;
import dev.glia.vllm.exec.ExecutionModel;
import dev.glia.vllm.exec.Hardware;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * A scenario run under given policies for K seeds, in parallel on all cores. Seed k of a
 * scenario with base seed s simulates workload seed s + k; results come back in seed order, so
 * they do not depend on the thread schedule.
 */
public final class Experiment {
    /** Fresh policy instances per seed (policies may keep state within a run, never across runs). */
    public record Policies(Supplier<Router> router, Supplier<BatchPriority> batchPriority,
                           Supplier<Autoscaler> autoscaler) {
    }

    /** One seed's run. */
    public record SeedRun(long seed, SimulationResult result, Map<String, Double> summary) {
    }

    public record Result(Scenario scenario, ClusterConfig engine, List<SeedRun> runs, Map<String, Aggregate.Stat> aggregate,
                         double wallSeconds) {
    }

    private final Scenario scenario;
    private final ClusterConfig engine;

    public Experiment(Scenario scenario) {
        this(scenario, engineConfig(scenario));
    }

    public Experiment(Scenario scenario, ClusterConfig engine) {
        this.scenario = scenario;
        this.engine = engine;
    }

    public ClusterConfig engine() {
        return engine;
    }

    public static ClusterConfig engineConfig(Scenario s) {
        Scenario.Cluster c = s.cluster();
        ExecutionModel model = Hardware.executionModel(c.gpu(), c.model(), c.tensorParallel(), c.dtype());
        Scenario.Autoscaling a = s.autoscaling();
        EngineSettings engine = new EngineSettings(c.numBlocks(), c.blockSize(), c.maxNumSeqs(),
                c.maxNumBatchedTokens(), BatchFormation.named(c.scheduler()),
                "fcfs".equals(s.policies().batchPriority()) ? SchedulingPolicy.FCFS : SchedulingPolicy.PRIORITY, true);
        return new ClusterConfig(c.replicas(), engine, model, c.tensorParallel(),
                a == null ? null : new ClusterConfig.Autoscaling(a.interval(), a.coldStart(), a.minReplicas(), a.maxReplicas()),
                true, c.scrapeInterval() == null ? 0 : c.scrapeInterval());
    }

    /** Runs one seed on the calling thread. */
    public SeedRun runSeed(long seedIndex, Policies policies) {
        long seed = scenario.seed() + seedIndex;
        Workload workload = WorkloadFactory.build(scenario, seed);
        Simulation sim = new Simulation(engine, workload, policies.router().get(),
                policies.batchPriority() == null ? null : policies.batchPriority().get(),
                policies.autoscaler() == null ? null : policies.autoscaler().get(), seed);
        SimulationResult result = sim.run();
        return new SeedRun(seed, result, RunSummary.of(result, engine.model(), engine.prefillChunk()));
    }

    /** Runs seeds 0..seeds-1 on up to {@code threads} threads; {@code done} hears each finished seed count. */
    public Result run(int seeds, Policies policies, int threads, IntConsumer done) {
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, seeds)), r -> {
            // a deep stack: a policy's frames are budgeted far below it, so no policy reaches a
            // real StackOverflowError (which could strike inside a JDK class's initialiser)
            Thread t = new Thread(null, r, "glia-sim", 16L << 20);
            t.setDaemon(true);
            return t;
        });
        AtomicInteger finished = new AtomicInteger();
        try {
            List<Future<SeedRun>> futures = new ArrayList<>();
            for (int k = 0; k < seeds; k++) {
                long index = k;
                futures.add(pool.submit(() -> {
                    SeedRun run = runSeed(index, policies);
                    done.accept(finished.incrementAndGet());
                    return run;
                }));
            }
            List<SeedRun> runs = new ArrayList<>();
            for (Future<SeedRun> f : futures) {
                runs.add(f.get());
            }
            List<Map<String, Double>> summaries = runs.stream().map(SeedRun::summary).toList();
            return new Result(scenario, engine, runs, Aggregate.of(summaries), (System.nanoTime() - start) / 1e9);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
