package dev.glia.sim.metrics;

import dev.glia.sim.engine.Request;
import dev.glia.sim.engine.SimulationResult;
import dev.glia.vllm.exec.ExecutionModel;
import java.util.Arrays;
import java.util.LinkedHashMap;
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

    public static Map<String, Double> of(SimulationResult result, ExecutionModel model, int chunk) {
        int n = result.requests().size();
        double[][] values = new double[LATENCIES.length][n];
        int[] counts = new int[LATENCIES.length];
        int completed = 0;
        int restarted = 0;
        long restarts = 0;
        double e2eRestarted = 0;
        double e2eClean = 0;
        long outputTokens = 0;
        long wasted = 0;
        for (Request r : result.requests()) {
            if (r.state() != Request.State.DONE) {
                continue;
            }
            completed++;
            double e2e = r.completedAt() - r.arrivalTime();
            values[0][counts[0]++] = e2e;
            values[1][counts[1]++] = r.firstTokenAt() - r.arrivalTime();
            if (r.outputTokens() > 1) {
                values[2][counts[2]++] = (r.completedAt() - r.firstTokenAt()) / (r.outputTokens() - 1);
            }
            values[3][counts[3]++] = r.scheduledAt() - r.arrivalTime();
            values[4][counts[4]++] = e2e / model.idealLatency(r.promptTokens(), r.outputTokens(), chunk);
            outputTokens += r.outputTokens();
            wasted += r.wastedTokens();
            if (r.restarts() > 0) {
                restarted++;
                restarts += r.restarts();
                e2eRestarted += e2e;
            } else {
                e2eClean += e2e;
            }
        }
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
        s.put("restartedFraction", completed == 0 ? 0 : (double) restarted / completed);
        s.put("restartsPerRequest", completed == 0 ? 0 : (double) restarts / completed);
        s.put("e2eRestarted.mean", restarted == 0 ? Double.NaN : e2eRestarted / restarted);
        s.put("e2eNotRestarted.mean", completed - restarted == 0 ? Double.NaN : e2eClean / (completed - restarted));
        s.put("wastedTokens", (double) wasted);
        s.put("throughput", result.endTime() > 0 ? completed / result.endTime() : 0);
        s.put("outputTokensPerSecond", result.endTime() > 0 ? outputTokens / result.endTime() : 0);
        s.put("gpuHours", result.gpuSeconds() / 3600);
        s.put("makespan", result.endTime());
        s.put("peakReplicas", (double) result.peakReplicas());
        s.put("events", (double) result.events());
        return s;
    }
}
