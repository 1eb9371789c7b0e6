package dev.glia.research;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * How far a research session has spent its budgets, as one line that a program can read back: {@code glia optimize
 * --json} prints one on stderr after each experiment, beside the line for people, and the operator reads the last one
 * from a running research Job's log. The line is a JSON object with the single field {@value #FIELD}:
 *
 * <pre>{"progress":{"simulationsUsed":12,"simulationsBudget":40,"usd":0.0,"usdBudget":5.0}}</pre>
 *
 * <p>Totals over every component of the session (the budgets are the whole session's, not one component's share).
 * Unknown fields are ignored, so fields may be added.
 */
public record SessionProgress(int simulationsUsed, int simulationsBudget, double usd, double usdBudget) {
    /** The one field of a progress line. */
    public static final String FIELD = "progress";
    private static final String PREFIX = "{\"" + FIELD + "\":";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The line, without its line break. */
    public String line() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode p = root.putObject(FIELD);
        p.put("simulationsUsed", simulationsUsed);
        p.put("simulationsBudget", simulationsBudget);
        p.put("usd", usd);
        p.put("usdBudget", usdBudget);
        return root.toString();
    }

    /** The progress of one line, or empty when it is not a progress line. */
    public static Optional<SessionProgress> parse(String line) {
        String l = line == null ? "" : line.strip();
        if (!l.startsWith(PREFIX)) {
            return Optional.empty();
        }
        try {
            JsonNode p = JSON.readTree(l).path(FIELD);
            if (!p.path("simulationsUsed").isNumber() || !p.path("simulationsBudget").isNumber()) {
                return Optional.empty();
            }
            return Optional.of(new SessionProgress(p.get("simulationsUsed").asInt(),
                    p.get("simulationsBudget").asInt(), p.path("usd").asDouble(), p.path("usdBudget").asDouble()));
        } catch (IOException e) {
            return Optional.empty(); // a line cut short (a log read while it was written)
        }
    }

    /** The last progress line of {@code log} (stdout and stderr together, in any order); empty when none. */
    public static Optional<SessionProgress> last(String log) {
        List<String> lines = log == null ? List.of() : log.lines().toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            Optional<SessionProgress> p = parse(lines.get(i));
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }
}
