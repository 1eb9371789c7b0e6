package dev.glia.research;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The research notebook: observations, hypotheses, experiments, findings and decisions, in order.
 * Every entry is appended to {@code transcript.jsonl} as it happens, so a crash loses nothing.
 * Texts are clipped (a model's reply can run to hundreds of kilobytes): an entry keeps its first
 * {@value #MAX_TEXT} characters, the report quotes its first {@value #MAX_QUOTE}.
 */
public final class Notebook {
    public enum Kind { TASK, OBSERVATION, HYPOTHESIS, EXPERIMENT, FINDING, DECISION, SUPERVISOR, RESEARCHER, TOOL, ERROR }

    public record Entry(int step, Kind kind, String title, String text, Map<String, Object> data) {
    }

    static final int MAX_TEXT = 20_000;
    static final int MAX_QUOTE = 2_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Entry> entries = new ArrayList<>();
    private final Path transcript;

    public Notebook(Path transcript) {
        this.transcript = transcript;
        try {
            Files.createDirectories(transcript.getParent());
            Files.writeString(transcript, "", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + transcript + ": " + e.getMessage(), e);
        }
    }

    public synchronized Entry add(Kind kind, String title, String text) {
        return add(kind, title, text, Map.of());
    }

    public synchronized Entry add(Kind kind, String title, String text, Map<String, Object> data) {
        Entry e = new Entry(entries.size() + 1, kind, clip(title, 300), clip(text, MAX_TEXT), new LinkedHashMap<>(data));
        entries.add(e);
        try {
            Files.writeString(transcript, JSON.writeValueAsString(e) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot append to " + transcript + ": " + ex.getMessage(), ex);
        }
        return e;
    }

    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** The notebook as Markdown, for the report. */
    public synchronized String markdown() {
        StringBuilder out = new StringBuilder();
        for (Entry e : entries) {
            if (e.kind() == Kind.TOOL) {
                continue;
            }
            out.append("**").append(e.step()).append(". ").append(label(e.kind())).append(":** ")
                    .append(e.title()).append("\n\n");
            if (!e.text().isBlank()) {
                out.append(clip(e.text().strip(), MAX_QUOTE)).append("\n\n");
            }
        }
        return out.toString();
    }

    private static String label(Kind kind) {
        String s = kind.name().toLowerCase();
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** The text cut to {@code max} characters, saying how much was left out. */
    public static String clip(String text, int max) {
        if (text == null || text.length() <= max) {
            return text == null ? "" : text;
        }
        return text.substring(0, max) + " … (" + (text.length() - max) + " more characters)";
    }
}
