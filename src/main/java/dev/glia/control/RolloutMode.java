package dev.glia.control;

import java.util.Locale;

/** How an approved candidate is reached: {@code spec.rollout.mode} of a GliaOptimization. */
public enum RolloutMode {
    /** The candidate waits for a person to set {@code spec.approved: true} on its GliaPolicy. */
    MANUAL,
    /** The candidate approves itself when its evidence beats the baseline, then canary, then promote or roll back. */
    AUTO,
    /** The operator never approves; approval arrives through Git (an Argo CD or Flux sync of a reviewed file). */
    GITOPS;

    /** {@code manual}, {@code auto} or {@code gitops}, as the spec spells them. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The spec's spelling to the mode; an IllegalArgumentException names the accepted values. */
    public static RolloutMode parse(String value) {
        for (RolloutMode m : values()) {
            if (m.value().equals(value)) {
                return m;
            }
        }
        throw new IllegalArgumentException("rollout.mode: expected manual, auto or gitops, got " + value);
    }
}
