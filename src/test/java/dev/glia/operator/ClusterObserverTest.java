package dev.glia.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glia.control.ObservedCluster;
import dev.glia.control.ObservedReplica;
import dev.glia.metrics.prometheus.PromQlException;
import dev.glia.metrics.prometheus.PrometheusClient;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The autoscaler's view from the pods and the query contract (docs/adaptation.md), field by field. */
class ClusterObserverTest {
    private FakePrometheus prometheus;
    private ClusterObserver observer;

    @BeforeEach
    void start() throws Exception {
        prometheus = FakePrometheus.start();
        observer = new ClusterObserver(new PrometheusClient(prometheus.url(), Duration.ofSeconds(5)), 1);
    }

    @AfterEach
    void stop() {
        prometheus.close();
    }

    private static Pod pod(String name, boolean ready, boolean deleting) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewStatus().addNewCondition()
                .withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus();
        if (deleting) {
            b.editMetadata().withDeletionTimestamp("2026-11-30T00:00:00Z").endMetadata();
        }
        return b.build();
    }

    private static FakePrometheus.Series at(String pod, double v) {
        return new FakePrometheus.Series(Map.of("pod", pod), v);
    }

    @Test
    void readyPodsAreReplicasByNameDeletedOnesDrainAndTheRestStart() {
        ClusterObserver.Pods pods = ClusterObserver.Pods.of(List.of(pod("vllm-b", true, false),
                pod("vllm-a", true, true), pod("vllm-c", false, false), pod("vllm-d", false, true)));
        assertThat(pods.ready()).containsExactly("vllm-a", "vllm-b");
        assertThat(pods.draining()).containsExactly("vllm-a");
        assertThat(pods.starting()).isEqualTo(1);
    }

    @Test
    void everyFieldComesFromItsQueryAndVllmV0sCacheGaugeStandsInForV1s() {
        String re = "vllm-0\\\\.a|vllm-1";
        prometheus.answer(Map.of(
                "sum by (pod) (vllm:num_requests_waiting{pod=~\"" + re + "\"})", List.of(at("vllm-0.a", 3)),
                "sum by (pod) (vllm:num_requests_running{pod=~\"" + re + "\"})", List.of(at("vllm-0.a", 7),
                        at("vllm-1", 2)),
                "max by (pod) (vllm:kv_cache_usage_perc{pod=~\"" + re + "\"})", List.of(),
                "max by (pod) (vllm:gpu_cache_usage_perc{pod=~\"" + re + "\"})", List.of(at("vllm-0.a", 0.25)),
                "vllm:cache_config_info{pod=~\"" + re + "\"}", List.of(new FakePrometheus.Series(Map.of("pod",
                        "vllm-0.a", "num_gpu_blocks", "2240", "block_size", "16"), 1)),
                "sum by (pod) (rate(vllm:generation_tokens_total{pod=~\"" + re + "\"}[30s]))",
                List.of(at("vllm-0.a", 412.5), at("vllm-1", 100)),
                "sum(glia_router_queue_length)", List.of(new FakePrometheus.Series(Map.of(), 4)),
                "sum(rate(glia_router_prompt_tokens_count[30s]))", List.of(new FakePrometheus.Series(Map.of(), 7.5))));
        ObservedCluster view = observer.observe(new ClusterObserver.Pods(List.of("vllm-0.a", "vllm-1"),
                List.of("vllm-1"), 2), 90, 30, Duration.ofSeconds(30), 2, 16, Instant.EPOCH);
        assertThat(prometheus.unexpected()).isEmpty();
        assertThat(view.replicas()).containsExactly(
                new ObservedReplica(0, 3, 7, 560, 2240, 16, true, 412.5),
                // not scraped yet: zeros, as a sum over no series
                new ObservedReplica(1, 0, 2, 0, 0, 0, false, 100));
        assertThat(view.now()).isEqualTo(90);
        assertThat(view.interval()).isEqualTo(30);
        assertThat(view.starting()).isEqualTo(2);
        assertThat(view.draining()).isEqualTo(1);
        assertThat(view.queued()).isEqualTo(4);
        assertThat(view.arrivalRate()).isEqualTo(7.5);
        assertThat(view.minReplicas()).isEqualTo(2);
        assertThat(view.maxReplicas()).isEqualTo(16);
    }

    @Test
    void withoutReadyPodsOnlyTheRoutersQueriesAreAskedAndAnUnansweredOneFails() {
        prometheus.answer(Map.of("sum(glia_router_queue_length)", List.of()));
        assertThatThrownBy(() -> observer.observe(new ClusterObserver.Pods(List.of(), List.of(), 0), 0, 30,
                Duration.ofSeconds(30), 1, 4, Instant.EPOCH)).isInstanceOf(PromQlException.class)
                .hasMessageContaining("sum(rate(glia_router_prompt_tokens_count[30s]))");
        assertThat(prometheus.asked()).containsExactly("sum(glia_router_queue_length)",
                "sum(rate(glia_router_prompt_tokens_count[30s]))");
    }

    @Test
    void engineTimeScaleTurnsWallClockRatesIntoModelRatesOverTheWallWindowOfATick() {
        // engines 4x faster than the wall clock, a 30-s tick: 7.5 s of wall clock, 4x the model rates per wall second
        ClusterObserver fast = new ClusterObserver(new PrometheusClient(prometheus.url(), Duration.ofSeconds(5)), 4);
        String re = "vllm-0";
        prometheus.answer(Map.of(
                "sum by (pod) (vllm:num_requests_waiting{pod=~\"" + re + "\"})", List.of(at("vllm-0", 3)),
                "sum by (pod) (vllm:num_requests_running{pod=~\"" + re + "\"})", List.of(at("vllm-0", 7)),
                "max by (pod) (vllm:kv_cache_usage_perc{pod=~\"" + re + "\"})", List.of(at("vllm-0", 0.5)),
                "vllm:cache_config_info{pod=~\"" + re + "\"}", List.of(new FakePrometheus.Series(Map.of("pod",
                        "vllm-0", "num_gpu_blocks", "2240", "block_size", "16"), 1)),
                "sum by (pod) (rate(vllm:generation_tokens_total{pod=~\"" + re + "\"}[7500ms]))",
                List.of(at("vllm-0", 1600)),
                "sum(glia_router_queue_length)", List.of(new FakePrometheus.Series(Map.of(), 4)),
                "sum(rate(glia_router_prompt_tokens_count[7500ms]))", List.of(new FakePrometheus.Series(Map.of(), 30))));
        ObservedCluster view = fast.observe(new ClusterObserver.Pods(List.of("vllm-0"), List.of(), 0), 120, 30,
                Duration.ofMillis(7500), 1, 4, Instant.EPOCH);
        assertThat(prometheus.unexpected()).isEmpty();
        assertThat(view.replicas()).containsExactly(new ObservedReplica(0, 3, 7, 1120, 2240, 16, true, 400));
        assertThat(view.arrivalRate()).as("per model second").isEqualTo(7.5);
        assertThat(view.interval()).isEqualTo(30);
        assertThat(ClusterObserver.range(Duration.ofSeconds(30))).isEqualTo("30s");
        assertThat(ClusterObserver.range(Duration.ofMillis(7500))).isEqualTo("7500ms");
    }
}
