package dev.glia.operator;

import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether what a GliaOptimization names exists in its namespace: the router's Service, the engines' Deployment, the
 * ConfigMap and key of a trace scenario ({@code spec.scenario.trace}) and, for a research Job, the Secret with the model's key and that key in it. A missing one is a {@link
 * OptimizationSpecs.Problem} naming the field and saying how to fix it; the operator reads each with a single get
 * (never lists or watches Secrets) and looks again at its poll interval, so creating the object later is enough.
 */
final class References {
    /** The condition: whether every object the spec names was found. */
    static final String RESOLVED_REFS = "ResolvedRefs";

    private References() {
    }

    static List<OptimizationSpecs.Problem> missing(KubernetesClient client, GliaOptimization o, boolean jobMode) {
        String ns = o.getMetadata().getNamespace();
        GliaOptimizationSpec spec = o.getSpec();
        List<OptimizationSpecs.Problem> out = new ArrayList<>();
        String service = spec.target.router.service;
        if (service != null && client.services().inNamespace(ns).withName(service).get() == null) {
            out.add(new OptimizationSpecs.Problem("TargetNotFound", "spec.target.router.service: no Service " + ns
                    + "/" + service + "; install the router (helm install glia helm/glia --set router.enabled=true)"
                    + " or name its Service"));
        }
        String deployment = spec.target.engines == null ? null : spec.target.engines.deployment;
        if (deployment != null && client.apps().deployments().inNamespace(ns).withName(deployment).get() == null) {
            out.add(new OptimizationSpecs.Problem("TargetNotFound", "spec.target.engines.deployment: no Deployment "
                    + ns + "/" + deployment + "; name the engines' Deployment, or give spec.target.engines.selector"));
        }
        GliaOptimizationSpec.ConfigMapKeyRef trace = spec.scenario == null
                || spec.scenario.source != GliaOptimizationSpec.ScenarioSource.TRACE ? null : spec.scenario.trace;
        if (trace != null) {
            ConfigMap cm = client.configMaps().inNamespace(ns).withName(trace.name).get();
            if (cm == null) {
                out.add(new OptimizationSpecs.Problem("ConfigMapNotFound", "spec.scenario.trace: no ConfigMap " + ns
                        + "/" + trace.name + "; create it: kubectl -n " + ns + " create configmap " + trace.name
                        + " --from-file=" + trace.key + "=<the trace's CSV: arrived_at,num_prefill_tokens,"
                        + "num_decode_tokens>"));
            } else if ((cm.getData() == null || !cm.getData().containsKey(trace.key))
                    && (cm.getBinaryData() == null || !cm.getBinaryData().containsKey(trace.key))) {
                out.add(new OptimizationSpecs.Problem("ConfigMapKeyNotFound", "spec.scenario.trace.key: ConfigMap "
                        + ns + "/" + trace.name + " has no key " + trace.key));
            }
        }
        GliaOptimizationSpec.SecretKeyRef key = spec.research == null ? null : spec.research.apiKeySecretRef;
        if (jobMode && key != null) {
            Secret secret = client.secrets().inNamespace(ns).withName(key.name).get();
            if (secret == null) {
                out.add(new OptimizationSpecs.Problem("SecretNotFound", "spec.research.apiKeySecretRef: no Secret "
                        + ns + "/" + key.name + "; create it: kubectl -n " + ns + " create secret generic " + key.name
                        + " --from-literal=" + key.key + "=<the model's API key>"));
            } else if ((secret.getData() == null || !secret.getData().containsKey(key.key))
                    && (secret.getStringData() == null || !secret.getStringData().containsKey(key.key))) {
                out.add(new OptimizationSpecs.Problem("SecretKeyNotFound", "spec.research.apiKeySecretRef.key: Secret "
                        + ns + "/" + key.name + " has no key " + key.key));
            }
        }
        return out;
    }
}
