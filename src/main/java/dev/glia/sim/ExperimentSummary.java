package dev.glia.sim;

import dev.glia.sim.engine.Request;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.metrics.Aggregate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a research session keeps of an experiment: every figure over seeds, a sample of end-to-end
 * latencies for pictures, and what the workload looked like. Small and plain, so an experiment
 * run in a child JVM can send it back.
 *
 * @param e2eSample sorted end-to-end latencies, up to 4,000 spread evenly over all seeds' requests
 */
public record ExperimentSummary(Map<String, Aggregate.Stat> figures, double[] e2eSample, Map<String, Double> observed) {
    private static final int SAMPLE = 4000;

    /**
     * Runs {@code policies} on {@code scenario}'s seeds 0..seeds-1, writes the run directory (CSV
     * logs of the first {@code logSeeds} seeds) and keeps the summary: what a research experiment
     * does, in this JVM or in an isolated one.
     */
    public static ExperimentSummary run(Scenario scenario, PolicySet policies, int seeds, int threads, Path out,
                                        int logSeeds) {
        Experiment.Result result = new Experiment(scenario).run(seeds, policies.factories(), threads, n -> { });
        RunWriter.write(out, result, policies.describe(), logSeeds);
        return of(result);
    }

    public static ExperimentSummary of(Experiment.Result result) {
        Map<String, Double> observed = new LinkedHashMap<>();
        Evidence.observed(result).forEach((k, v) -> observed.put(k, ((Number) v).doubleValue()));
        return new ExperimentSummary(result.aggregate(), sample(result), observed);
    }

    private static double[] sample(Experiment.Result result) {
        List<Request> all = new ArrayList<>();
        result.runs().forEach(r -> all.addAll(r.result().requests()));
        int step = Math.max(1, all.size() / SAMPLE);
        double[] out = new double[(all.size() + step - 1) / step];
        int n = 0;
        for (int i = 0; i < all.size(); i += step) {
            Request r = all.get(i);
            if (r.state() == Request.State.DONE) {
                out[n++] = r.completedAt() - r.arrivalTime();
            }
        }
        double[] sorted = Arrays.copyOf(out, n);
        Arrays.sort(sorted);
        return sorted;
    }
}
