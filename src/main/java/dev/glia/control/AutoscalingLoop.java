package dev.glia.control;

import dev.glia.policy.Autoscaler;
import dev.glia.policy.runtime.OnFailure;
import dev.glia.policy.runtime.PolicyFailure;
import dev.glia.policy.runtime.PolicyRuntime;
import java.util.List;
import java.util.Locale;

/**
 * One autoscaler policy run by the control plane at its interval: each {@link #step} asks the policy for a replica
 * count through the same {@link PolicyRuntime} the simulator calls it through (containment: a policy that throws,
 * overruns its budget or answers a negative count is reported, and the count held from then on, as the router's mode
 * does), clamps the answer to {@code [minReplicas, maxReplicas]} as the simulator does, and decides the actuation:
 * {@code external} publishes the count; {@code direct} scales the Deployment, unless a HorizontalPodAutoscaler already
 * targets it (two controllers on one Deployment fight) or the engines are named by a selector, not a Deployment.
 *
 * <p>One loop per GliaOptimization, kept across ticks (a policy keeps state between calls: a cooldown, a smoothed
 * load); a new policy or a restart starts a new loop, as a new simulation run does. One thread at a time steps a loop
 * (a sandboxed policy refuses a second one).
 */
public final class AutoscalingLoop {
    /** Who applies the count: {@code spec.autoscaling.actuation}. */
    public enum Actuation { DIRECT, EXTERNAL }

    private final PolicyRuntime<?, ?> runtime;
    private final Actuation actuation;
    private final String deployment;
    private PolicyFailure failure;

    /**
     * @param autoscaler the policy (a built-in or a compiled, sandboxed one: {@code PolicyCatalog.autoscaler})
     * @param deployment the engines' Deployment ({@code spec.target.engines.deployment}), or null with a selector
     */
    public AutoscalingLoop(Autoscaler autoscaler, Actuation actuation, String deployment) {
        if (autoscaler == null || actuation == null) {
            throw new IllegalArgumentException("an autoscaling loop needs a policy and an actuation");
        }
        this.actuation = actuation;
        this.deployment = deployment;
        this.runtime = new PolicyRuntime<>(null, null, null, null, false, autoscaler,
                OnFailure.fallBack((failed, to) -> failure = failed));
    }

    /**
     * One tick.
     *
     * @param view        the cluster as observed now
     * @param autoscalers the HorizontalPodAutoscalers in the Deployment's namespace
     */
    public ScalingDecision step(ObservedCluster view, List<HorizontalScaler> autoscalers) {
        PolicyFailure before = failure;
        int answer = runtime.desiredReplicas(view);
        int desired = Math.max(view.minReplicas(), Math.min(view.maxReplicas(), answer));
        int current = view.replicas().size() - view.draining() + view.starting();
        String figures = String.format(Locale.ROOT, "%d replicas desired (policy: %d, within %d..%d), %d now (%d"
                + " ready, %d starting, %d draining); %.3g arrivals/s, %d queued", desired, answer, view.minReplicas(),
                view.maxReplicas(), current, view.replicas().size(), view.starting(), view.draining(),
                view.arrivalRate(), view.queued());
        if (failure != null) {
            figures += "; the policy failed" + (failure == before ? " earlier" : "") + " and the count is held: "
                    + failure.getMessage();
        }
        if (actuation == Actuation.EXTERNAL) {
            return new ScalingDecision(answer, desired, new ScalingDecision.Actuation.Publish(desired),
                    failure == null ? "DesiredReplicasPublished" : "AutoscalerFailed", figures
                    + "; published as glia_autoscaler_desired_replicas");
        }
        if (deployment == null) {
            return new ScalingDecision(answer, desired, new ScalingDecision.Actuation.Refused(), "NoDeploymentToScale",
                    "autoscaling.actuation direct scales a Deployment, and target.engines names a selector; name the"
                            + " Deployment or set autoscaling.actuation: external. " + figures);
        }
        for (HorizontalScaler hpa : autoscalers) {
            if (hpa.targets(deployment)) {
                String keda = hpa.name().startsWith("keda-hpa-") ? " (KEDA's, for ScaledObject "
                        + hpa.name().substring("keda-hpa-".length()) + ")" : "";
                return new ScalingDecision(answer, desired, new ScalingDecision.Actuation.Refused(),
                        "HpaTargetsDeployment", "HorizontalPodAutoscaler " + hpa.name() + keda + " already scales"
                                + " Deployment " + deployment + "; direct actuation refused so as not to fight it:"
                                + " delete it, or set autoscaling.actuation: external and let it follow"
                                + " glia_autoscaler_desired_replicas. " + figures);
            }
        }
        return new ScalingDecision(answer, desired, new ScalingDecision.Actuation.ScaleDeployment(deployment, desired),
                failure != null ? "AutoscalerFailed" : desired == current ? "ReplicasUnchanged" : "Scaling",
                figures + "; Deployment " + deployment + " scaled to " + desired);
    }
}
