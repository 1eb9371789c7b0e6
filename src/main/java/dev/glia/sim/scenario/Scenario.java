package dev.glia.sim.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;

/**
 * A simulated cluster and its workload, as written in {@code simulator/scenarios/*.yaml}. Every
 * field is optional in the file; {@link ScenarioLoader} fills defaults and validates, so that a
 * loaded scenario is complete and {@code config.json} shows everything a run used.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "description", "seed", "duration", "cluster", "workload", "policies", "autoscaling"})
public record Scenario(
        String name,
        String description,
        Long seed,
        Double duration,
        Cluster cluster,
        WorkloadSpec workload,
        Policies policies,
        Autoscaling autoscaling) {

    /**
     * The engines; names follow vLLM's engine arguments. {@code scrapeInterval}: seconds of model
     * time between a live router's scrapes of each engine's metrics, so that policies see what the
     * router will see (docs/router.md); absent or 0 for exact views.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Cluster(
            Integer replicas,
            String gpu,
            String model,
            Integer tensorParallel,
            String dtype,
            Integer numBlocks,
            Integer blockSize,
            Integer maxNumSeqs,
            String scheduler,
            Integer maxNumBatchedTokens,
            Double gpuMemoryUtilization,
            Integer maxModelLen,
            Double scrapeInterval) {

        public Cluster withScrapeInterval(Double seconds) {
            return new Cluster(replicas, gpu, model, tensorParallel, dtype, numBlocks, blockSize, maxNumSeqs,
                    scheduler, maxNumBatchedTokens, gpuMemoryUtilization, maxModelLen, seconds);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WorkloadSpec(Arrivals arrivals, Lengths lengths, Inflation inflation, Trace trace) {
    }

    /**
     * process: poisson | gamma | lognormal | sinusoid | closed-loop. Mean gap 1/qps for the first
     * three; sinusoid swings between minQps and maxQps over period seconds, starting at minQps.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Arrivals(String process, Double qps, Double sigma, Double cv, Double minQps, Double maxQps,
                           Double period, Integer users, Double thinkTime) {
    }

    /** Either a bundled table for both sides, or a distribution per side. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Lengths(String table, Distribution prompt, Distribution output) {
    }

    /**
     * distribution: empirical (table) | lognormal (median, sigma) | fixed (value) | uniform (min, max) |
     * quantiles (quantiles: an inline table of tokens at probabilities i / (n − 1), non-decreasing, sampled as
     * the bundled tables are; what {@code glia fit} writes).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"distribution", "table", "median", "sigma", "value", "min", "max", "quantiles"})
    public record Distribution(String distribution, String table, Double median, Double sigma, Integer value,
                               Integer min, Integer max, java.util.List<Double> quantiles) {
        public Distribution {
            quantiles = quantiles == null ? null : java.util.List.copyOf(quantiles);
        }

        public Distribution(String distribution, String table, Double median, Double sigma, Integer value,
                            Integer min, Integer max) {
            this(distribution, table, median, sigma, value, min, max, null);
        }

        /** An inline quantile table. */
        public static Distribution quantiles(java.util.List<Double> quantiles) {
            return new Distribution("quantiles", null, null, null, null, null, null, quantiles);
        }
    }

    /** The Glia paper's knob: a fraction of prompts and of outputs multiplied by factor, capped. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Inflation(Double promptFraction, Double outputFraction, Double factor, Integer cap) {
    }

    /** Replay of a CSV {@code arrived_at,num_prefill_tokens,num_decode_tokens}; qps rescales time. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Trace(String path, Double qps) {
    }

    /** The policies, and values for their {@code @Param} knobs by name (each goes to the policy that declares it). */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Policies(String router, String batchPriority, String autoscaler, Map<String, Double> parameters) {
        public Policies {
            parameters = parameters == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(parameters));
        }

        public Policies(String router, String batchPriority, String autoscaler) {
            this(router, batchPriority, autoscaler, Map.of());
        }

        public String of(String component) {
            return switch (component) {
                case "router" -> router;
                case "batchPriority" -> batchPriority;
                case "autoscaler" -> autoscaler;
                default -> throw new IllegalArgumentException("unknown component " + component);
            };
        }

        /** These policies with one component's policy replaced, and parameters set on top. */
        public Policies with(String component, String policy, Map<String, Double> extra) {
            Map<String, Double> merged = new java.util.TreeMap<>(parameters);
            merged.putAll(extra);
            return new Policies(component.equals("router") ? policy : router,
                    component.equals("batchPriority") ? policy : batchPriority,
                    component.equals("autoscaler") ? policy : autoscaler, merged);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Autoscaling(Double interval, Double coldStart, Integer minReplicas, Integer maxReplicas) {
    }

    public Scenario withName(String n) {
        return new Scenario(n, description, seed, duration, cluster, workload, policies, autoscaling);
    }

    public Scenario withSeed(long s) {
        return new Scenario(name, description, s, duration, cluster, workload, policies, autoscaling);
    }

    public Scenario withDuration(double d) {
        return new Scenario(name, description, seed, d, cluster, workload, policies, autoscaling);
    }

    public Scenario withPolicies(Policies p) {
        return new Scenario(name, description, seed, duration, cluster, workload, p, autoscaling);
    }

    public Scenario withCluster(Cluster c) {
        return new Scenario(name, description, seed, duration, c, workload, policies, autoscaling);
    }

    public Scenario withWorkload(WorkloadSpec w) {
        return new Scenario(name, description, seed, duration, cluster, w, policies, autoscaling);
    }

    public Scenario withAutoscaling(Autoscaling a) {
        return new Scenario(name, description, seed, duration, cluster, workload, policies, a);
    }
}
