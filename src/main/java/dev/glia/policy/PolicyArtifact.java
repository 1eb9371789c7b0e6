package dev.glia.policy;

import java.util.List;
import java.util.Map;

/**
 * A policy with its evidence, shaped as the {@code GliaPolicy} Kubernetes object
 * ({@code glia.dev/v1alpha1}): immutable, reviewable and appliable like any manifest;
 * {@code spec.approved} gates rollout.
 */
public record PolicyArtifact(String apiVersion, String kind, Metadata metadata, Spec spec) {
    public static final String API_VERSION = "glia.dev/v1alpha1";
    public static final String KIND = "GliaPolicy";

    public record Metadata(String name, Map<String, String> labels, Map<String, String> annotations) {
    }

    /**
     * @param kind       router, batchPriority or autoscaler
     * @param className  the policy class in {@code source}
     * @param sha256     of {@code source}, so the bytes that run can be matched to the evidence
     */
    public record Spec(String kind, String className, Map<String, Double> parameters, String sha256, String source,
                       boolean approved, Workload workload, Evidence evidence) {
    }

    /** The scenario and workload the policy was judged on. */
    public record Workload(String scenario, String description, Map<String, Object> profile) {
    }

    /**
     * Candidate against baseline on the same seeds (held out from the search that found the candidate,
     * which ran on {@code searchSeeds}): mean and 90% bootstrap CI of the metric, other figures, and
     * the tails the candidate made more than 10% worse.
     */
    public record Evidence(String metric, String goal, List<Long> seeds, List<Long> searchSeeds, Result baseline,
                           Result candidate, double ratio, boolean significant, Map<String, Result> secondary,
                           List<String> tailRegressions) {
    }

    public record Result(String policy, double mean, List<Double> ci90) {
    }
}
