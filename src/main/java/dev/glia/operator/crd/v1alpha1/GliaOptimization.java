package dev.glia.operator.crd.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * What to optimise and how: the user's entry point ({@code kubectl apply -f k8s-examples/optimization.yaml}).
 * The operator fits a scenario, runs a research session within the spec's budgets, writes the winner as a
 * {@link GliaPolicy}, and rolls it out as the spec's rollout mode says. The status subresource is enabled:
 * the operator writes {@code status} through it, users write {@code spec}.
 */
@Group(GliaOptimization.GROUP)
@Version(GliaOptimization.VERSION)
@ShortNames("gopt")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class GliaOptimization extends CustomResource<GliaOptimizationSpec, GliaOptimizationStatus>
        implements Namespaced {
    public static final String GROUP = "glia.dev";
    public static final String VERSION = "v1alpha1";
}
