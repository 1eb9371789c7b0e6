package dev.glia.policy;

/**
 * Batch scheduling as vLLM exposes it ({@code --scheduling-policy priority}): the router stamps
 * each request with an integer priority when it dispatches it; lower runs sooner and is preempted
 * later. The engine orders its waiting queue by (priority, arrival).
 */
@FunctionalInterface
public interface BatchPriority {
    int priority(RequestView request, ClusterView cluster);

    /** vLLM's default: every request equal, so the engine is first-come first-served. */
    BatchPriority FCFS = (request, cluster) -> 0;
}
