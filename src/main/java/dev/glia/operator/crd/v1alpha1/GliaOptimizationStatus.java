package dev.glia.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * What the operator reports about a {@link GliaOptimization}, written through the status subresource.
 * {@code kubectl get gliaoptimizations} shows phase, progress, improvement and the active policy from here.
 * Conditions are Kubernetes' own ({@code type, status, reason, message, observedGeneration,
 * lastTransitionTime}); times are RFC 3339 strings.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GliaOptimizationStatus {

    @PrinterColumn(name = "Phase")
    @JsonPropertyDescription("Where the optimisation is (Pending, FittingScenario, Researching, AwaitingApproval, Canary,"
            + " Active, RolledBack, Failed).")
    public Phase phase;

    @JsonPropertyDescription("The metadata.generation this status describes.")
    public Long observedGeneration;

    public List<Condition> conditions = new ArrayList<>();

    public Progress progress;

    @JsonPropertyDescription("The best candidate against the baseline, on the held-out seeds.")
    public Best best;

    @PrinterColumn(name = "Active")
    @JsonPropertyDescription("The GliaPolicy the router runs for this optimisation.")
    public String activePolicy;

    @JsonPropertyDescription("The GliaPolicy under review or in canary.")
    public String candidatePolicy;

    @JsonPropertyDescription("The research session's Job (absent in process), so a restarted operator re-attaches to it.")
    public String researchJob;

    @JsonPropertyDescription("The scenario the research simulated.")
    public ScenarioUsed scenario;

    public DriftCheck lastDriftCheck;

    @JsonPropertyDescription("What the rollout's state machine keeps between reconciles (the operator's bookkeeping).")
    public RolloutRecord rollout;

    @JsonPropertyDescription("The running or last canary's latest verdict from the router's metrics, with its figures.")
    public CanaryVerdictRecord canaryVerdict;

    /** A canary verdict as the operator last computed it (dev.glia.control.MetricsVerdict). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class CanaryVerdictRecord {
        @JsonPropertyDescription("When it was computed (RFC 3339).")
        public String time;
        @JsonPropertyDescription("The candidate it judged.")
        public String policy;
        @JsonPropertyDescription("Promote, RollBack or Undecided (the canary runs on).")
        public String decision;
        public String reason;
        @JsonPropertyDescription("The figures it rests on: samples, each pool's statistic, their ratio, the p-value.")
        public String message;
    }

    @JsonPropertyDescription("The autoscaling loop's last tick (components.autoscaler), written by the operator's"
            + " autoscaling driver alone (its own merge patch).")
    public AutoscalingStatus autoscaling;

    /** The phases, in the order an optimisation usually passes them. */
    public enum Phase {
        Pending, FittingScenario, Researching, AwaitingApproval, Canary, Active, RolledBack, Failed
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Progress {
        @PrinterColumn(name = "Progress")
        @JsonPropertyDescription("For people: simulations used of the budget, e.g. 120/200.")
        public String summary;
        public Integer simulationsUsed;
        public Integer simulationsBudget;
        public Double dollarsUsed;
        public Double dollarsBudget;
        public String startedAt;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Best {
        public String statistic;
        public String goal;
        public String policy;
        public String baselinePolicy;
        public Double value;
        public Double baseline;
        @JsonPropertyDescription("value / baseline.")
        public Double ratio;
        @PrinterColumn(name = "Improvement")
        @JsonPropertyDescription("For people: the change against the baseline, e.g. -40.8% e2e.mean.")
        public String improvement;
        @JsonPropertyDescription("Whether the 90% confidence intervals of candidate and baseline separate.")
        public Boolean significant;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ScenarioUsed {
        public String source;
        public String name;
        public String description;
        @JsonPropertyDescription("The ConfigMap holding the scenario's YAML, when it was fitted or built for this optimisation.")
        public String configMap;
        @JsonPropertyDescription("fromMetrics: when the workload was fitted (RFC 3339).")
        public String fittedAt;
        @JsonPropertyDescription("fromMetrics: the history fitted (spec.scenario.window).")
        public String window;
        @JsonPropertyDescription("The metadata.generation the scenario was made for.")
        public Long generation;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class DriftCheck {
        @JsonPropertyDescription("When the check ran (RFC 3339).")
        public String time;
        @JsonPropertyDescription("Whether a distance passed its limit (also when cooling down or capped).")
        public Boolean drifted;
        @JsonPropertyDescription("Drifted (a research session started), Unchanged, CoolingDown, CapReached or"
                + " InsufficientData.")
        public String decision;
        @JsonPropertyDescription("The decision's CamelCase reason: WorkloadDrifted, WorkloadUnchanged, DriftCoolingDown,"
                + " DriftSessionCapReached, InsufficientRequests.")
        public String reason;
        @JsonPropertyDescription("The largest distance relative to its limit (in ln units for ratios): above 1 is past it.")
        public Double change;
        @JsonPropertyDescription("Requests that arrived in the recent window.")
        public Long requests;
        @JsonPropertyDescription("Each distance between the recent workload and the active policy's.")
        public List<DriftDistance> distances;
        @JsonPropertyDescription("Drift-triggered research sessions of the last 24 hours (RFC 3339): the cool-down and"
                + " maxSessionsPerDay are decided from them.")
        public List<String> sessions;
        public String message;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class DriftDistance {
        @JsonPropertyDescription("rate, burstiness, promptLengths or outputLengths.")
        public String name;
        @JsonPropertyDescription("The active policy's figure: arrivals per second, the gaps' cv, or the mean length in"
                + " tokens.")
        public Double reference;
        @JsonPropertyDescription("The recent window's figure.")
        public Double recent;
        @JsonPropertyDescription("rate, burstiness: recent / reference; lengths: the Kolmogorov-Smirnov distance.")
        public Double value;
        @JsonPropertyDescription("What the value had to pass: the larger of the threshold and the noise floor (a ratio"
                + " counts in either direction).")
        public Double limit;
        @JsonPropertyDescription("The configured threshold in the same units.")
        public Double threshold;
        @JsonPropertyDescription("The noise floor: what sampling alone reaches at these counts with probability 1e-4.")
        public Double noise;
        public Boolean past;
    }

    /** The rollout state machine's own fields (dev.glia.control.RolloutState) that the rest of the status does not carry. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class RolloutRecord {
        @JsonPropertyDescription("The state machine's phase: Pending, Researching, CandidateReady, AwaitingApproval, Canary,"
                + " Promoted, RolledBack, Failed.")
        public String phase;
        @JsonPropertyDescription("When the phase began (RFC 3339).")
        public String since;
        @JsonPropertyDescription("Research sessions started for this candidate.")
        public Integer attempt;
        public Boolean approved;
        public String canaryStartedAt;
        public String canaryDeadline;
        @JsonPropertyDescription("What the running canary is compared with: control (its control pool, as many engines"
                + " under the stable policy) or stable (the larger stable pool, when the engines are too few for a"
                + " control pool; biased against the candidate).")
        public String canaryBaseline;
        @JsonPropertyDescription("A router call made and not answered yet: CANARY, PROMOTE, ROLL_BACK or INSTALL.")
        public String pendingCall;
        public String pendingRetryAt;
        public Integer pendingTries;
        public String failureReason;
        public String failureMessage;
        @JsonPropertyDescription("The in-process research session's id, so that a restarted operator knows it lost it.")
        public String session;
        @JsonPropertyDescription("The glia.dev/research-request annotation's value last acted on: a new value asks for a new"
                + " research session.")
        public String researchRequest;
        @JsonPropertyDescription("Research rounds started after the first (by a research request or drift): names their"
                + " sessions and Jobs apart.")
        public Integer round;
    }

    /** What the autoscaling loop decided at its last tick (dev.glia.control.ScalingDecision) and what was done. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class AutoscalingStatus {
        @JsonPropertyDescription("The autoscaler policy in force: a GliaPolicy's name, or the bundled default's.")
        public String policy;
        @JsonPropertyDescription("direct or external (spec.autoscaling.actuation).")
        public String actuation;
        @JsonPropertyDescription("The replica count the policy wants, within minReplicas..maxReplicas.")
        public Integer desired;
        @JsonPropertyDescription("The engines counted now: ready, less draining, plus starting.")
        public Integer current;
        @JsonPropertyDescription("Scaling, ReplicasUnchanged, DesiredReplicasPublished, HpaTargetsDeployment,"
                + " NoDeploymentToScale, AutoscalerFailed, MetricsUnavailable, ...")
        public String reason;
        public String message;
        @JsonPropertyDescription("When the loop last ran (RFC 3339).")
        public String lastTick;
        @JsonPropertyDescription("Autoscaling: True while the count is applied or published, False with the reason.")
        public List<Condition> conditions = new ArrayList<>();
    }
}
