package dev.glia.policy;

/**
 * Request routing: invoked on every arrival and every completion with the global queue and the
 * replicas. A router may send any subset of the queue; the rest waits (admission control).
 */
@FunctionalInterface
public interface Router {
    void route(ClusterView cluster, Dispatch dispatch);
}
