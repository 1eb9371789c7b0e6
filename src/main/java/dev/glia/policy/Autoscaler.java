package dev.glia.policy;

/**
 * A pure function from the cluster's observable state to a desired number of replicas. The
 * system starts replicas (which become ready after a cold start) or drains the least busy ones.
 */
@FunctionalInterface
public interface Autoscaler {
    int desiredReplicas(AutoscalerView view);
}
