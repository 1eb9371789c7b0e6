package dev.glia.load;

import dev.glia.vllm.exec.ExecutionModel;
import dev.glia.sim.metrics.RequestOutcome;
import dev.glia.sim.metrics.RunSummary;
import dev.glia.sim.metrics.Stats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a load run measured, in model time: wall-clock durations × the time scale, so that the
 * figures compare with the simulator's. Requests that failed count in {@code requests} and
 * {@code failed}, not in the latencies.
 *
 * @param exchanges      every request sent, in order of index
 * @param errors         failed attempts by kind, retried or not
 * @param retries        attempts repeated after a failure
 * @param lastCompletion nanoseconds from the start to the last token of the last completed request
 * @param wallSeconds    the run's length on the wall clock
 */
public record LoadRun(RequestPlan plan, List<Exchange> exchanges, Map<ErrorKind, Integer> errors, int retries,
                      long lastCompletion, double timeScale, Instant startedAt, double wallSeconds) {

    /** Each request as a client saw it: no replica, no scheduling instant, no restarts (null/NaN). */
    public List<RequestOutcome> outcomes() {
        List<RequestOutcome> out = new ArrayList<>(exchanges.size());
        for (Exchange x : exchanges) {
            boolean done = x.completed;
            out.add(new RequestOutcome(x.index, null, model(x.sentAt), x.promptTokens, x.received(), done, Double.NaN,
                    done ? model(x.firstTokenAt) : Double.NaN, done ? model(x.lastTokenAt) : Double.NaN, null, 0));
        }
        return out;
    }

    /**
     * The simulator's figures (from the same code), with what only a client knows added: failed
     * requests, retries, completed requests with fewer tokens than planned, failed attempts by
     * kind, inter-token latencies, the achieved rate of sends, and how late sends left against
     * the plan.
     */
    public Map<String, Double> summary(ExecutionModel model, int chunk) {
        Map<String, Double> s = RunSummary.of(outcomes(), new RunSummary.Totals(model(lastCompletion), Double.NaN,
                Double.NaN, Double.NaN), model, chunk);
        s.put("failed", (double) exchanges.stream().filter(x -> !x.completed).count());
        s.put("retries", (double) retries);
        // ignore_eos not honoured, or max_model_len reached: the request is not the one planned
        s.put("shortOutputs", (double) exchanges.stream().filter(x -> x.completed && x.received() < x.outputTokens).count());
        for (ErrorKind kind : ErrorKind.values()) {
            s.put("errors." + kind.key(), (double) errors.getOrDefault(kind, 0));
        }
        double[] itl = exchanges.stream().filter(x -> x.completed)
                .flatMapToDouble(x -> Arrays.stream(x.interTokenLatencies())).map(v -> v * timeScale).toArray();
        Arrays.sort(itl);
        s.put("itl.mean", Stats.mean(itl, itl.length));
        s.put("itl.p50", Stats.percentile(itl, itl.length, 50));
        s.put("itl.p99", Stats.percentile(itl, itl.length, 99));
        s.put("achievedRate", achievedRate());
        double[] lag = exchanges.stream().mapToDouble(x -> model(x.sentAt - x.plannedAt)).sorted().toArray();
        s.put("sendLag.mean", Stats.mean(lag, lag.length));
        s.put("sendLag.p99", Stats.percentile(lag, lag.length, 99));
        return s;
    }

    /** Requests sent per model second, between the first send and the last. */
    private double achievedRate() {
        if (exchanges.size() < 2) {
            return Double.NaN;
        }
        long first = exchanges.stream().mapToLong(x -> x.sentAt).min().orElseThrow();
        long last = exchanges.stream().mapToLong(x -> x.sentAt).max().orElseThrow();
        return last > first ? (exchanges.size() - 1) / model(last - first) : Double.NaN;
    }

    /** Nanoseconds of wall clock as seconds of model time. */
    private double model(long nanos) {
        return nanos / 1e9 * timeScale;
    }
}
