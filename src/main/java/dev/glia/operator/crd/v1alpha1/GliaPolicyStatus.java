package dev.glia.operator.crd.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator found about a {@link GliaPolicy} and where it runs; written through the status subresource. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GliaPolicyStatus {
    @JsonPropertyDescription("The hash matches the source and the source passes the sandbox.")
    public Boolean verified;

    @JsonPropertyDescription("Why it is not verified, naming the field (e.g. spec.sha256 does not match spec.source).")
    public String reason;

    @JsonPropertyDescription("SHA-256 of the spec without approved, when first verified: a later spec that differs is refused.")
    public String specSha256;

    public Long observedGeneration;

    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("Where the policy runs.")
    public List<RolloutTarget> rolledOut = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class RolloutTarget {
        @JsonPropertyDescription("The router: its Service or URL (none for an autoscaler).")
        public String router;
        @JsonPropertyDescription("stable or canary in the router; autoscaler: the operator's autoscaling loop runs it.")
        public String pool;
        public Double share;
        public String since;
    }
}
