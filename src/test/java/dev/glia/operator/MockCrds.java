package dev.glia.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;

/** The committed CRDs, installed once into a fabric8 mock API server, as {@code helm install} puts them in a cluster. */
final class MockCrds {
    private MockCrds() {
    }

    static void install(KubernetesClient client) {
        for (String crd : List.of("crds/gliaoptimizations.glia.dev-v1.yml", "crds/gliapolicies.glia.dev-v1.yml")) {
            var item = client.apiextensions().v1().customResourceDefinitions().load(Path.of(crd).toFile()).item();
            if (client.apiextensions().v1().customResourceDefinitions().withName(item.getMetadata().getName()).get()
                    == null) {
                client.apiextensions().v1().customResourceDefinitions().resource(item).create();
            }
        }
    }
}
