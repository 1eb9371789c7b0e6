package dev.glia.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/**
 * The spec of a {@link GliaOptimization}: target, objective, components, scenario, research, rollout, drift
 * and autoscaling. Public fields, as the YAML reads: a plain shape for Jackson and the CRD generator.
 * Types, enums, ranges, required fields and defaults are in the generated schema; the rules that relate two
 * fields (exactly one of, at least one of, min &lt;= max) are CEL rules ({@code x-kubernetes-validations})
 * that the API server evaluates.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GliaOptimizationSpec {
    /** A Go-style duration as Kubernetes and Prometheus write them: 90s, 15m, 1h30m. */
    static final String DURATION = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";
    /** A statistic of a run as the simulator names it (dev.glia.sim.metrics.RunSummary): a latency and its statistic, or a run-wide figure. */
    static final String STATISTIC = "^((e2e|ttft|tpot|queueDelay|slowdown)\\.(mean|p50|p90|p95|p99)"
            + "|throughput|outputTokensPerSecond|gpuHours|restartedFraction|restartsPerRequest|wastedTokens|peakReplicas)$";
    /** A Kubernetes object name (DNS-1123 subdomain). */
    static final String NAME = "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$";

    @Required
    @JsonPropertyDescription("What is optimised: the Glia router, the vLLM engines behind it, and the Prometheus that scrapes both.")
    public Target target;

    @Required
    @JsonPropertyDescription("The statistic to minimise or maximise, and the constraints a candidate must meet.")
    public Objective objective;

    @Default("{}")
    @JsonPropertyDescription("Which policies to design (default: the router's).")
    public Components components;

    @Default("{}")
    @JsonPropertyDescription("The workload and cluster the research simulates (default: fitted from live metrics).")
    public Scenario scenario;

    @Default("{}")
    @JsonPropertyDescription("How the policy is searched for, and the budgets of the search.")
    public Research research;

    @Default("{}")
    @JsonPropertyDescription("How a verified candidate reaches production.")
    public Rollout rollout;

    @Default("{}")
    @JsonPropertyDescription("When the workload has moved away from the one the active policy was fitted to, research again.")
    public Drift drift;

    @JsonPropertyDescription("Who applies an autoscaler policy's replica counts (only with components.autoscaler).")
    public Autoscaling autoscaling;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Target {
        @Required
        public RouterTarget router;
        @Required
        public EngineTarget engines;
        @Required
        public PrometheusTarget prometheus;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "has(self.service) != has(self.url)", message = "give exactly one of service and url")
    public static class RouterTarget {
        @Pattern(NAME)
        @JsonPropertyDescription("The router's Service in this namespace.")
        public String service;

        @Pattern("^https?://.+")
        @JsonPropertyDescription("The router's base URL, for a router outside the cluster or namespace (instead of service).")
        public String url;

        @Min(1)
        @Max(65535)
        @Default("8080")
        @JsonPropertyDescription("The OpenAI-compatible port (glia router --port).")
        public Integer port;

        @Min(1)
        @Max(65535)
        @Default("8081")
        @JsonPropertyDescription("The admin API's port (glia router --admin-port): policies and canaries go through it.")
        public Integer adminPort;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "has(self.deployment) != has(self.selector)",
            message = "give exactly one of deployment and selector")
    public static class EngineTarget {
        @Pattern(NAME)
        @JsonPropertyDescription("The vLLM Deployment in this namespace.")
        public String deployment;

        @JsonPropertyDescription("The engine pods' labels (as the router's --selector), instead of deployment.")
        public LabelSelector selector;

        @Min(0.001)
        @Max(1000)
        @Default("1")
        @JsonPropertyDescription("Model seconds per wall-clock second of the engines: glia engine's --time-scale for"
                + " emulated engines, 1 for vLLM. Rates read from Prometheus are divided by it and the autoscaling"
                + " interval is in model time.")
        public Double timeScale;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PrometheusTarget {
        @Required
        @Pattern("^https?://.+")
        @JsonPropertyDescription("Prometheus' base URL, e.g. http://prometheus-operated.monitoring:9090.")
        public String url;
    }

    public enum Goal {
        @JsonProperty("minimize") MINIMIZE,
        @JsonProperty("maximize") MAXIMIZE
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Objective {
        @Required
        @Pattern(STATISTIC)
        @JsonPropertyDescription("The statistic judged, e.g. e2e.mean, e2e.p99, ttft.p90, throughput.")
        public String statistic;

        @Default("minimize")
        public Goal goal;

        @Size(max = 16)
        @JsonPropertyDescription("Bounds a candidate must keep, e.g. ttft.p99 at most 2 s.")
        public List<Constraint> constraints;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "has(self.max) || has(self.min)", message = "a constraint needs max or min")
    public static class Constraint {
        @Required
        @Pattern(STATISTIC)
        public String statistic;
        @JsonPropertyDescription("The most the statistic may be (seconds for latencies).")
        public Double max;
        @JsonPropertyDescription("The least the statistic may be.")
        public Double min;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "self.router || self.batchPriority || self.autoscaler",
            message = "choose at least one of router, batchPriority and autoscaler")
    public static class Components {
        @Default("true")
        @JsonPropertyDescription("Design the router's policy (which engine serves each request, and when).")
        public Boolean router;

        @Default("false")
        @JsonPropertyDescription("Design the batch priority (vLLM's priority; the engines need --scheduling-policy priority).")
        public Boolean batchPriority;

        @Default("false")
        @JsonPropertyDescription("Design the autoscaler (replica counts; see autoscaling.actuation).")
        public Boolean autoscaler;
    }

    public enum ScenarioSource {
        @JsonProperty("fromMetrics") FROM_METRICS,
        @JsonProperty("trace") TRACE,
        @JsonProperty("synthetic") SYNTHETIC
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "self.source != 'trace' || has(self.trace)", message = "source trace needs trace")
    @ValidationRule(value = "self.source != 'synthetic' || has(self.synthetic)",
            message = "source synthetic needs synthetic")
    public static class Scenario {
        @Default("fromMetrics")
        @JsonPropertyDescription("fromMetrics: fitted from the engines' and router's Prometheus series; trace: a recorded"
                + " trace; synthetic: a bundled scenario (glia scenarios).")
        public ScenarioSource source;

        @Pattern(DURATION)
        @Default("1h")
        @JsonPropertyDescription("fromMetrics: how much history the workload is fitted to.")
        public String window;

        @JsonPropertyDescription("trace: the ConfigMap key holding the trace (CSV: arrival time, prompt and output tokens).")
        public ConfigMapKeyRef trace;

        @JsonPropertyDescription("synthetic: the bundled scenario, e.g. glia-sharegpt-a10.")
        public SyntheticScenario synthetic;

        @JsonPropertyDescription("What cannot be read from the cluster: the GPU and the model of the engines.")
        public Hardware hardware;

        @Min(10)
        @Max(86400)
        @Default("1000")
        @JsonPropertyDescription("Seconds of simulated time per run.")
        public Integer duration;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SyntheticScenario {
        @Required
        @Pattern("^[a-z0-9][-a-z0-9.]*$")
        public String name;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Hardware {
        @Pattern("^[a-z0-9][-a-z0-9]*$")
        @JsonPropertyDescription("A GPU of simulator/hardware/gpus.yaml, e.g. a10, l4, a100-80g, h100.")
        public String gpu;

        @Pattern("^[a-z0-9][-a-z0-9.]*$")
        @JsonPropertyDescription("A model of simulator/hardware/models.yaml, e.g. llama-3-8b.")
        public String model;

        @Min(1)
        @Max(8)
        @JsonPropertyDescription("GPUs per engine (vLLM's --tensor-parallel-size).")
        public Integer tensorParallel;
    }

    public enum Strategy {
        @JsonProperty("glia") GLIA,
        @JsonProperty("tuner") TUNER,
        @JsonProperty("evolve") EVOLVE,
        @JsonProperty("bestOfN") BEST_OF_N
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "self.strategy == 'tuner' || has(self.model)",
            message = "the LLM strategies (glia, evolve, bestOfN) need a model")
    public static class Research {
        @Default("tuner")
        @JsonPropertyDescription("tuner: parameter search, no LLM; glia: Researcher + Supervisor; evolve; bestOfN.")
        public Strategy strategy;

        @JsonPropertyDescription("The LLM's model name (LLM strategies).")
        public String model;

        @Pattern("^https?://.+")
        @JsonPropertyDescription("An OpenAI-compatible endpoint (default: OpenAI's).")
        public String baseUrl;

        @JsonPropertyDescription("The Secret key holding the LLM's API key; given to the research Job alone.")
        public SecretKeyRef apiKeySecretRef;

        @Min(1)
        @Max(16)
        @Default("1")
        @JsonPropertyDescription("glia: research contexts (glia optimize --contexts).")
        public Integer contexts;

        @Default("{}")
        public Budgets budgets;

        @Default("false")
        @JsonPropertyDescription("Run the session inside the operator instead of a Job (small clusters, tests).")
        public Boolean inProcess;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Budgets {
        @Min(1)
        @Max(100000)
        @Default("200")
        @JsonPropertyDescription("Simulations (one seed each) at most.")
        public Integer simulations;

        @Min(0)
        @Max(10000)
        @Default("5")
        @JsonPropertyDescription("Dollars of LLM tokens at most.")
        public Double dollars;

        @Pattern(DURATION)
        @Default("1h")
        @JsonPropertyDescription("Wall-clock time at most.")
        public String wallClock;
    }

    public enum RolloutMode {
        @JsonProperty("manual") MANUAL,
        @JsonProperty("auto") AUTO,
        @JsonProperty("gitops") GITOPS
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Rollout {
        @Default("manual")
        @JsonPropertyDescription("manual: wait for spec.approved on the GliaPolicy; auto: approve a verified candidate;"
                + " gitops: write candidates unapproved, approval comes through Git.")
        public RolloutMode mode;

        @Min(0.01)
        @Max(0.9)
        @Default("0.25")
        @JsonPropertyDescription("Share of traffic the canary pool receives.")
        public Double canaryShare;

        @Min(1)
        @JsonPropertyDescription("Engines in the canary pool (default: enough for canaryShare; one at least stays stable).")
        public Integer canaryEngines;

        @Pattern(DURATION)
        @Default("15m")
        @JsonPropertyDescription("How long the canary runs before the verdict.")
        public String canaryDuration;

        @Size(max = 16)
        @JsonPropertyDescription("Canary against stable: a guardrail crossed rolls the canary back.")
        public List<Guardrail> guardrails;

        @Default("{}")
        @JsonPropertyDescription("How much evidence the canary's verdict on the router's metrics needs, and how often it"
                + " looks (docs/adaptation.md, \"The canary verdict\").")
        public Verdict verdict;
    }

    /** The defaults are {@code CanaryCriteria.of}'s (CanarySpecsTest holds them equal). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Verdict {
        @Min(1)
        @Max(10000000)
        @Default("200")
        @JsonPropertyDescription("Observations each pool needs in the objective's histogram before anything is decided;"
                + " at the deadline, fewer roll the canary back (InsufficientSamples).")
        public Integer minSamples;

        @Min(2)
        @Max(1000)
        @Default("5")
        @JsonPropertyDescription("Paired blocks of slices (each with enough observations in both pools) needed before"
                + " anything is decided.")
        public Integer minSlices;

        @Min(0.000001)
        @Max(0.2)
        @Default("0.001")
        @JsonPropertyDescription("Significance level of every decisive look, the deadline's included: a rollback or a"
                + " promotion needs p below it. Lower: fewer false rollbacks, slower decisions.")
        public Double alpha;

        @Min(0)
        @Max(1)
        @Default("0.05")
        @JsonPropertyDescription("How much worse the objective may be before the canary is rolled back for it (0.05:"
                + " significantly more than 5% worse).")
        public Double objectiveMargin;

        @Min(0)
        @Max(1)
        @Default("0.01")
        @JsonPropertyDescription("How much higher the canary's error rate may be than the stable pool's, absolute"
                + " (0.01: 1 percentage point).")
        public Double errorRateMargin;

        @Pattern(DURATION)
        @JsonPropertyDescription("The slice the router's metrics are judged by, one look per slice, whole seconds and at"
                + " least twice the router's scrape interval (default: the operator's --canary-slice-seconds, 30s).")
        public String sliceDuration;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Guardrail {
        @Required
        @Pattern(STATISTIC)
        public String statistic;

        @Required
        @Min(1)
        @Max(10)
        @JsonPropertyDescription("The most the canary's statistic may be, as a multiple of the stable pool's (1.1 = 10% worse).")
        public Double maxRatio;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Drift {
        @Default("true")
        @JsonPropertyDescription("Whether the live workload is checked for drift at all.")
        public Boolean enabled;

        @Pattern(DURATION)
        @Default("10m")
        @JsonPropertyDescription("How often the live workload is compared with the active policy's.")
        public String interval;

        @Pattern(DURATION)
        @JsonPropertyDescription("How much recent history each check fits from Prometheus (default: the interval).")
        public String window;

        @Min(0.01)
        @Max(10)
        @Default("0.25")
        @JsonPropertyDescription("Relative change of the arrival rate that counts as drift: |ln(rate / reference)| >"
                + " ln(1 + threshold).")
        public Double threshold;

        @Min(0.05)
        @Max(100)
        @Default("1.0")
        @JsonPropertyDescription("Relative change of burstiness (the coefficient of variation of the gaps between"
                + " arrivals: Poisson 1) that counts as drift, the same way.")
        public Double burstinessThreshold;

        @Min(0.01)
        @Max(0.99)
        @Default("0.1")
        @JsonPropertyDescription("Kolmogorov-Smirnov distance between the reference's and the recent prompt (or output)"
                + " length distributions that counts as drift (0.1 is about a 25% shift of a typical length).")
        public Double lengthDistance;

        @Pattern(DURATION)
        @Default("6h")
        @JsonPropertyDescription("Least time between two drift-triggered research sessions.")
        public String coolDown;

        @Min(0)
        @Max(96)
        @Default("3")
        @JsonPropertyDescription("Drift-triggered research sessions at most in any 24 hours (0: detect and report only).")
        public Integer maxSessionsPerDay;

        @Min(2)
        @Max(10000000)
        @Default("200")
        @JsonPropertyDescription("Fewer requests (arrived, or completed) in the window and a check decides nothing.")
        public Integer minRequests;
    }

    public enum Actuation {
        @JsonProperty("direct") DIRECT,
        @JsonProperty("external") EXTERNAL
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas",
            message = "minReplicas exceeds maxReplicas")
    public static class Autoscaling {
        @Default("external")
        @JsonPropertyDescription("direct: the operator scales the engines' Deployment; external: it publishes the desired"
                + " replicas (status and a metric) for an HPA or KEDA to act on.")
        public Actuation actuation;

        @Min(0)
        @Max(1000)
        public Integer minReplicas;

        @Min(1)
        @Max(1000)
        public Integer maxReplicas;

        @Pattern(DURATION)
        @Default("30s")
        @JsonPropertyDescription("How often the autoscaler policy is asked (the view's interval and the rate windows of"
                + " its queries), in model time.")
        public String interval;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SecretKeyRef {
        @Required
        @Pattern(NAME)
        public String name;
        @Required
        @Pattern("^[-._a-zA-Z0-9]+$")
        @Size(max = 253)
        public String key;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ConfigMapKeyRef {
        @Required
        @Pattern(NAME)
        public String name;
        @Required
        @Pattern("^[-._a-zA-Z0-9]+$")
        @Size(max = 253)
        public String key;
    }
}
