package dev.glia.sim.engine;

import java.util.random.RandomGenerator;

/** Where requests come from: a fixed list of arrivals, or users who wait for each answer. */
public sealed interface Workload {

    /** Open loop: request i arrives at {@code arrivals[i]} (non-decreasing) whatever the cluster does. */
    record OpenLoop(double[] arrivals, int[] prompts, int[] outputs) implements Workload {
        public OpenLoop {
            if (arrivals.length != prompts.length || arrivals.length != outputs.length) {
                throw new IllegalArgumentException("arrivals, prompts and outputs differ in length");
            }
        }

        public int size() {
            return arrivals.length;
        }
    }

    /**
     * Closed loop: {@code users} users each send a request, wait for its completion, think, and send
     * the next, until {@code duration} seconds have passed.
     */
    record ClosedLoop(int users, double thinkSeconds, double duration, Lengths lengths) implements Workload {
    }

    /** Draws a request's (prompt, output) lengths. */
    interface Lengths {
        /** Fills {@code into[0]} with the prompt and {@code into[1]} with the output length. */
        void sample(RandomGenerator random, int[] into);
    }
}
