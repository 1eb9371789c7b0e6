package dev.glia.sim.workload;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glia.catalog.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The bundled request-length tables in {@code simulator/workloads/}: quantiles of prompt and output tokens. */
public final class LengthTables {
    /** Quantiles at probabilities i / (n - 1) of one side of a table. */
    public record Table(String name, double[] prompt, double[] output) {
    }

    private static final Map<String, Table> CACHE = new ConcurrentHashMap<>();

    private LengthTables() {
    }

    public static List<String> bundled() {
        return Resources.read("workloads/index.txt").lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).sorted().toList();
    }

    public static boolean exists(String name) {
        return bundled().contains(name);
    }

    public static Table get(String name) {
        return CACHE.computeIfAbsent(name, LengthTables::read);
    }

    private static Table read(String name) {
        if (!exists(name)) {
            throw new IllegalArgumentException("unknown length table '" + name + "'; bundled: " + String.join(", ", bundled()));
        }
        try {
            JsonNode root = Resources.YAML.readTree(Resources.read("workloads/" + name + ".yaml"));
            return new Table(name, quantiles(root, "prompt"), quantiles(root, "output"));
        } catch (IOException e) {
            throw new UncheckedIOException("bad length table " + name + ": " + e.getMessage(), e);
        }
    }

    private static double[] quantiles(JsonNode root, String side) {
        JsonNode q = root.path(side).path("quantiles");
        double[] values = new double[q.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = q.get(i).asDouble();
            if (i > 0 && values[i] < values[i - 1]) {
                throw new IllegalStateException("table " + root.path("name").asText() + " " + side
                        + " quantiles decrease at index " + i);
            }
        }
        if (values.length < 2) {
            throw new IllegalStateException("table " + root.path("name").asText() + " has no " + side + " quantiles");
        }
        return values;
    }
}
