package dev.glia.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.glia.metrics.fit.FitReport;
import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The workload an active policy is judged against for drift: the first window fitted after it took over, kept as the
 * fit's report (JSON) in the ConfigMap {@code <policy>-workload}, owned by the optimisation. One per policy, written
 * once (create only): a policy promoted later gets its own.
 */
final class DriftReference {
    static final String KEY = "workload.json";
    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private DriftReference() {
    }

    static String configMapName(String policy) {
        return policy + "-workload";
    }

    /** The reference of {@code policy}, or null when none was kept (or it no longer reads). */
    static FitReport read(KubernetesClient client, String namespace, String policy) {
        ConfigMap cm = client.configMaps().inNamespace(namespace).withName(configMapName(policy)).get();
        if (cm == null || cm.getData() == null || !cm.getData().containsKey(KEY)) {
            return null;
        }
        try {
            return JSON.readValue(cm.getData().get(KEY), FitReport.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    static void write(KubernetesClient client, GliaOptimization o, String policy, FitReport report) {
        String ns = o.getMetadata().getNamespace();
        String text;
        try {
            text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a fit report that does not serialise: " + e.getMessage(), e);
        }
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder()
                .withMetadata(Owned.metadata(o, configMapName(policy))).addToData(KEY, text).build()).create();
    }
}
