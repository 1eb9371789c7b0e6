package dev.glia.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A recorded autoscaling run ({@link AutoscalingRecorder}): the run's settings, then per tick of the operator's
 * autoscaling driver the engine pods as the API server listed them, every PromQL query the driver sent with
 * Prometheus' answer (the instant vector, values as Prometheus wrote them), and what the driver decided. Gzipped JSON
 * lines: the first line is the {@link Header}, each further line a {@link Tick}.
 */
record RecordedAutoscaling(Header header, List<Tick> ticks) {
    /** Where the test reads the recording from (the classpath). */
    static final String RESOURCE = "/dev/glia/operator/glia-sinusoid-autoscale.recorded.jsonl.gz";

    /**
     * @param started the wall-clock instant the driver started (its model clock's zero)
     * @param machine where and how it was recorded, for people
     */
    record Header(String scenario, String policy, double timeScale, String interval, String namespace,
            String deployment, int initialReplicas, int minReplicas, int maxReplicas, Instant started,
            String machine) {
    }

    /** One series of an instant vector as Prometheus answered it. */
    record Series(Map<String, String> labels, String value) {
    }

    /**
     * @param at       the wall-clock instant of the tick
     * @param pods     the engine pods by name: {@code ready}, {@code starting} or {@code draining}
     * @param answers  every query the driver sent, in order, with the answer
     * @param answer   the policy's answer
     * @param desired  the decided count (the answer within min..max)
     * @param reason   the decision's reason
     * @param replicas the Deployment's {@code spec.replicas} after the tick
     */
    record Tick(Instant at, Map<String, String> pods, Map<String, List<Series>> answers, int answer, int desired,
            String reason, int replicas) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    static RecordedAutoscaling read(InputStream gz) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(gz),
                StandardCharsets.UTF_8))) {
            Header header = null;
            List<Tick> ticks = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode n = JSON.readTree(line);
                if (header == null) {
                    header = new Header(n.get("scenario").asText(), n.get("policy").asText(),
                            n.get("timeScale").asDouble(), n.get("interval").asText(), n.get("namespace").asText(),
                            n.get("deployment").asText(), n.get("initialReplicas").asInt(),
                            n.get("minReplicas").asInt(), n.get("maxReplicas").asInt(),
                            Instant.parse(n.get("started").asText()), n.get("machine").asText());
                    continue;
                }
                Map<String, String> pods = new LinkedHashMap<>();
                n.get("pods").fields().forEachRemaining(e -> pods.put(e.getKey(), e.getValue().asText()));
                Map<String, List<Series>> answers = new LinkedHashMap<>();
                n.get("answers").fields().forEachRemaining(e -> {
                    List<Series> series = new ArrayList<>();
                    for (JsonNode s : e.getValue()) {
                        Map<String, String> labels = new LinkedHashMap<>();
                        s.get("metric").fields().forEachRemaining(l -> labels.put(l.getKey(), l.getValue().asText()));
                        series.add(new Series(labels, s.get("value").get(1).asText()));
                    }
                    answers.put(e.getKey(), series);
                });
                ticks.add(new Tick(Instant.parse(n.get("at").asText()), pods, answers, n.get("answer").asInt(),
                        n.get("desired").asInt(), n.get("reason").asText(), n.get("replicas").asInt()));
            }
            return new RecordedAutoscaling(header, List.copyOf(ticks));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the header; then {@link #write(Writer, Tick, Map)} each tick. */
    static Writer open(OutputStream out, Header h) throws IOException {
        Writer w = new java.io.OutputStreamWriter(new GZIPOutputStream(out), StandardCharsets.UTF_8);
        ObjectNode n = JSON.createObjectNode().put("scenario", h.scenario()).put("policy", h.policy())
                .put("timeScale", h.timeScale()).put("interval", h.interval()).put("namespace", h.namespace())
                .put("deployment", h.deployment()).put("initialReplicas", h.initialReplicas())
                .put("minReplicas", h.minReplicas()).put("maxReplicas", h.maxReplicas())
                .put("started", h.started().toString()).put("machine", h.machine());
        w.write(JSON.writeValueAsString(n) + "\n");
        return w;
    }

    /** A tick, its answers given as Prometheus' {@code data.result} arrays (kept as Prometheus wrote them). */
    static void write(Writer w, Tick t, Map<String, JsonNode> results) throws IOException {
        ObjectNode n = JSON.createObjectNode().put("at", t.at().toString());
        ObjectNode pods = n.putObject("pods");
        t.pods().forEach(pods::put);
        ObjectNode answers = n.putObject("answers");
        results.forEach((q, r) -> answers.set(q, r == null ? JSON.createArrayNode() : (ArrayNode) r));
        n.put("answer", t.answer()).put("desired", t.desired()).put("reason", t.reason())
                .put("replicas", t.replicas());
        w.write(JSON.writeValueAsString(n) + "\n");
    }
}
