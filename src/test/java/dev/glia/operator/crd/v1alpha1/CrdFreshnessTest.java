package dev.glia.operator.crd.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed CRDs ({@code crds/}, and the chart's copy in {@code helm/glia/crds/}) are what the Java types
 * generate today, and carry what the operator and users rely on: the status subresource, the printer columns,
 * the CEL rules.
 */
class CrdFreshnessTest {
    static final String REGENERATE = "regenerate them with `./mvnw -B -Pcrds process-classes` and commit crds/ and"
            + " helm/glia/crds/";
    static final List<Path> COMMITTED = List.of(Path.of("crds"), Path.of("helm/glia/crds"));

    @TempDir
    static Path generated;

    @BeforeAll
    static void generate() {
        new CRDGenerator().customResourceClasses(GliaOptimization.class, GliaPolicy.class).forCRDVersions("v1")
                .inOutputDir(generated.toFile()).generate();
    }

    @Test
    void committedCrdsAreWhatTheJavaTypesGenerate() throws IOException {
        List<Path> fresh = files(generated);
        assertThat(fresh).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("gliaoptimizations.glia.dev-v1.yml", "gliapolicies.glia.dev-v1.yml");
        for (Path dir : COMMITTED) {
            assertThat(files(dir)).as("the CRDs in %s; %s", dir, REGENERATE).extracting(p -> p.getFileName().toString())
                    .containsExactlyInAnyOrderElementsOf(fresh.stream().map(p -> p.getFileName().toString()).toList());
            for (Path f : fresh) {
                Path committed = dir.resolve(f.getFileName());
                assertThat(Files.readString(committed)).as("%s is stale: %s", committed, REGENERATE)
                        .isEqualTo(Files.readString(f));
            }
        }
    }

    @Test
    void bothKindsAreNamespacedInGliaDevV1alpha1WithTheStatusSubresource() {
        for (String plural : List.of("gliaoptimizations", "gliapolicies")) {
            JsonNode crd = crd(plural);
            assertThat(crd.at("/spec/group").asText()).isEqualTo("glia.dev");
            assertThat(crd.at("/spec/scope").asText()).isEqualTo("Namespaced");
            assertThat(crd.at("/spec/versions/0/name").asText()).isEqualTo("v1alpha1");
            assertThat(crd.at("/spec/versions/0/subresources/status").isObject())
                    .as("%s: the operator writes status through the status subresource", plural).isTrue();
        }
    }

    @Test
    void kubectlGetGliaOptimizationsShowsPhaseProgressImprovementActiveAndAge() {
        assertThat(columns("gliaoptimizations")).containsExactlyInAnyOrder(
                "Phase=.status.phase", "Progress=.status.progress.summary", "Improvement=.status.best.improvement",
                "Active=.status.activePolicy", "Age=.metadata.creationTimestamp");
        assertThat(columns("gliapolicies")).containsExactlyInAnyOrder("Kind=.spec.kind", "Approved=.spec.approved",
                "Verified=.status.verified", "Ratio=.spec.evidence.ratio", "Age=.metadata.creationTimestamp");
    }

    @Test
    void everyGliaPolicySpecFieldButApprovedIsImmutable() {
        JsonNode spec = crd("gliapolicies").at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
        assertThat(immutable(spec)).containsExactlyInAnyOrder("kind", "className", "parameters", "sha256", "source",
                "reportRef");
        assertThat(immutable(spec.at("/properties/workload"))).containsExactlyInAnyOrder("scenario", "description");
        assertThat(immutable(spec.at("/properties/evidence"))).containsExactlyInAnyOrder("metric", "goal", "seeds",
                "searchSeeds", "baseline", "candidate", "ratio", "significant");
        assertThat(rules(spec)).singleElement().asString()
                .contains("has(self.workload) == has(oldSelf.workload)", "has(self.reportRef) == has(oldSelf.reportRef)");
    }

    /** The properties of an object schema that carry {@code self == oldSelf}. */
    private static List<String> immutable(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.get("properties").fields().forEachRemaining(e -> {
            if (rules(e.getValue()).contains("self == oldSelf")) {
                out.add(e.getKey());
            }
        });
        return out;
    }

    @Test
    void theRulesThatRelateTwoFieldsAreCelRulesOnTheirObject() {
        JsonNode spec = crd("gliaoptimizations").at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties");
        assertThat(rules(spec.at("/target/properties/router"))).containsExactly("has(self.service) != has(self.url)");
        assertThat(rules(spec.at("/target/properties/engines"))).containsExactly("has(self.deployment) != has(self.selector)");
        assertThat(rules(spec.get("components"))).containsExactly("self.router || self.batchPriority || self.autoscaler");
        assertThat(rules(spec.get("research"))).containsExactly("self.strategy == 'tuner' || has(self.model)");
        assertThat(rules(spec.get("scenario"))).hasSize(2);
        assertThat(rules(spec.get("autoscaling"))).hasSize(1);
        assertThat(rules(spec.at("/objective/properties/constraints/items"))).containsExactly("has(self.max) || has(self.min)");
    }

    static JsonNode crd(String plural) {
        return CrdSchema.read(CrdSchema.CRDS.resolve(plural + ".glia.dev-v1.yml")).get(0);
    }

    private static List<String> columns(String plural) {
        List<String> out = new ArrayList<>();
        crd(plural).at("/spec/versions/0/additionalPrinterColumns")
                .forEach(c -> out.add(c.get("name").asText() + "=" + c.get("jsonPath").asText()));
        return out;
    }

    private static List<String> rules(JsonNode schema) {
        List<String> out = new ArrayList<>();
        schema.path("x-kubernetes-validations").forEach(r -> out.add(r.get("rule").asText()));
        return out;
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
