package dev.glia.operator.crd.v1alpha1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A committed CRD's {@code openAPIV3Schema} as the API server applies it to a custom resource, turned into a
 * JSON Schema for networknt's validator: objects with declared properties accept no others (kubectl's default
 * strict field validation; except under {@code x-kubernetes-preserve-unknown-fields}), nulls are dropped
 * first (the API server prunes nulls of non-nullable fields), and apiVersion, kind and metadata are checked
 * as the API server does. CEL rules ({@code x-kubernetes-validations}) are not evaluated here.
 */
final class CrdSchema {
    static final Path CRDS = Path.of("crds");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Draft 4 (what OpenAPI v3.0 schemas are close to), knowing Kubernetes' own keywords as annotations. */
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4,
            b -> b.metaSchema(JsonMetaSchema.builder(JsonMetaSchema.getV4())
                    .keywords(Stream.of("x-kubernetes-validations", "x-kubernetes-preserve-unknown-fields",
                            "x-kubernetes-int-or-string", "x-kubernetes-embedded-resource", "x-kubernetes-list-type",
                            "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "nullable")
                            .map(NonValidationKeyword::new).toList())
                    .build()));

    private final String kind;
    private final JsonSchema schema;

    private CrdSchema(String kind, JsonSchema schema) {
        this.kind = kind;
        this.schema = schema;
    }

    /** The schema of {@code crds/<plural>.glia.dev-v1.yml}, e.g. {@code forCrd("gliaoptimizations")}. */
    static CrdSchema forCrd(String plural) {
        JsonNode crd = read(CRDS.resolve(plural + ".glia.dev-v1.yml")).get(0);
        String kind = crd.at("/spec/names/kind").asText();
        ObjectNode open = crd.at("/spec/versions/0/schema/openAPIV3Schema").deepCopy();
        strict(open);
        ObjectNode props = (ObjectNode) open.get("properties");
        JsonNodeFactory f = JsonNodeFactory.instance;
        props.set("apiVersion", f.objectNode().put("type", "string")
                .set("enum", f.arrayNode().add(crd.at("/spec/group").asText() + "/" + crd.at("/spec/versions/0/name").asText())));
        props.set("kind", f.objectNode().put("type", "string").set("enum", f.arrayNode().add(kind)));
        props.set("metadata", f.objectNode().put("type", "object").set("properties", f.objectNode()
                .set("name", f.objectNode().put("type", "string").put("maxLength", 253)
                        .put("pattern", "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"))));
        open.set("required", f.arrayNode().add("apiVersion").add("kind").add("metadata").add("spec"));
        JsonSchema schema = FACTORY.getSchema(open);
        return new CrdSchema(kind, schema);
    }

    String kind() {
        return kind;
    }

    /** Every violation, each as the field it names and what is wrong with it. */
    List<Violation> validate(JsonNode document) {
        JsonNode doc = withoutNulls(document.deepCopy());
        Set<ValidationMessage> messages = schema.validate(doc);
        List<Violation> out = new ArrayList<>();
        for (ValidationMessage m : messages) {
            String at = m.getInstanceLocation().toString();
            String field = m.getProperty() != null && ("required".equals(m.getType())
                    || "additionalProperties".equals(m.getType())) ? at + "." + m.getProperty() : at;
            out.add(new Violation(field.replaceFirst("^\\$\\.?", ""), m.getType(), m.getMessage()));
        }
        return out;
    }

    /** A violation: the field's path without the leading {@code $.} (spec.target.router.adminPort), the schema keyword, the message. */
    record Violation(String field, String keyword, String message) {
    }

    static List<JsonNode> read(Path file) {
        try (var parser = YAML.getFactory().createParser(Files.readString(file))) {
            List<JsonNode> docs = new ArrayList<>();
            for (Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode d = it.next();
                if (d != null && !d.isNull() && !d.isMissingNode()) {
                    docs.add(d);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** What {@code kubectl --validate=strict} does with fields the schema does not declare: refuses them. */
    private static void strict(JsonNode schema) {
        if (!(schema instanceof ObjectNode o)) {
            return;
        }
        boolean preserve = o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        if (o.has("properties") && !o.has("additionalProperties") && !preserve) {
            o.put("additionalProperties", false);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue() instanceof ArrayNode a) {
                a.forEach(CrdSchema::strict);
            } else if ("properties".equals(e.getKey())) {
                e.getValue().forEach(CrdSchema::strict);
            } else {
                strict(e.getValue());
            }
        }
    }

    private static JsonNode withoutNulls(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.properties().removeIf(e -> e.getValue().isNull());
            o.forEach(CrdSchema::withoutNulls);
        } else if (node instanceof ArrayNode a) {
            a.forEach(CrdSchema::withoutNulls);
        }
        return node;
    }
}
