package dev.glia.control;

import dev.glia.catalog.PolicyDocument;

/**
 * What a research session found: the GliaPolicy it becomes (by name), the policy document the router will run (null
 * for an autoscaler, which the operator's autoscaling loop runs instead of the router), and the evidence it was found
 * with.
 */
public record Candidate(String policyName, PolicyDocument policy, Evidence evidence) {
    public Candidate {
        if (policyName == null || policyName.isBlank()) {
            throw new IllegalArgumentException("a candidate needs the name of its GliaPolicy");
        }
        if (evidence == null) {
            throw new IllegalArgumentException("candidate " + policyName + ": needs evidence");
        }
    }

    /** An autoscaler: nothing for the router to run. */
    public static Candidate autoscaler(String policyName, Evidence evidence) {
        return new Candidate(policyName, null, evidence);
    }

    /**
     * Whether the router runs it, and so whether it can be canaried: an autoscaler scales the whole Deployment, so a
     * share of the traffic cannot try it.
     */
    public boolean routed() {
        return policy != null;
    }
}
