/**
 * The decisions of the control plane in plain Java, free of Kubernetes, Quarkus and HTTP: the rollout of a
 * candidate policy ({@link dev.glia.control.Rollout}, a pure function from a state, an event and the time to the next
 * state and the actions the reconciler takes), the canary verdict it asks for ({@link dev.glia.control.CanaryVerdict};
 * on the router's metrics {@link dev.glia.control.MetricsVerdict} over {@link dev.glia.control.CanaryJudgement}), the
 * autoscaling loop ({@link dev.glia.control.AutoscalingLoop} over an {@link dev.glia.control.ObservedCluster}), the
 * drift check ({@link dev.glia.control.DriftCheck}: the recent workload fitted from Prometheus against the active
 * policy's, and whether to research again),
 * and the router's admin API as the operator needs it ({@link dev.glia.control.RouterAdmin}; the HTTP client is an
 * adapter in {@code dev.glia.operator.router}). Reconcilers read the world, ask this package, and write the world.
 */
package dev.glia.control;
