package dev.glia.router.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which pods are engines, and where: the pure decision, without any server. */
class PodEndpointsTest {
    private final PodEndpoints decision = new PodEndpoints("serving", Selector.parse("app=vllm"),
            new EnginePort.Number(8000));

    @Test
    void aReadyRunningPodWithAnIpIsAnEngineNamedByNamespaceAndName() {
        assertThat(decision.endpoint(Pods.ready("serving", "vllm-0", "10.0.0.7")))
                .contains(new Endpoint("serving/vllm-0", URI.create("http://10.0.0.7:8000")));
    }

    @Test
    void aPodWithoutAnIpIsNot() {
        assertThat(decision.endpoint(Pods.ready("serving", "vllm-0", null))).isEmpty();
        assertThat(decision.endpoint(Pods.ready("serving", "vllm-0", ""))).isEmpty();
    }

    @Test
    void aPodNotReadyIsNot() {
        Pod notReady = Pods.engine("serving", "vllm-0", Map.of("app", "vllm"), "10.0.0.7", false).build();
        Pod noCondition = new PodBuilder(Pods.ready("serving", "vllm-0", "10.0.0.7"))
                .editStatus().withConditions(List.of()).endStatus().build();
        Pod onlyScheduled = new PodBuilder(Pods.ready("serving", "vllm-0", "10.0.0.7"))
                .editStatus().editFirstCondition().withType("PodScheduled").endCondition().endStatus().build();
        Pod noStatus = new PodBuilder(Pods.ready("serving", "vllm-0", "10.0.0.7")).withStatus(null).build();

        assertThat(decision.endpoint(notReady)).isEmpty();
        assertThat(decision.endpoint(noCondition)).isEmpty();
        assertThat(decision.endpoint(onlyScheduled)).isEmpty();
        assertThat(decision.endpoint(noStatus)).isEmpty();
    }

    @Test
    void aPodNotRunningIsNotEvenIfItSaysReady() {
        for (String phase : List.of("Pending", "Succeeded", "Failed", "Unknown")) {
            Pod pod = new PodBuilder(Pods.ready("serving", "vllm-0", "10.0.0.7"))
                    .editStatus().withPhase(phase).endStatus().build();
            assertThat(decision.endpoint(pod)).as(phase).isEmpty();
        }
    }

    @Test
    void aTerminatingPodIsNotThoughStillReady() {
        Pod terminating = new PodBuilder(Pods.ready("serving", "vllm-0", "10.0.0.7"))
                .editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build();

        assertThat(decision.endpoint(terminating)).isEmpty();
    }

    @Test
    void aPodInAnotherNamespaceOrWithOtherLabelsIsNot() {
        assertThat(decision.endpoint(Pods.ready("default", "vllm-0", "10.0.0.7"))).isEmpty();
        assertThat(decision.endpoint(Pods.engine("serving", "vllm-0", Map.of("app", "sglang"), "10.0.0.7", true)
                .build())).isEmpty();
        assertThat(decision.endpoint(Pods.engine("serving", "vllm-0", Map.of(), "10.0.0.7", true).build()))
                .isEmpty();
        assertThat(decision.endpoint(new PodBuilder(Pods.ready("serving", "vllm-0", "10.0.0.7"))
                .editMetadata().withLabels(null).endMetadata().build())).isEmpty();
    }

    @Test
    void aNamedPortIsLookedUpInTheContainersAndAPodWithoutItIsNot() {
        PodEndpoints named = new PodEndpoints("serving", Selector.parse("app=vllm"), EnginePort.parse("http"));
        PodEndpoints missing = new PodEndpoints("serving", Selector.parse("app=vllm"), EnginePort.parse("metrics"));
        Pod pod = new PodBuilder(Pods.ready("serving", "vllm-0", "10.0.0.7"))
                .editSpec().editFirstContainer().editFirstPort().withContainerPort(9000).endPort().endContainer()
                .endSpec().build();

        assertThat(named.endpoint(pod)).map(Endpoint::url).contains(URI.create("http://10.0.0.7:9000"));
        assertThat(missing.endpoint(pod)).isEmpty();
    }

    @Test
    void anIpv6PodIpIsBracketed() {
        assertThat(decision.endpoint(Pods.ready("serving", "vllm-0", "fd00::7"))).map(Endpoint::url)
                .contains(URI.create("http://[fd00::7]:8000"));
    }

    @Test
    void theSetIsSortedByIdentityAndKeepsOnlyPodsThatCount() {
        List<Pod> pods = List.of(Pods.ready("serving", "vllm-2", "10.0.0.2"),
                Pods.engine("serving", "vllm-1", Map.of("app", "vllm"), "10.0.0.1", false).build(),
                Pods.ready("serving", "vllm-0", "10.0.0.9"));

        assertThat(decision.endpoints(pods)).extracting(Endpoint::id).containsExactly("serving/vllm-0",
                "serving/vllm-2");
    }
}
