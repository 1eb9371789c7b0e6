package dev.glia.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.glia.catalog.Resources;
import dev.glia.metrics.fit.FitOptions;
import dev.glia.metrics.fit.WorkloadFit;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import dev.glia.sim.scenario.Scenario;
import java.util.List;

/**
 * Composes the normal scenario file (YAML that {@link dev.glia.sim.scenario.ScenarioLoader} loads, as
 * {@code glia simulate} and {@code glia optimize --scenario FILE} read it) that a GliaOptimization's research
 * simulates when its scenario is a trace or fitted from live metrics: the cluster ({@code spec.scenario.hardware},
 * the engines' count, the KV blocks the fitter read), the workload (a trace CSV, or the fitted arrivals and
 * lengths of {@link WorkloadFit}) and {@code spec.scenario.duration}. Plain Java, no client: in process and for a
 * research Job alike.
 */
public final class ScenarioComposer {
    /** The GPU and model when {@code spec.scenario.hardware} does not say (the scenario loader's defaults). */
    public static final String DEFAULT_GPU = "a10";
    public static final String DEFAULT_MODEL = "llama-3-8b";

    /**
     * The engines as the cluster knows them.
     *
     * @param gpu            the engines' GPU, from the hardware catalog
     * @param model          the served model, from the hardware catalog
     * @param tensorParallel GPUs per engine; null: 1
     * @param replicas       engines (the Deployment's {@code spec.replicas}); null: unknown
     */
    public record Cluster(String gpu, String model, Integer tensorParallel, Integer replicas) {
        /** The cluster of {@code spec.scenario.hardware}, with {@code replicas} engines (null: unknown). */
        public static Cluster of(GliaOptimizationSpec.Scenario scenario, Integer replicas) {
            GliaOptimizationSpec.Hardware h = scenario == null ? null : scenario.hardware;
            return new Cluster(h == null || h.gpu == null ? DEFAULT_GPU : h.gpu,
                    h == null || h.model == null ? DEFAULT_MODEL : h.model, h == null ? null : h.tensorParallel,
                    replicas);
        }
    }

    private ScenarioComposer() {
    }

    /**
     * A scenario replaying the trace at {@code csvPath} (CSV {@code arrived_at,num_prefill_tokens,num_decode_tokens})
     * on {@code cluster} (one engine when its count is unknown), for {@code duration} model seconds (null: the whole
     * trace).
     */
    public static Scenario trace(String name, String description, Cluster cluster, String csvPath, Integer duration) {
        return new Scenario(name, description, 0L, duration == null ? null : duration.doubleValue(),
                new Scenario.Cluster(cluster.replicas() == null ? 1 : cluster.replicas(), cluster.gpu(),
                        cluster.model(), cluster.tensorParallel(), null, null, null, null, null, null, null, null, null),
                new Scenario.WorkloadSpec(null, null, null, new Scenario.Trace(csvPath, null)), null, null);
    }

    /**
     * What the fitter is told: the cluster's GPU and model, the duration (null: the window's) and the engines' time
     * scale (rates and gaps read from Prometheus are in wall time).
     */
    public static FitOptions fitOptions(String name, Cluster cluster, Integer duration, int minRequests,
            double timeScale) {
        return new FitOptions(name, cluster.gpu(), cluster.model(), timeScale, minRequests,
                duration == null ? null : duration.doubleValue());
    }

    /** {@code spec.target.engines.timeScale}: model seconds per wall second of the engines, 1 (vLLM) when absent. */
    public static double timeScale(GliaOptimizationSpec spec) {
        Double scale = spec.target == null || spec.target.engines == null ? null : spec.target.engines.timeScale;
        return scale == null ? 1 : scale;
    }

    /**
     * The fitted scenario on {@code cluster}: the cluster's engine count when known (else the fitter's), its tensor
     * parallelism, and the KV blocks and block size the fitter read from the engines ({@code vllm:cache_config_info}).
     */
    public static WorkloadFit.Fitted fitted(WorkloadFit.Fitted fitted, Cluster cluster) {
        Scenario s = fitted.scenario();
        Scenario.Cluster c = s.cluster();
        Scenario.Cluster on = new Scenario.Cluster(cluster.replicas() != null ? cluster.replicas() : c.replicas(),
                c.gpu(), c.model(), cluster.tensorParallel() != null ? cluster.tensorParallel() : c.tensorParallel(),
                c.dtype(), c.numBlocks(), c.blockSize(), c.maxNumSeqs(), c.scheduler(), c.maxNumBatchedTokens(),
                c.gpuMemoryUtilization(), c.maxModelLen(), c.scrapeInterval());
        return new WorkloadFit.Fitted(s.withCluster(on), fitted.report());
    }

    /**
     * The scenario an autoscaler is researched on: {@code s} with an autoscaling section from {@code spec.autoscaling}
     * (its interval, min and max; the loader's defaults for the rest, a 60-s cold start among them) when the
     * optimisation designs an autoscaler and {@code s} has none; {@code s} as it is otherwise.
     */
    public static Scenario autoscaled(Scenario s, GliaOptimizationSpec spec) {
        if (s.autoscaling() != null || !OptimizationSpecs.components(spec.components).equals(List.of("autoscaler"))) {
            return s;
        }
        GliaOptimizationSpec.Autoscaling a = spec.autoscaling == null ? new GliaOptimizationSpec.Autoscaling()
                : spec.autoscaling;
        Double interval = a.interval == null ? null : OptimizationSpecs.duration(a.interval, null).toMillis() / 1000.0;
        return s.withAutoscaling(new Scenario.Autoscaling(interval, null,
                a.minReplicas == null ? null : Math.max(1, a.minReplicas), a.maxReplicas));
    }

    /** The same for a fitted scenario, its report kept. */
    public static WorkloadFit.Fitted autoscaled(WorkloadFit.Fitted fitted, GliaOptimizationSpec spec) {
        return new WorkloadFit.Fitted(autoscaled(fitted.scenario(), spec), fitted.report());
    }

    /** The scenario file: a comment saying where it came from, then the scenario. */
    public static String yaml(Scenario scenario, String comment) {
        try {
            String body = Resources.YAML.writeValueAsString(scenario);
            StringBuilder b = new StringBuilder();
            comment.lines().forEach(l -> b.append("# ").append(l).append('\n'));
            return b.append(body.startsWith("---\n") ? body.substring(4) : body).toString();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
