package dev.glia.control;

import java.util.List;

/**
 * What {@code GET /admin/policy} shows: each pool (stable; canary and, if asked for, control while a canary runs) with
 * its policy and engines.
 */
public record RouterState(List<Pool> pools) {

    public RouterState {
        pools = List.copyOf(pools);
    }

    /**
     * One pool.
     *
     * @param share the canary's or the control's share of arrivals; NaN for the stable pool
     */
    public record Pool(String pool, String policyName, String policyHash, List<Engine> engines, int queued,
            double share) {
        public Pool {
            engines = List.copyOf(engines);
        }
    }

    public record Engine(int id, String url, boolean accepting, int inflight) {
    }

    /** The pool named {@code name} ({@code stable}, {@code canary} or {@code control}), or null. */
    public Pool pool(String name) {
        return pools.stream().filter(p -> p.pool().equals(name)).findFirst().orElse(null);
    }

    public boolean canaryRuns() {
        return pool("canary") != null;
    }

    /** What a running canary is compared with: its control pool when it has one, else the stable pool. */
    public Baseline baseline() {
        return pool(Baseline.CONTROL.pool()) != null ? Baseline.CONTROL : Baseline.STABLE;
    }

    /** The router's engines, in every pool. */
    public int engines() {
        return pools.stream().mapToInt(p -> p.engines().size()).sum();
    }
}
