package dev.glia.policy.runtime;

/** Hears every fallback in the router's mode: for its metrics and its log. */
@FunctionalInterface
public interface FallbackListener {
    /** {@code failure} names the component, the time and the reason; {@code to} what runs instead. */
    void fellBack(PolicyFailure failure, Fallback to);
}
