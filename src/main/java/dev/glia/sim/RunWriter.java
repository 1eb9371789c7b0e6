package dev.glia.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glia.sim.engine.Request;
import dev.glia.sim.engine.RunLog;
import dev.glia.sim.engine.SimulationResult;
import dev.glia.vllm.exec.ExecutionModel;
import dev.glia.sim.metrics.Aggregate;
import dev.glia.sim.metrics.RequestOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes a run directory: {@code config.json} and {@code summary.json} at the top, and per seed
 * {@code seed-<k>/} with {@code summary.json}, {@code request_metrics.csv}, {@code reqs_log.csv},
 * {@code gs_log.csv} and {@code batch_log.csv} (names from the Glia paper, so its prompts carry over).
 */
public final class RunWriter {
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private RunWriter() {
    }

    public static void write(Path dir, Experiment.Result result, Map<String, Object> policies) {
        write(dir, result, policies, Integer.MAX_VALUE);
    }

    /** As {@link #write(Path, Experiment.Result, Map)}, with the CSV logs of the first {@code logSeeds} seeds only. */
    public static void write(Path dir, Experiment.Result result, Map<String, Object> policies, int logSeeds) {
        try {
            Files.createDirectories(dir);
            ObjectNode config = JSON.createObjectNode();
            config.set("scenario", JSON.valueToTree(result.scenario()));
            config.set("policies", JSON.valueToTree(policies));
            config.put("executionModel", result.engine().model().description());
            config.put("decodeRuns", result.engine().engine().decodeRuns());
            ArrayNode seeds = config.putArray("seeds");
            result.runs().forEach(r -> seeds.add(r.seed()));
            writeJson(dir.resolve("config.json"), config);
            writeJson(dir.resolve("summary.json"), summaryJson(result));
            result.runs().subList(0, Math.min(logSeeds, result.runs().size())).parallelStream()
                    .forEach(run -> writeSeed(dir.resolve("seed-" + run.seed()), run, result.engine().model(),
                            result.engine().prefillChunk()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write run directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Every figure: mean over seeds, 90% CI, per-seed values. */
    public static ObjectNode summaryJson(Experiment.Result result) {
        return summaryJson(result.scenario().name(), result.runs().size(), result.aggregate());
    }

    /** As {@link #summaryJson(Experiment.Result)}, for figures of runs made elsewhere (e.g. by a load generator). */
    public static ObjectNode summaryJson(String scenario, int seeds, Map<String, Aggregate.Stat> aggregate) {
        ObjectNode root = JSON.createObjectNode();
        root.put("scenario", scenario);
        root.put("seeds", seeds);
        ObjectNode metrics = root.putObject("metrics");
        aggregate.forEach((key, stat) -> {
            ObjectNode m = metrics.putObject(key);
            m.put("mean", round(stat.mean()));
            m.putArray("ci90").add(round(stat.lo())).add(round(stat.hi()));
            ArrayNode per = m.putArray("perSeed");
            for (double v : stat.perSeed()) {
                per.add(round(v));
            }
        });
        return root;
    }

    static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e6) / 1e6 : v;
    }

    private static void writeSeed(Path dir, Experiment.SeedRun run, ExecutionModel model, int chunk) {
        try {
            Files.createDirectories(dir);
            writeJson(dir.resolve("summary.json"), seedSummaryJson(run.summary()));
            SimulationResult r = run.result();
            write(dir.resolve("request_metrics.csv"), requestMetrics(r, model, chunk));
            write(dir.resolve("reqs_log.csv"), reqsLog(r));
            write(dir.resolve("gs_log.csv"), gsLog(r.log()));
            write(dir.resolve("batch_log.csv"), batchLog(r.log()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir + ": " + e.getMessage(), e);
        }
    }

    /** One seed's figures, as {@code seed-<k>/summary.json} holds them. */
    public static ObjectNode seedSummaryJson(Map<String, Double> summary) {
        ObjectNode node = JSON.createObjectNode();
        summary.forEach((k, v) -> node.put(k, round(v)));
        return node;
    }

    public static String requestMetrics(SimulationResult r, ExecutionModel model, int chunk) {
        return requestMetrics(r.requests().stream().map(RequestOutcome::of).toList(), model, chunk);
    }

    /** {@code request_metrics.csv}: what an observer cannot know (null, NaN) is an empty field. */
    public static String requestMetrics(List<RequestOutcome> outcomes, ExecutionModel model, int chunk) {
        StringBuilder out = new StringBuilder(outcomes.size() * 120);
        out.append("request_id,replica_id,arrived_at,num_prefill_tokens,num_decode_tokens,scheduled_at,"
                + "first_token_at,completed_at,e2e,ttft,tpot,queue_delay,restarts,slowdown\n");
        for (RequestOutcome q : outcomes) {
            double e2e = q.e2e();
            out.append(q.index()).append(',').append(orEmpty(q.replicaId())).append(',');
            Csv.fixed(out, q.arrival(), 6).append(',').append(q.promptTokens()).append(',').append(q.outputTokens()).append(',');
            Csv.fixed(out, q.scheduledAt(), 6).append(',');
            Csv.fixed(out, q.firstTokenAt(), 6).append(',');
            Csv.fixed(out, q.completedAt(), 6).append(',');
            Csv.fixed(out, e2e, 6).append(',');
            Csv.fixed(out, q.ttft(), 6).append(',');
            Csv.fixed(out, q.tpot(), 6).append(',');
            Csv.fixed(out, q.queueDelay(), 6).append(',').append(orEmpty(q.restarts())).append(',');
            Csv.fixed(out, e2e / model.idealLatency(q.promptTokens(), q.outputTokens(), chunk), 4).append('\n');
        }
        return out.toString();
    }

    private static String orEmpty(Integer value) {
        return value == null ? "" : value.toString();
    }

    private static String reqsLog(SimulationResult r) {
        RunLog.Columns t = r.log().routes;
        StringBuilder out = new StringBuilder(t.rows() * 40);
        out.append("time,replica_id,request_id,num_prefill_tokens,num_decode_tokens\n");
        for (int i = 0; i < t.rows(); i++) {
            Request q = r.requests().get(t.i(1, i));
            Csv.fixed(out, t.d(0, i), 6).append(',').append(t.i(0, i)).append(',').append(t.i(1, i)).append(',')
                    .append(q.promptTokens()).append(',').append(q.outputTokens()).append('\n');
        }
        return out.toString();
    }

    private static String gsLog(RunLog log) {
        RunLog.Columns t = log.gs;
        StringBuilder out = new StringBuilder(t.rows() * 40);
        out.append("time,replica_id,num_pending_requests,num_active_requests,num_allocated_blocks,num_blocks,"
                + "memory_usage_percent\n");
        for (int i = 0; i < t.rows(); i++) {
            Csv.fixed(out, t.d(0, i), 6).append(',').append(t.i(0, i)).append(',').append(t.i(1, i)).append(',')
                    .append(t.i(2, i)).append(',').append(t.i(3, i)).append(',').append(t.i(4, i)).append(',');
            Csv.fixed(out, 100.0 * t.i(3, i) / t.i(4, i), 2).append('\n');
        }
        return out.toString();
    }

    private static String batchLog(RunLog log) {
        RunLog.Columns t = log.batches;
        StringBuilder out = new StringBuilder(t.rows() * 40);
        out.append("replica_id,start,end,iterations,size,tokens,prefill_tokens,preemptions\n");
        for (int i = 0; i < t.rows(); i++) {
            out.append(t.i(0, i)).append(',');
            Csv.fixed(out, t.d(0, i), 6).append(',');
            Csv.fixed(out, t.d(1, i), 6).append(',').append(t.i(1, i)).append(',').append(t.i(2, i)).append(',')
                    .append(t.i(3, i)).append(',').append(t.i(4, i)).append(',').append(t.i(5, i)).append('\n');
        }
        return out.toString();
    }

    public static void writeJson(Path file, Object node) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(node) + "\n", StandardCharsets.UTF_8);
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
