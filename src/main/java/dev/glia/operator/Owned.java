package dev.glia.operator;

import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the operator writes on an optimisation's behalf: metadata that makes an object the optimisation's (labelled
 * with it, owned by it as controller, so garbage-collected with it), and core/v1 Events about it. One place, so
 * that every reconciler and driver writes them alike.
 */
final class Owned {
    private static final AtomicLong EVENTS = new AtomicLong();

    private Owned() {
    }

    /** {@code name} in the optimisation's namespace, labelled with it and owned by it. */
    static ObjectMeta metadata(GliaOptimization o, String name) {
        return new ObjectMetaBuilder().withName(name).withNamespace(o.getMetadata().getNamespace())
                .addToLabels(OptimizationReconciler.OPTIMIZATION_LABEL, o.getMetadata().getName())
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(o.getApiVersion())
                        .withKind(o.getKind()).withName(o.getMetadata().getName())
                        .withUid(o.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true)
                        .build())
                .build();
    }

    /** A core/v1 Event on the optimisation; a message over 1,000 characters is cut and says so. */
    static void event(KubernetesClient client, GliaOptimization o, String type, String reason, String message,
            Instant now) {
        String ns = o.getMetadata().getNamespace();
        String time = now.toString();
        client.v1().events().inNamespace(ns).resource(new EventBuilder()
                .withNewMetadata().withName(o.getMetadata().getName() + "." + Long.toHexString(now.toEpochMilli())
                        + "." + EVENTS.incrementAndGet()).withNamespace(ns).endMetadata()
                .withNewInvolvedObject().withApiVersion(o.getApiVersion()).withKind(o.getKind())
                .withName(o.getMetadata().getName()).withNamespace(ns).withUid(o.getMetadata().getUid())
                .endInvolvedObject()
                .withType(type).withReason(reason).withMessage(message.length() > 1000
                        ? message.substring(0, 997) + "..." : message)
                .withFirstTimestamp(time).withLastTimestamp(time).withCount(1)
                .withNewSource().withComponent("glia-operator").endSource()
                .withReportingComponent("glia-operator").build()).create();
    }
}
