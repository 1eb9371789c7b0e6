package dev.glia.operator.crd.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A policy with its evidence: immutable once created (only {@code spec.approved} may change, see
 * {@link GliaPolicySpec}), versioned by its name and its source's SHA-256. What {@code glia optimize} and
 * {@code glia policy evaluate} write ({@code dev.glia.policy.PolicyArtifact}) applies as is;
 * {@code spec.approved} gates rollout. The status subresource is enabled.
 */
@Group(GliaOptimization.GROUP)
@Version(GliaOptimization.VERSION)
@ShortNames("gpol")
@AdditionalPrinterColumn(name = "Kind", jsonPath = ".spec.kind", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Approved", jsonPath = ".spec.approved", type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Verified", jsonPath = ".status.verified", type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Ratio", jsonPath = ".spec.evidence.ratio", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class GliaPolicy extends CustomResource<GliaPolicySpec, GliaPolicyStatus> implements Namespaced {
}
