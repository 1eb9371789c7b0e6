package dev.glia.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/**
 * The spec of a {@link GliaPolicy}, field for field what {@code dev.glia.policy.PolicyArtifact} writes, plus
 * an optional {@code reportRef}.
 *
 * <p><b>Immutable but for {@code approved}.</b> Each other field carries the CEL transition rule
 * {@code self == oldSelf} (in {@code workload} and {@code evidence}, their bounded fields), and the spec a
 * rule that no optional section appears or disappears, so the API server refuses any change to what decides
 * behaviour (kind, class, source, hash, parameters) and to the evidence's figures. Comparing unbounded
 * content would exceed the API server's CEL cost budget and get the CRD refused, so
 * {@code workload.profile} (free-form, which CEL cannot see into), {@code evidence.secondary} and
 * {@code evidence.tailRegressions} carry no rule: the operator's check covers them, and whatever a cluster
 * without CEL (before Kubernetes 1.25) lets through: {@code status.specSha256} is the digest of the spec
 * without {@code approved} when first verified, and a spec that no longer matches is refused.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.parameters) == has(oldSelf.parameters) && has(self.workload) == has(oldSelf.workload)"
        + " && has(self.evidence) == has(oldSelf.evidence) && has(self.reportRef) == has(oldSelf.reportRef)",
        message = "spec is immutable except spec.approved: create a new GliaPolicy instead")
public class GliaPolicySpec {
    static final String IMMUTABLE = "self == oldSelf";
    static final String IMMUTABLE_MESSAGE = "is immutable: create a new GliaPolicy instead";

    public enum Kind {
        @JsonProperty("router") ROUTER,
        @JsonProperty("batchPriority") BATCH_PRIORITY,
        @JsonProperty("autoscaler") AUTOSCALER
    }

    @Required
    @ValidationRule(value = IMMUTABLE, message = IMMUTABLE_MESSAGE)
    public Kind kind;

    @Required
    @Pattern("^[A-Za-z_$][A-Za-z0-9_$]*$")
    @Size(max = 255)
    @ValidationRule(value = IMMUTABLE, message = IMMUTABLE_MESSAGE)
    @JsonPropertyDescription("The policy class in source.")
    public String className;

    @Size(max = 64)
    @ValidationRule(value = IMMUTABLE, message = IMMUTABLE_MESSAGE)
    @JsonPropertyDescription("The policy's @Param values, by name.")
    public Map<String, Double> parameters;

    @Required
    @Pattern("^[0-9a-f]{64}$")
    @Size(max = 64)
    @ValidationRule(value = IMMUTABLE, message = IMMUTABLE_MESSAGE)
    @JsonPropertyDescription("SHA-256 of source (hex): the bytes that run are matched to the evidence.")
    public String sha256;

    @Required
    @Size(min = 1, max = 262144)
    @ValidationRule(value = IMMUTABLE, message = IMMUTABLE_MESSAGE)
    @JsonPropertyDescription("The policy's Java source (at most 256 KiB, the sandbox's limit).")
    public String source;

    @Default("false")
    @JsonPropertyDescription("Allows rollout. The only field that may change after creation.")
    public Boolean approved;

    @JsonPropertyDescription("The scenario and workload the policy was judged on.")
    public Workload workload;

    @JsonPropertyDescription("The candidate against the baseline on the same seeds.")
    public Evidence evidence;

    @ValidationRule(value = IMMUTABLE, message = IMMUTABLE_MESSAGE)
    @JsonPropertyDescription("The research report (Markdown) in a ConfigMap key.")
    public GliaOptimizationSpec.ConfigMapKeyRef reportRef;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Workload {
        @Required
        @Size(max = 253)
        @ValidationRule(value = IMMUTABLE, message = IMMUTABLE_MESSAGE)
        public String scenario;

        @Size(max = 4096)
        @ValidationRule(value = IMMUTABLE, message = IMMUTABLE_MESSAGE)
        public String description;

        @PreserveUnknownFields
        @JsonPropertyDescription("Arrival process, lengths, the runs' mean prompt and output tokens and rate, the cluster.")
        public JsonNode profile;
    }

    public enum Goal {
        @JsonProperty("minimize") MINIMIZE,
        @JsonProperty("maximize") MAXIMIZE
    }

    /** Candidate against baseline on the same seeds (held out from the search, which ran on searchSeeds). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Evidence {
        @Required
        @Pattern(GliaOptimizationSpec.STATISTIC)
        @Size(max = 64)
        @ValidationRule(value = IMMUTABLE, message = IMMUTABLE_MESSAGE)
        public String metric;

        @Required
        @ValidationRule(value = IMMUTABLE, message = IMMUTABLE_MESSAGE)
        public Goal goal;

        @Required
        @Size(min = 1, max = 1000)
        @ValidationRule(value = IMMUTABLE, message = IMMUTABLE_MESSAGE)
        public List<Long> seeds;

        @Size(max = 1000)
        @ValidationRule(value = IMMUTABLE, message = IMMUTABLE_MESSAGE)
        public List<Long> searchSeeds;

        @Required
        @ValidationRule(value = IMMUTABLE, message = IMMUTABLE_MESSAGE)
        public Result baseline;

        @Required
        @ValidationRule(value = IMMUTABLE, message = IMMUTABLE_MESSAGE)
        public Result candidate;

        @Required
        @JsonPropertyDescription("candidate mean / baseline mean.")
        @ValidationRule(value = IMMUTABLE, message = IMMUTABLE_MESSAGE)
        public Double ratio;

        @Required
        @JsonPropertyDescription("Whether the 90% confidence intervals separate in the goal's direction.")
        @ValidationRule(value = IMMUTABLE, message = IMMUTABLE_MESSAGE)
        public Boolean significant;

        @Size(max = 128)
        @JsonPropertyDescription("Other figures, candidate and '<figure> (baseline)'.")
        public Map<String, Result> secondary;

        @Size(max = 64)
        @JsonPropertyDescription("Every tail the candidate makes more than 10% worse, in words.")
        public List<String> tailRegressions;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Result {
        @Required
        @Size(max = 253)
        public String policy;

        @Required
        public Double mean;

        @Size(min = 2, max = 2)
        @JsonPropertyDescription("The 90% bootstrap confidence interval [low, high].")
        public List<Double> ci90;
    }
}
