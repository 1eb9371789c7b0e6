package dev.glia.operator.crd.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glia.catalog.Artifacts;
import dev.glia.policy.PolicyArtifact;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every example in {@code k8s-examples/} is what the cluster accepts: each Glia custom resource validates
 * against the committed CRD's schema and reads into the Java types without an unknown field, and the other
 * manifests parse with an apiVersion, a kind and a name.
 */
class ExamplesTest {
    static final Path EXAMPLES = Path.of("k8s-examples");
    static final Map<String, CrdSchema> SCHEMAS = Map.of(
            "GliaOptimization", CrdSchema.forCrd("gliaoptimizations"),
            "GliaPolicy", CrdSchema.forCrd("gliapolicies"));
    static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Test
    void everyGliaResourceInTheExamplesValidatesAgainstItsCrd() throws IOException {
        int checked = 0;
        for (Path file : examples()) {
            for (JsonNode doc : CrdSchema.read(file)) {
                assertThat(doc.path("apiVersion").asText()).as("%s: apiVersion", file).isNotBlank();
                assertThat(doc.path("kind").asText()).as("%s: kind", file).isNotBlank();
                if (doc.path("apiVersion").asText().startsWith("glia.dev/")) {
                    CrdSchema schema = SCHEMAS.get(doc.get("kind").asText());
                    assertThat(schema).as("%s: a Glia kind", file).isNotNull();
                    assertThat(schema.validate(doc)).as("%s (%s %s)", file, doc.get("kind").asText(),
                            doc.at("/metadata/name").asText()).isEmpty();
                    Class<?> type = schema.kind().equals("GliaPolicy") ? GliaPolicy.class : GliaOptimization.class;
                    assertThat(STRICT.treeToValue(doc, type)).as("%s reads into %s", file, type.getSimpleName()).isNotNull();
                    checked++;
                }
            }
        }
        assertThat(checked).as("Glia resources among the examples").isGreaterThanOrEqualTo(2);
    }

    @Test
    void theOptimizationExampleSpellsOutEverySection() {
        GliaOptimizationSpec spec = read("optimization.yaml", GliaOptimization.class).getSpec();
        assertThat(spec.target.router.service).isEqualTo("glia-router");
        assertThat(spec.target.router.adminPort).isEqualTo(8081);
        assertThat(spec.objective.goal).isEqualTo(GliaOptimizationSpec.Goal.MINIMIZE);
        assertThat(spec.research.strategy).isEqualTo(GliaOptimizationSpec.Strategy.GLIA);
        assertThat(spec.research.apiKeySecretRef.key).isEqualTo("api-key");
        assertThat(spec.rollout.mode).isEqualTo(GliaOptimizationSpec.RolloutMode.MANUAL);
        assertThat(List.of(spec.components, spec.scenario, spec.research.budgets, spec.rollout, spec.rollout.verdict,
                spec.drift, spec.autoscaling)).doesNotContainNull();
    }

    @Test
    void thePolicyExampleIsWhatGliaWritesAndItsSourceMatchesItsHash() {
        PolicyArtifact artifact = Artifacts.read(EXAMPLES.resolve("glia-policy.yaml"));
        GliaPolicy policy = read("glia-policy.yaml", GliaPolicy.class);
        assertThat(policy.getSpec().sha256).isEqualTo(artifact.spec().sha256());
        assertThat(policy.getSpec().kind).isEqualTo(GliaPolicySpec.Kind.ROUTER);
        assertThat(policy.getSpec().approved).as("written unapproved: rollout waits for review").isFalse();
        assertThat(policy.getSpec().evidence.significant).isTrue();
        assertThat(policy.getSpec().parameters).containsEntry("shortestPromptFirst", 1.0);
    }

    private static <T> T read(String name, Class<T> type) {
        try {
            return STRICT.treeToValue(CrdSchema.read(EXAMPLES.resolve(name)).get(0), type);
        } catch (IOException e) {
            throw new AssertionError(name + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> examples() throws IOException {
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
            assertThat(files).isNotEmpty();
            return files;
        }
    }
}
