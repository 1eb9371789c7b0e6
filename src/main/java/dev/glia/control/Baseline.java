package dev.glia.control;

import java.util.Locale;

/**
 * What a canary is compared with. A pool of fewer engines is slower under the same policy (it cannot spread a burst
 * over engines it does not have), so a canary is compared with its control pool: as many engines under the stable
 * policy with the same share of arrivals. Only when the engines are too few for one is it compared with the larger
 * stable pool, which biases the verdict against the candidate (docs/adaptation.md, "The canary's baseline").
 */
public enum Baseline {
    CONTROL("its control pool (as many engines, the stable policy, the same share)"),
    STABLE("the larger stable pool (too few engines for a control pool; biased against the candidate)");

    private final String description;

    Baseline(String description) {
        this.description = description;
    }

    /** The router's {@code pool} label of the baseline's series. */
    public String pool() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** For messages: what the canary was compared with, and what that means for the verdict. */
    public String description() {
        return description;
    }

    /**
     * The baseline a canary of {@code canary} can have among {@code engines} (all the router's): a control pool needs
     * as many engines as the canary and one left to the stable pool, 2k+1 in all.
     */
    public static Baseline fitting(int engines, CanaryEngines canary) {
        return engines >= 2 * canary.size() + 1 ? CONTROL : STABLE;
    }
}
