package dev.glia.engine;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code --request-log}: one CSV row per finished request, on the model clock, with what only the
 * engine knows (when it was scheduled, how often it was preempted). Rows are appended by the
 * engines' clock threads; the file is flushed when closed.
 */
public final class RequestLog implements Consumer<WallClockEngine.FinishedRequest>, AutoCloseable {
    static final String HEADER = "engine,request_id,arrived_at,scheduled_at,first_token_at,completed_at,"
            + "num_prefill_tokens,num_decode_tokens,preemptions,finish_reason";
    private final BufferedWriter out;

    private RequestLog(BufferedWriter out) {
        this.out = out;
    }

    public static RequestLog open(Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            out.write(HEADER);
            out.newLine();
            return new RequestLog(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the request log " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void accept(WallClockEngine.FinishedRequest r) {
        RequestTimes t = r.times();
        try {
            out.write(String.format(Locale.ROOT, "%d,%s,%.6f,%.6f,%.6f,%.6f,%d,%d,%d,%s", r.engine(),
                    csv(r.requestId()), t.arrived(), t.scheduled(), t.firstToken(), t.finished(), t.promptTokens(),
                    t.generatedTokens(), t.preemptions(), r.finishReason()));
            out.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
