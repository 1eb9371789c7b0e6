package dev.glia.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.policy.Autoscaler;
import dev.glia.sim.PolicySet;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AutoscalingLoopTest {
    private static final String DEPLOYMENT = "vllm-llama-3-8b";

    private static Autoscaler fresh(String policy) {
        Scenario s = ScenarioLoader.override(ScenarioLoader.load("glia-sinusoid-autoscale"), null, null, null, null,
                policy);
        return PolicySet.of(s, Map.of()).factories().autoscaler().get();
    }

    @ParameterizedTest(name = "{0}: the loop decides, tick by tick, what the simulator's autoscaler decided")
    @ValueSource(strings = {"throughput", "proportional"})
    void overARecordedSeriesTheLoopDecidesWhatTheSimulatorDecided(String policy) {
        List<SimulatedAutoscalerTicks.Tick> ticks = SimulatedAutoscalerTicks.record(policy);
        AutoscalingLoop loop = new AutoscalingLoop(fresh(policy), AutoscalingLoop.Actuation.EXTERNAL, DEPLOYMENT);
        int changes = 0;
        int previous = -1;
        for (SimulatedAutoscalerTicks.Tick t : ticks) {
            ScalingDecision d = loop.step(t.view(), List.of());
            int simulated = Math.max(t.view().minReplicas(), Math.min(t.view().maxReplicas(), t.answer()));
            assertThat(d.answer()).as("t=%.0f", t.view().now()).isEqualTo(t.answer());
            assertThat(d.desired()).isEqualTo(simulated);
            assertThat(d.actuation()).isEqualTo(new ScalingDecision.Actuation.Publish(simulated));
            assertThat(d.reason()).isEqualTo("DesiredReplicasPublished");
            changes += previous >= 0 && previous != simulated ? 1 : 0;
            previous = simulated;
        }
        // the series is not trivial: two hours of load swinging 7.5 -> 22.5 -> 7.5 QPS, scaled up and down
        assertThat(ticks).hasSizeGreaterThan(200);
        assertThat(changes).isGreaterThanOrEqualTo(4);
        System.out.printf("%s: %d ticks, %d changes of the desired count%n", policy, ticks.size(), changes);
    }

    private static ObservedCluster view(int ready, int min, int max) {
        List<ObservedReplica> replicas = new ArrayList<>();
        for (int i = 0; i < ready; i++) {
            replicas.add(new ObservedReplica(i, 2, 30, 1000, 2240, 16, true, 400));
        }
        return new ObservedCluster(60, 30, replicas, 0, 0, min, max, 0, 7.5);
    }

    @Test
    void directScalesTheDeploymentWithinMinAndMax() {
        ScalingDecision up = new AutoscalingLoop(v -> 100, AutoscalingLoop.Actuation.DIRECT, DEPLOYMENT)
                .step(view(3, 2, 8), List.of(new HorizontalScaler("other", "Deployment", "another-app")));
        assertThat(up.answer()).isEqualTo(100);
        assertThat(up.desired()).isEqualTo(8);
        assertThat(up.actuation()).isEqualTo(new ScalingDecision.Actuation.ScaleDeployment(DEPLOYMENT, 8));
        assertThat(up.reason()).isEqualTo("Scaling");
        ScalingDecision down = new AutoscalingLoop(v -> 0, AutoscalingLoop.Actuation.DIRECT, DEPLOYMENT)
                .step(view(3, 2, 8), List.of());
        assertThat(down.desired()).isEqualTo(2);
        ScalingDecision same = new AutoscalingLoop(v -> 3, AutoscalingLoop.Actuation.DIRECT, DEPLOYMENT)
                .step(view(3, 2, 8), List.of());
        assertThat(same.reason()).isEqualTo("ReplicasUnchanged");
    }

    @Test
    void directIsRefusedWhenAnHpaAlreadyTargetsTheDeploymentNamingIt() {
        ScalingDecision d = new AutoscalingLoop(v -> 5, AutoscalingLoop.Actuation.DIRECT, DEPLOYMENT)
                .step(view(3, 1, 8), List.of(new HorizontalScaler("vllm-hpa", "Deployment", DEPLOYMENT)));
        assertThat(d.actuation()).isEqualTo(new ScalingDecision.Actuation.Refused());
        assertThat(d.reason()).isEqualTo("HpaTargetsDeployment");
        assertThat(d.message()).contains("HorizontalPodAutoscaler vllm-hpa", "Deployment " + DEPLOYMENT,
                "autoscaling.actuation: external");
        assertThat(d.desired()).isEqualTo(5);
        ScalingDecision keda = new AutoscalingLoop(v -> 5, AutoscalingLoop.Actuation.DIRECT, DEPLOYMENT)
                .step(view(3, 1, 8), List.of(new HorizontalScaler("keda-hpa-vllm", "Deployment", DEPLOYMENT)));
        assertThat(keda.message()).contains("KEDA's, for ScaledObject vllm");
        // an HPA on a StatefulSet of the same name is not on the Deployment
        ScalingDecision other = new AutoscalingLoop(v -> 5, AutoscalingLoop.Actuation.DIRECT, DEPLOYMENT)
                .step(view(3, 1, 8), List.of(new HorizontalScaler("sts", "StatefulSet", DEPLOYMENT)));
        assertThat(other.actuation()).isInstanceOf(ScalingDecision.Actuation.ScaleDeployment.class);
    }

    @Test
    void externalPublishesEvenWhereAnHpaScalesTheDeployment() {
        ScalingDecision d = new AutoscalingLoop(v -> 5, AutoscalingLoop.Actuation.EXTERNAL, DEPLOYMENT)
                .step(view(3, 1, 8), List.of(new HorizontalScaler("vllm-hpa", "Deployment", DEPLOYMENT)));
        assertThat(d.actuation()).isEqualTo(new ScalingDecision.Actuation.Publish(5));
    }

    @Test
    void directNeedsADeployment() {
        ScalingDecision d = new AutoscalingLoop(v -> 5, AutoscalingLoop.Actuation.DIRECT, null)
                .step(view(3, 1, 8), List.of());
        assertThat(d.reason()).isEqualTo("NoDeploymentToScale");
        assertThat(d.actuation()).isEqualTo(new ScalingDecision.Actuation.Refused());
    }

    @Test
    void aFailingPolicyIsContainedAndTheCountHeld() {
        int[] calls = {0};
        AutoscalingLoop loop = new AutoscalingLoop(v -> {
            calls[0]++;
            throw new IllegalStateException("boom");
        }, AutoscalingLoop.Actuation.DIRECT, DEPLOYMENT);
        ScalingDecision first = loop.step(view(3, 1, 8), List.of());
        assertThat(first.desired()).isEqualTo(3);
        assertThat(first.reason()).isEqualTo("AutoscalerFailed");
        assertThat(first.message()).contains("autoscaler failed", "boom");
        ScalingDecision second = loop.step(view(4, 1, 8), List.of());
        assertThat(second.desired()).isEqualTo(4);
        assertThat(second.message()).contains("failed earlier");
        assertThat(calls[0]).isEqualTo(1);
        ScalingDecision negative = new AutoscalingLoop(v -> -1, AutoscalingLoop.Actuation.EXTERNAL, DEPLOYMENT)
                .step(view(3, 1, 8), List.of());
        assertThat(negative.desired()).isEqualTo(3);
        assertThat(negative.message()).contains("cannot be negative");
    }

    @Test
    void aPolicyMayAskOnlyForTheThroughputOfTheReplicasItWasShown() {
        ObservedCluster v = view(2, 1, 8);
        assertThat(v.decodeThroughput(v.replicas().get(1))).isEqualTo(400);
        ScalingDecision d = new AutoscalingLoop(x -> (int) x.decodeThroughput(
                new ObservedReplica(0, 2, 30, 1000, 2240, 16, true, 400)), AutoscalingLoop.Actuation.EXTERNAL,
                DEPLOYMENT).step(v, List.of());
        assertThat(d.reason()).isEqualTo("AutoscalerFailed");
        assertThat(d.message()).contains("not one of this cluster's");
    }
}
