package dev.glia.control;

import dev.glia.policy.Autoscaler;
import dev.glia.sim.Experiment;
import dev.glia.sim.PolicySet;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A recorded metric series for the autoscaling tests: every view the simulator's autoscaler saw on
 * {@code glia-sinusoid-autoscale} (as an {@link ObservedCluster}) and what the policy answered, tick by tick.
 */
public final class SimulatedAutoscalerTicks {
    /** One tick: the view the autoscaler saw (copied) and its answer. */
    public record Tick(ObservedCluster view, int answer) {
    }

    private SimulatedAutoscalerTicks() {
    }

    /** Runs glia-sinusoid-autoscale (seed 0) with autoscaler {@code policy}, recording every tick. */
    public static List<Tick> record(String policy) {
        Scenario s = ScenarioLoader.override(ScenarioLoader.load("glia-sinusoid-autoscale"), null, null, null, null,
                policy);
        Experiment.Policies p = PolicySet.of(s, Map.of()).factories();
        List<Tick> ticks = new ArrayList<>();
        Supplier<Autoscaler> recording = () -> {
            Autoscaler inner = p.autoscaler().get();
            return view -> {
                ObservedCluster seen = ObservedCluster.of(view);
                int answer = inner.desiredReplicas(view);
                ticks.add(new Tick(seen, answer));
                return answer;
            };
        };
        new Experiment(s).runSeed(0, new Experiment.Policies(p.router(), p.batchPriority(), recording));
        return List.copyOf(ticks);
    }
}
