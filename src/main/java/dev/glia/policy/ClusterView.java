package dev.glia.policy;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The state a router sees when it is invoked: on every arrival and every completion, and after
 * every scrape of the engines' metrics that finds the global queue non-empty.
 */
public interface ClusterView {
    /** Seconds since the start of the run. */
    double now();

    /** Replicas that are ready, in id order (draining ones report {@code accepting() == false}). */
    List<? extends ReplicaView> replicas();

    /** The global queue held by the router, in arrival order. */
    List<? extends RequestView> queue();

    /** The only randomness a policy may use: seeded by the run, so runs are reproducible. */
    RandomGenerator random();
}
