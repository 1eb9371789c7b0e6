package dev.glia.router.discovery;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import java.util.Map;

/** Pods as the tests need them: a vLLM engine pod, ready or not. */
final class Pods {
    private Pods() {
    }

    /** A pod in {@code namespace} labelled {@code labels}, Running, with the given IP and Ready condition. */
    static PodBuilder engine(String namespace, String name, Map<String, String> labels, String ip, boolean ready) {
        return new PodBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("vllm").withImage("vllm/vllm-openai")
                .withPorts(new ContainerPortBuilder().withName("http").withContainerPort(8000).build())
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip)
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False")
                        .build())
                .endStatus();
    }

    static Pod ready(String namespace, String name, String ip) {
        return engine(namespace, name, Map.of("app", "vllm"), ip, true).build();
    }
}
