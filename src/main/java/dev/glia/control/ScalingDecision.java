package dev.glia.control;

/**
 * What one tick of the autoscaling loop decides: the policy's answer, the desired count it becomes within
 * {@code [minReplicas, maxReplicas]}, and what the operator does with it.
 *
 * @param answer    what the policy returned (or the count held when it failed)
 * @param desired   {@code answer} clamped to {@code [minReplicas, maxReplicas]}, as the simulator clamps it
 * @param actuation what the operator does: scale the Deployment, publish the count, or nothing (refused)
 * @param reason    CamelCase, for the {@code Autoscaling} condition and events
 * @param message   the figures, for people
 */
public record ScalingDecision(int answer, int desired, Actuation actuation, String reason, String message) {

    public ScalingDecision {
        if (actuation == null || reason == null || !reason.matches("[A-Z][A-Za-z0-9]*")) {
            throw new IllegalArgumentException("a scaling decision needs an actuation and a CamelCase reason, got "
                    + reason);
        }
    }

    /** What the operator does with the desired count. */
    public sealed interface Actuation {
        /** {@code direct}: set the Deployment's replicas through its scale subresource (when they differ). */
        record ScaleDeployment(String deployment, int replicas) implements Actuation {
        }

        /** {@code external}: export the count as the gauge {@code glia_autoscaler_desired_replicas} for an HPA or KEDA. */
        record Publish(int replicas) implements Actuation {
        }

        /** Nothing is scaled: {@code direct} was refused (another controller scales the Deployment, or none is named). */
        record Refused() implements Actuation {
        }
    }
}
