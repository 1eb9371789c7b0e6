package dev.glia.sim.metrics;

import dev.glia.sim.engine.Request;
import dev.glia.sim.engine.SimulationResult;
import dev.glia.vllm.exec.ExecutionModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of one run, by name, in a fixed order. Latencies in seconds over completed
 * requests. Slowdown divides each request's e2e by its e2e alone on an idle replica.
 */
public final class RunSummary {
    public static final String[] LATENCIES = {"e2e", "ttft", "tpot", "queueDelay", "slowdown"};
    public static final String[] STATISTICS = {"mean", "p50", "p90", "p95", "p99"};

    private RunSummary() {
    }

    /** What a whole run measured: NaN where the observer cannot know it (a client sees no GPU). */
    public record Totals(double endTime, double gpuSeconds, double peakReplicas, double events) {
    }

    public static Map<String, Double> of(SimulationResult result, ExecutionModel model, int chunk) {
        List<RequestOutcome> outcomes = new ArrayList<>(result.requests().size());
        for (Request r : result.requests()) {
            outcomes.add(RequestOutcome.of(r));
        }
        return of(outcomes, new Totals(result.endTime(), result.gpuSeconds(), result.peakReplicas(), result.events()),
                model, chunk);
    }

    /**
     * The same figures from any observer's outcomes. Latencies an observer cannot know (NaN) are
     * left out of their statistics; figures of restarts are NaN when no completed request's
     * restarts are known.
     */
    public static Map<String, Double> of(List<RequestOutcome> outcomes, Totals totals, ExecutionModel model,
                                         int chunk) {
        int n = outcomes.size();
        double[][] values = new double[LATENCIES.length][n];
        int[] counts = new int[LATENCIES.length];
        int completed = 0;
        int known = 0;
        int restarted = 0;
        long restarts = 0;
        double e2eRestarted = 0;
        double e2eClean = 0;
        long outputTokens = 0;
        long wasted = 0;
        for (RequestOutcome r : outcomes) {
            if (!r.completed()) {
                continue;
            }
            completed++;
            double e2e = r.e2e();
            add(values[0], counts, 0, e2e);
            add(values[1], counts, 1, r.ttft());
            add(values[2], counts, 2, r.tpot());
            add(values[3], counts, 3, r.queueDelay());
            add(values[4], counts, 4, e2e / model.idealLatency(r.promptTokens(), r.outputTokens(), chunk));
            outputTokens += r.outputTokens();
            if (r.restarts() == null) {
                continue;
            }
            known++;
            wasted += r.wastedTokens();
            if (r.restarts() > 0) {
                restarted++;
                restarts += r.restarts();
                e2eRestarted += e2e;
            } else {
                e2eClean += e2e;
            }
        }
        boolean unknown = completed > 0 && known == 0;
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("requests", (double) n);
        s.put("completed", (double) completed);
        for (int m = 0; m < LATENCIES.length; m++) {
            double[] v = values[m];
            int count = counts[m];
            s.put(LATENCIES[m] + ".mean", Stats.mean(v, count));
            Arrays.sort(v, 0, count);
            s.put(LATENCIES[m] + ".p50", Stats.percentile(v, count, 50));
            s.put(LATENCIES[m] + ".p90", Stats.percentile(v, count, 90));
            s.put(LATENCIES[m] + ".p95", Stats.percentile(v, count, 95));
            s.put(LATENCIES[m] + ".p99", Stats.percentile(v, count, 99));
        }
        s.put("restartedFraction", unknown ? Double.NaN : completed == 0 ? 0 : (double) restarted / known);
        s.put("restartsPerRequest", unknown ? Double.NaN : completed == 0 ? 0 : (double) restarts / known);
        s.put("e2eRestarted.mean", restarted == 0 ? Double.NaN : e2eRestarted / restarted);
        s.put("e2eNotRestarted.mean", known - restarted == 0 ? Double.NaN : e2eClean / (known - restarted));
        s.put("wastedTokens", unknown ? Double.NaN : (double) wasted);
        double end = totals.endTime();
        s.put("throughput", end > 0 ? completed / end : 0);
        s.put("outputTokensPerSecond", end > 0 ? outputTokens / end : 0);
        s.put("gpuHours", totals.gpuSeconds() / 3600);
        s.put("makespan", end);
        s.put("peakReplicas", totals.peakReplicas());
        s.put("events", totals.events());
        return s;
    }

    private static void add(double[] values, int[] counts, int metric, double value) {
        if (!Double.isNaN(value)) {
            values[counts[metric]++] = value;
        }
    }
}
