package dev.glia.policy.sandbox;

/**
 * Added by the instrumenter to every policy class that would otherwise inherit
 * {@link Object#hashCode()}: its identity is a number handed out in the order the policy first
 * asks for one, so hash codes and default text are the same on every run.
 */
public interface Identified {
    /** The name of the instrumenter's synthetic method; a policy may not declare members starting with $glia$. */
    String METHOD = "$glia$identity";

    int $glia$identity();
}
