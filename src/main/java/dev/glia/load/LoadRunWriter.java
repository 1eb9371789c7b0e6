package dev.glia.load;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glia.sim.RunWriter;
import dev.glia.sim.engine.ClusterConfig;
import dev.glia.sim.metrics.Aggregate;
import dev.glia.sim.scenario.Scenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes a load run as {@code glia simulate} writes a run directory, so {@code glia compare},
 * {@code RunDirectory} and the research tools read both: {@code config.json}, {@code summary.json}
 * (one seed), and {@code seed-<k>/summary.json} and {@code request_metrics.csv} with the same
 * columns. Columns a client cannot know are empty. Beside them, {@code seed-<k>/load_log.csv}
 * has what only a client has: attempts, HTTP status and the reason of each failure.
 */
public final class LoadRunWriter {
    private LoadRunWriter() {
    }

    /** Writes the run; returns the seed's figures. */
    public static Map<String, Double> write(Path dir, Scenario scenario, long seed, ClusterConfig engine,
                                            Map<String, Object> load, LoadRun run) {
        Map<String, Double> summary = run.summary(engine.model(), engine.prefillChunk());
        try {
            Path seedDir = dir.resolve("seed-" + seed);
            Files.createDirectories(seedDir);
            ObjectNode config = RunWriter.JSON.createObjectNode();
            config.set("scenario", RunWriter.JSON.valueToTree(scenario));
            config.set("load", RunWriter.JSON.valueToTree(load));
            config.put("startedAt", run.startedAt().toString());
            config.put("executionModel", engine.model().description());
            ArrayNode seeds = config.putArray("seeds");
            seeds.add(seed);
            RunWriter.writeJson(dir.resolve("config.json"), config);
            ObjectNode top = RunWriter.summaryJson(scenario.name(), 1, Aggregate.of(List.of(summary)));
            ObjectNode errors = top.putObject("errorsByKind");
            for (ErrorKind kind : ErrorKind.values()) {
                errors.put(kind.key(), run.errors().getOrDefault(kind, 0));
            }
            top.put("wallSeconds", Math.round(run.wallSeconds() * 1000) / 1000.0);
            RunWriter.writeJson(dir.resolve("summary.json"), top);
            RunWriter.writeJson(seedDir.resolve("summary.json"), RunWriter.seedSummaryJson(summary));
            Files.writeString(seedDir.resolve("request_metrics.csv"),
                    RunWriter.requestMetrics(run.outcomes(), engine.model(), engine.prefillChunk()), StandardCharsets.UTF_8);
            Files.writeString(seedDir.resolve("load_log.csv"), loadLog(run), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write run directory " + dir + ": " + e.getMessage(), e);
        }
        return summary;
    }

    private static String loadLog(LoadRun run) {
        StringBuilder out = new StringBuilder(run.exchanges().size() * 48);
        out.append("request_id,sent_at,attempts,http_status,num_decode_tokens_planned,num_decode_tokens,error,reason\n");
        for (Exchange x : run.exchanges()) {
            out.append(x.index).append(',')
                    .append(String.format(java.util.Locale.ROOT, "%.6f", x.sentAt / 1e9 * run.timeScale())).append(',')
                    .append(x.attempts).append(',').append(x.status == 0 ? "" : Integer.toString(x.status)).append(',')
                    .append(x.outputTokens).append(',').append(x.received()).append(',')
                    .append(x.error == null ? "" : x.error.key()).append(',')
                    .append(x.reason == null ? "" : csvText(x.reason)).append('\n');
        }
        return out.toString();
    }

    private static String csvText(String s) {
        return '"' + s.replace("\"", "\"\"").replace('\n', ' ').replace('\r', ' ') + '"';
    }
}
