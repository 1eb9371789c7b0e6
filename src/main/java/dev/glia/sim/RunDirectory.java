package dev.glia.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glia.sim.metrics.Aggregate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A run directory read back, as {@link RunWriter} writes it: every figure over seeds from
 * {@code summary.json}, and the end-to-end and TTFT latencies of every logged seed's
 * {@code request_metrics.csv}. What {@code glia compare} puts side by side.
 */
public record RunDirectory(Path dir, String scenario, int seeds, Map<String, Aggregate.Stat> figures, double[] e2e,
                           double[] ttft) {

    public static RunDirectory read(Path dir) {
        Path summary = dir.resolve("summary.json");
        if (!Files.isRegularFile(summary)) {
            throw new IllegalArgumentException(dir + " is not a run directory (it has no summary.json); pass the --out "
                    + "folder of glia simulate");
        }
        try {
            JsonNode root = RunWriter.JSON.readTree(summary.toFile());
            Map<String, Aggregate.Stat> figures = new LinkedHashMap<>();
            root.path("metrics").fields().forEachRemaining(e -> {
                JsonNode m = e.getValue();
                double[] perSeed = new double[m.path("perSeed").size()];
                for (int i = 0; i < perSeed.length; i++) {
                    perSeed[i] = number(m.path("perSeed").get(i));
                }
                figures.put(e.getKey(), new Aggregate.Stat(number(m.path("mean")), number(m.path("ci90").path(0)),
                        number(m.path("ci90").path(1)), perSeed));
            });
            List<double[]> latencies = latencies(dir);
            return new RunDirectory(dir, root.path("scenario").asText(), root.path("seeds").asInt(), figures,
                    latencies.get(0), latencies.get(1));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read run directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static double number(JsonNode n) {
        return n.isNumber() ? n.asDouble() : n.isTextual() ? Double.parseDouble(n.asText()) : Double.NaN;
    }

    /** Sorted e2e and TTFT of the completed requests of every seed whose CSV logs were written. */
    private static List<double[]> latencies(Path dir) throws IOException {
        List<Double> e2e = new ArrayList<>();
        List<Double> ttft = new ArrayList<>();
        try (Stream<Path> seeds = Files.list(dir)) {
            for (Path seed : seeds.filter(p -> p.getFileName().toString().startsWith("seed-")).sorted().toList()) {
                Path csv = seed.resolve("request_metrics.csv");
                if (!Files.isRegularFile(csv)) {
                    continue;
                }
                try (BufferedReader in = Files.newBufferedReader(csv)) {
                    List<String> header = List.of(in.readLine().split(","));
                    int e = header.indexOf("e2e");
                    int t = header.indexOf("ttft");
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        String[] cells = line.split(",", -1);
                        // a request that never completed has empty timing fields
                        if (cells.length > Math.max(e, t) && !cells[e].isEmpty() && !cells[t].isEmpty()) {
                            e2e.add(Double.parseDouble(cells[e]));
                            ttft.add(Double.parseDouble(cells[t]));
                        }
                    }
                }
            }
        }
        return List.of(sorted(e2e), sorted(ttft));
    }

    private static double[] sorted(List<Double> values) {
        double[] out = values.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).toArray();
        Arrays.sort(out);
        return out;
    }
}
