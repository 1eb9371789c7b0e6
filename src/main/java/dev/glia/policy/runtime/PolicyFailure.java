package dev.glia.policy.runtime;

import dev.glia.policy.sandbox.PolicyError;
import dev.glia.policy.sandbox.Printable;
import java.util.Locale;

/**
 * A hosted policy threw, overran its budget or made an impossible decision: which component, when
 * and why, in one type whatever the cause. The simulator stops the run with it; the router falls
 * back and reports it.
 */
public class PolicyFailure extends RuntimeException {
    private final String component;
    private final double time;

    public PolicyFailure(String component, double time, Throwable cause) {
        super(component + " failed at t=" + String.format(Locale.ROOT, "%.3f", time) + " s: " + describe(cause), cause);
        this.component = component;
        this.time = time;
    }

    private static String describe(Throwable cause) {
        if (cause instanceof PolicyError) {
            return cause.getMessage(); // already names the policy, what it did, and where
        }
        String message = Printable.of(cause.getMessage());
        return message == null ? cause.getClass().getSimpleName()
                : cause.getClass().getSimpleName() + ": " + message;
    }

    /** router, batch priority or autoscaler. */
    public String component() {
        return component;
    }

    /** When it failed, in the host's clock (seconds). */
    public double time() {
        return time;
    }
}
