package dev.glia.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a router is told to run, the same shape for the router (which parses and loads it) and the control plane
 * (which hands it on): a router and, under priority scheduling, a batch priority, each a name (a built-in
 * or a bundled reference such as {@code hra-spf}) or Java source, with parameters. The same document arrives from the
 * command line, the watched policy file (a ConfigMap, under GitOps) and the admin endpoint:
 *
 * <pre>
 * router:
 *   name: hra-spf              # or source: |  (the Java source of a dev.glia.policy.Router)
 *   parameters: {decodeToPrefillRatio: 2.0}
 * batchPriority:
 *   name: spf
 * </pre>
 */
public record PolicyDocument(Part router, Part batchPriority) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> TOP = Set.of("router", "batchPriority");
    private static final Set<String> PART = Set.of("name", "source", "parameters");

    /** One policy: exactly one of {@code name} and {@code source}; parameters in their given order. */
    public record Part(String name, String source, Map<String, Double> parameters) {
        public Part {
            if ((name == null) == (source == null)) {
                throw new IllegalArgumentException("a policy part needs exactly one of name and source");
            }
            parameters = parameters == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        }

        public static Part named(String name) {
            return new Part(name, null, Map.of());
        }

        public static Part named(String name, Map<String, Double> parameters) {
            return new Part(name, null, parameters);
        }

        public static Part source(String source, Map<String, Double> parameters) {
            return new Part(null, source, parameters);
        }

        /** The name, or {@code "<source>"} for inline source: how logs and the admin API name it. */
        public String label() {
            return name != null ? name : "<source>";
        }
    }

    public PolicyDocument {
        if (router == null) {
            throw new IllegalArgumentException("a policy needs a router");
        }
    }

    /** A router by name, without a batch priority. */
    public static PolicyDocument router(String name) {
        return router(name, Map.of());
    }

    public static PolicyDocument router(String name, Map<String, Double> parameters) {
        return new PolicyDocument(Part.named(name, parameters), null);
    }

    /** Parses a YAML (or JSON) document; an IllegalArgumentException says what is wrong and where. */
    public static PolicyDocument parse(String text, String origin) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(origin + ": not YAML or JSON: " + e.getOriginalMessage());
        }
        return parse(root, origin);
    }

    /** The same from a parsed tree (a canary request carries the policy as one field). */
    public static PolicyDocument parse(JsonNode root, String origin) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(origin + ": expected a mapping with `router` (and optionally"
                    + " `batchPriority`), e.g. `router: {name: hra-spf}`");
        }
        unknown(root, TOP, origin);
        if (!root.has("router")) {
            throw new IllegalArgumentException(origin + ": `router` is missing, e.g. `router: {name: llq}`");
        }
        return new PolicyDocument(part(root.get("router"), origin + ": router"),
                root.hasNonNull("batchPriority") ? part(root.get("batchPriority"), origin + ": batchPriority") : null);
    }

    private static Part part(JsonNode node, String where) {
        if (node.isTextual()) {
            return Part.named(node.asText(), Map.of());
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + ": expected a name or a mapping with `name` or `source`");
        }
        unknown(node, PART, where);
        String name = text(node, "name", where);
        String source = text(node, "source", where);
        if ((name == null) == (source == null)) {
            throw new IllegalArgumentException(where + ": give exactly one of `name` (a built-in or bundled policy)"
                    + " and `source` (Java source)");
        }
        Map<String, Double> parameters = new LinkedHashMap<>();
        JsonNode p = node.get("parameters");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) {
                throw new IllegalArgumentException(where + ".parameters: expected a mapping of names to numbers");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                if (v.isBoolean()) {
                    parameters.put(e.getKey(), v.asBoolean() ? 1.0 : 0.0);
                } else if (v.isNumber() && Double.isFinite(v.asDouble())) {
                    parameters.put(e.getKey(), v.asDouble());
                } else {
                    throw new IllegalArgumentException(where + ".parameters." + e.getKey() + ": expected a number, got "
                            + v);
                }
            }
        }
        return new Part(name, source, parameters);
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException(where + "." + field + ": expected a non-empty string");
        }
        return v.asText();
    }

    private static void unknown(JsonNode node, Set<String> known, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new IllegalArgumentException(where + ": unknown field `" + f + "` (expected one of "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }
}
