package dev.glia.control;

import dev.glia.catalog.PolicyDocument;

/**
 * What a research session found: the GliaPolicy it becomes (by name), the policy document the router will run, and
 * the evidence it was found with.
 */
public record Candidate(String policyName, PolicyDocument policy, Evidence evidence) {
    public Candidate {
        if (policyName == null || policyName.isBlank()) {
            throw new IllegalArgumentException("a candidate needs the name of its GliaPolicy");
        }
        if (policy == null || evidence == null) {
            throw new IllegalArgumentException("candidate " + policyName + ": needs a policy document and evidence");
        }
    }
}
