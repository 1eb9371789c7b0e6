package dev.glia.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.glia.operator.crd.v1alpha1.GliaPolicySpec;
import dev.glia.policy.sandbox.Budget;
import dev.glia.policy.sandbox.PolicySource;

/**
 * Whether a GliaPolicy may run: its {@code spec.sha256} is the SHA-256 of {@code spec.source}, the source compiles in
 * the policy sandbox, and the spec (without {@code approved}) is the one first verified. Each failure names the field.
 */
final class PolicyVerification {
    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS,
            true);

    /** The answer: verified, or why not; and the digest of the spec without approved. */
    record Result(boolean verified, String reason, String message, String specSha256) {
    }

    private PolicyVerification() {
    }

    /** @param firstSpecSha256 the digest recorded when the policy was first verified, or null */
    static Result verify(GliaPolicySpec spec, String firstSpecSha256) {
        String digest = specSha256(spec);
        if (spec.source == null || spec.className == null) {
            return new Result(false, "SourceMissing", "spec.source and spec.className are required", digest);
        }
        String actual = PolicySource.sha256(spec.source);
        if (!actual.equals(spec.sha256)) {
            return new Result(false, "HashMismatch", "spec.sha256 does not match spec.source (the source hashes to "
                    + actual + ")", digest);
        }
        try {
            PolicySource.compile(spec.className + ".java", spec.source, Budget.DEFAULT);
        } catch (RuntimeException e) {
            return new Result(false, "SandboxRefused", "spec.source fails the sandbox: " + e.getMessage(), digest);
        }
        if (firstSpecSha256 != null && !firstSpecSha256.equals(digest)) {
            return new Result(false, "SpecChanged", "spec changed after it was verified (only spec.approved may"
                    + " change): create a new GliaPolicy instead", firstSpecSha256);
        }
        return new Result(true, "Verified", "spec.sha256 matches spec.source, which passes the sandbox", digest);
    }

    /** SHA-256 of the spec without {@code approved}, keys in order. */
    static String specSha256(GliaPolicySpec spec) {
        try {
            Boolean approved = spec.approved;
            spec.approved = null;
            try {
                return PolicySource.sha256(JSON.writeValueAsString(JSON.valueToTree(spec)));
            } finally {
                spec.approved = approved;
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
