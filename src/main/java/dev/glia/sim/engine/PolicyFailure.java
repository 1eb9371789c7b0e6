package dev.glia.sim.engine;

/** A policy threw or made an impossible decision; the run stops and says which, when and why. */
public final class PolicyFailure extends RuntimeException {
    private final String component;
    private final double time;

    PolicyFailure(String component, double time, Throwable cause) {
        super(component + " failed at t=" + String.format(java.util.Locale.ROOT, "%.3f", time) + " s: "
                + describe(cause), cause);
        this.component = component;
        this.time = time;
    }

    private static String describe(Throwable cause) {
        if (cause instanceof dev.glia.policy.sandbox.PolicyError) {
            return cause.getMessage(); // already names the policy, what it did, and where
        }
        String message = dev.glia.policy.sandbox.Printable.of(cause.getMessage());
        return message == null ? cause.getClass().getSimpleName()
                : cause.getClass().getSimpleName() + ": " + message;
    }

    /** router, batchPriority or autoscaler. */
    public String component() {
        return component;
    }

    public double time() {
        return time;
    }
}
