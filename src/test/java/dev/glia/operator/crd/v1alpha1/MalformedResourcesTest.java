package dev.glia.operator.crd.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed GliaOptimization and GliaPolicy documents, each the valid example with one thing wrong, are refused
 * by the CRD schema with every violation naming the field that is wrong. (The rules that relate two fields are
 * CEL rules the API server evaluates; {@link CrdFreshnessTest} checks they are in the CRD.)
 */
class MalformedResourcesTest {
    private static final JsonNode OPTIMIZATION = CrdSchema.read(Path.of("k8s-examples/optimization.yaml")).get(0);
    private static final JsonNode POLICY = CrdSchema.read(Path.of("k8s-examples/glia-policy.yaml")).get(0);

    /** One malformed document: the example, one edit, and the field and schema keyword the refusal must name. */
    record Case(String what, JsonNode example, String pointer, Object value, String field, String keyword) {
        @Override
        public String toString() {
            return what;
        }
    }

    static final Object REMOVE = new Object();

    static Stream<Case> malformed() {
        return Stream.of(
                // GliaOptimization: required fields
                opt("no target", "/spec/target", REMOVE, "spec.target", "required"),
                opt("no objective statistic", "/spec/objective/statistic", REMOVE, "spec.objective.statistic", "required"),
                opt("no Prometheus URL", "/spec/target/prometheus/url", REMOVE, "spec.target.prometheus.url", "required"),
                opt("a Secret reference without its key", "/spec/research/apiKeySecretRef/key", REMOVE,
                        "spec.research.apiKeySecretRef.key", "required"),
                // wrong types
                opt("port as a string", "/spec/target/router/port", "8080", "spec.target.router.port", "type"),
                opt("router component as a word", "/spec/components/router", "yes", "spec.components.router", "type"),
                opt("fractional research contexts", "/spec/research/contexts", 2.5, "spec.research.contexts", "type"),
                opt("canary duration as a number", "/spec/rollout/canaryDuration", 15, "spec.rollout.canaryDuration", "type"),
                // bad enums and patterns
                opt("goal 'lower'", "/spec/objective/goal", "lower", "spec.objective.goal", "enum"),
                opt("strategy 'gpt'", "/spec/research/strategy", "gpt", "spec.research.strategy", "enum"),
                opt("rollout mode 'yolo'", "/spec/rollout/mode", "yolo", "spec.rollout.mode", "enum"),
                opt("scenario source 'live'", "/spec/scenario/source", "live", "spec.scenario.source", "enum"),
                opt("actuation 'hpa'", "/spec/autoscaling/actuation", "hpa", "spec.autoscaling.actuation", "enum"),
                opt("statistic 'latency'", "/spec/objective/statistic", "latency", "spec.objective.statistic", "pattern"),
                opt("wall clock 'one hour'", "/spec/research/budgets/wallClock", "one hour",
                        "spec.research.budgets.wallClock", "pattern"),
                opt("Prometheus without a scheme", "/spec/target/prometheus/url", "prometheus:9090",
                        "spec.target.prometheus.url", "pattern"),
                // out of range
                opt("admin port above 65535", "/spec/target/router/adminPort", 70000, "spec.target.router.adminPort", "maximum"),
                opt("no simulations to spend", "/spec/research/budgets/simulations", 0,
                        "spec.research.budgets.simulations", "minimum"),
                opt("negative dollars", "/spec/research/budgets/dollars", -1, "spec.research.budgets.dollars", "minimum"),
                opt("canary share 1.5", "/spec/rollout/canaryShare", 1.5, "spec.rollout.canaryShare", "maximum"),
                opt("a guardrail that tolerates nothing", "/spec/rollout/guardrails/0/maxRatio", 0.5,
                        "spec.rollout.guardrails[0].maxRatio", "minimum"),
                opt("drift threshold 0", "/spec/drift/threshold", 0, "spec.drift.threshold", "minimum"),
                opt("a verdict on no samples", "/spec/rollout/verdict/minSamples", 0,
                        "spec.rollout.verdict.minSamples", "minimum"),
                opt("a verdict on one slice (no variance to test)", "/spec/rollout/verdict/minSlices", 1,
                        "spec.rollout.verdict.minSlices", "minimum"),
                opt("alpha 0: never decisive", "/spec/rollout/verdict/alpha", 0, "spec.rollout.verdict.alpha",
                        "minimum"),
                opt("alpha 0.5: a coin toss", "/spec/rollout/verdict/alpha", 0.5, "spec.rollout.verdict.alpha",
                        "maximum"),
                opt("a negative objective margin", "/spec/rollout/verdict/objectiveMargin", -0.05,
                        "spec.rollout.verdict.objectiveMargin", "minimum"),
                opt("an error-rate margin of 5 (a rate is at most 1)", "/spec/rollout/verdict/errorRateMargin", 5,
                        "spec.rollout.verdict.errorRateMargin", "maximum"),
                opt("a slice of '30 seconds'", "/spec/rollout/verdict/sliceDuration", "30 seconds",
                        "spec.rollout.verdict.sliceDuration", "pattern"),
                opt("fractional minimum slices", "/spec/rollout/verdict/minSlices", 2.5,
                        "spec.rollout.verdict.minSlices", "type"),
                // unknown fields
                opt("a typo: spec.budget", "/spec/budget", 10, "spec.budget", "additionalProperties"),
                opt("router host (not a field)", "/spec/target/router/host", "glia", "spec.target.router.host",
                        "additionalProperties"),
                opt("wrong apiVersion", "/apiVersion", "glia.dev/v1", "apiVersion", "enum"),

                // GliaPolicy
                pol("no source", "/spec/source", REMOVE, "spec.source", "required"),
                pol("evidence without its ratio", "/spec/evidence/ratio", REMOVE, "spec.evidence.ratio", "required"),
                pol("kind 'scheduler'", "/spec/kind", "scheduler", "spec.kind", "enum"),
                pol("goal 'lower'", "/spec/evidence/goal", "lower", "spec.evidence.goal", "enum"),
                pol("a short hash", "/spec/sha256", "3efdcf4d", "spec.sha256", "pattern"),
                pol("a class name with a space", "/spec/className", "Headroom Router", "spec.className", "pattern"),
                pol("a parameter as a word", "/spec/parameters/decodeToPrefillRatio", "two",
                        "spec.parameters.decodeToPrefillRatio", "type"),
                pol("approved as 'yes'", "/spec/approved", "yes", "spec.approved", "type"),
                pol("seeds as a range", "/spec/evidence/seeds", "0-9", "spec.evidence.seeds", "type"),
                pol("a one-sided confidence interval", "/spec/evidence/baseline/ci90", List.of(30.8),
                        "spec.evidence.baseline.ci90", "minItems"),
                pol("an unknown evidence figure", "/spec/evidence/pValue", 0.01, "spec.evidence.pValue",
                        "additionalProperties"),
                pol("an empty source", "/spec/source", "", "spec.source", "minLength"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void isRefusedNamingTheField(Case c) {
        JsonNode doc = edit(c.example(), c.pointer(), c.value());
        String kind = doc.path("kind").asText();
        CrdSchema schema = CrdSchema.forCrd(kind.equals("GliaPolicy") ? "gliapolicies" : "gliaoptimizations");

        List<CrdSchema.Violation> violations = schema.validate(doc);

        assertThat(violations).as("%s: refused", c.what()).isNotEmpty();
        assertThat(violations).as("%s: every violation names %s", c.what(), c.field())
                .allSatisfy(v -> {
                    assertThat(v.field()).isEqualTo(c.field());
                    assertThat(v.keyword()).isEqualTo(c.keyword());
                    assertThat(v.message()).contains(c.field().substring(c.field().lastIndexOf('.') + 1)
                            .replaceFirst("\\[.*", ""));
                });
    }

    private static Case opt(String what, String pointer, Object value, String field, String keyword) {
        return new Case(what, OPTIMIZATION, pointer, value, field, keyword);
    }

    private static Case pol(String what, String pointer, Object value, String field, String keyword) {
        return new Case(what, POLICY, pointer, value, field, keyword);
    }

    private static JsonNode edit(JsonNode example, String pointer, Object value) {
        JsonNode doc = example.deepCopy();
        JsonPointer p = JsonPointer.compile(pointer);
        JsonNode parent = doc.at(p.head());
        String last = p.last().getMatchingProperty();
        assertThat(parent.isContainerNode()).as("%s exists in the example", p.head()).isTrue();
        if (value == REMOVE) {
            assertThat(parent.has(last)).as("%s exists in the example", pointer).isTrue();
            ((ObjectNode) parent).remove(last);
        } else if (parent instanceof ArrayNode a) {
            a.set(Integer.parseInt(last), CrdSchema.YAML.valueToTree(value));
        } else {
            ((ObjectNode) parent).set(last, CrdSchema.YAML.valueToTree(value));
        }
        return doc;
    }
}
