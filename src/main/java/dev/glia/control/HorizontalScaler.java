package dev.glia.control;

/**
 * A HorizontalPodAutoscaler seen in the namespace, as far as the autoscaling loop needs it: its name and its
 * {@code spec.scaleTargetRef}. KEDA's ScaledObjects show up here too, through the HPA KEDA creates for each
 * ({@code keda-hpa-<name>}).
 */
public record HorizontalScaler(String name, String targetKind, String targetName) {
    public HorizontalScaler {
        if (name == null || targetKind == null || targetName == null) {
            throw new IllegalArgumentException("a HorizontalPodAutoscaler needs a name and a scaleTargetRef kind and name");
        }
    }

    /** Whether it scales the Deployment {@code deployment}. */
    public boolean targets(String deployment) {
        return "Deployment".equals(targetKind) && targetName.equals(deployment);
    }
}
