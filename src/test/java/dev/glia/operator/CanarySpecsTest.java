package dev.glia.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.glia.control.CanaryCriteria;
import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The criteria and the slice the canary's verdict is given, as {@code spec.rollout.verdict} sets them. */
class CanarySpecsTest {
    private static final Duration OPERATORS_SLICE = Duration.ofSeconds(30);

    private static GliaOptimizationSpec example() throws IOException {
        return Examples.read(Examples.OPTIMIZATION).getSpec();
    }

    @Test
    void withoutAVerdictSectionTheCriteriaAndTheSliceAreTheDefaults() throws IOException {
        GliaOptimizationSpec spec = example();
        spec.rollout.verdict = null;

        CanaryCriteria c = CanarySpecs.criteria(spec);

        assertThat(c).isEqualTo(CanaryCriteria.of(c.objective(), c.guardrails()));
        assertThat(c.guardrails()).containsExactly(CanaryCriteria.Guardrail.ratio("ttft.p99", 1.2),
                CanaryCriteria.Guardrail.ratio("e2e.p99", 1.2), CanaryCriteria.Guardrail.atMost("ttft.p99", 5.0));
        assertThat(CanarySpecs.slice(spec, OPERATORS_SLICE)).isEqualTo(OPERATORS_SLICE);
        spec.rollout = null;
        assertThat(CanarySpecs.criteria(spec)).isEqualTo(CanaryCriteria.of(c.objective(),
                List.of(CanaryCriteria.Guardrail.atMost("ttft.p99", 5.0))));
        assertThat(CanarySpecs.slice(spec, OPERATORS_SLICE)).isEqualTo(OPERATORS_SLICE);
    }

    @Test
    void theExampleSpellsOutTheDefaults() throws IOException {
        CanaryCriteria c = CanarySpecs.criteria(example());

        assertThat(c).isEqualTo(CanaryCriteria.of(c.objective(), c.guardrails()));
        assertThat(CanarySpecs.slice(example(), OPERATORS_SLICE)).isEqualTo(OPERATORS_SLICE);
    }

    @Test
    void everyVerdictFieldReachesTheCriteriaAndAlphaHoldsAtTheDeadlineToo() throws IOException {
        GliaOptimizationSpec spec = example();
        GliaOptimizationSpec.Verdict v = spec.rollout.verdict;
        v.minSamples = 1000;
        v.minSlices = 8;
        v.alpha = 0.01;
        v.objectiveMargin = 0.1;
        v.errorRateMargin = 0.02;
        v.sliceDuration = "1m";

        CanaryCriteria c = CanarySpecs.criteria(spec);

        assertThat(c.minSamples()).isEqualTo(1000);
        assertThat(c.minSlices()).isEqualTo(8);
        assertThat(c.alpha()).isEqualTo(0.01);
        assertThat(c.finalAlpha()).as("one alpha for every look").isEqualTo(0.01);
        assertThat(c.objectiveMargin()).isEqualTo(0.1);
        assertThat(c.errorRateMargin()).isEqualTo(0.02);
        assertThat(CanarySpecs.slice(spec, OPERATORS_SLICE)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aFieldLeftOutKeepsItsDefault() throws IOException {
        GliaOptimizationSpec spec = example();
        spec.rollout.verdict = new GliaOptimizationSpec.Verdict();
        spec.rollout.verdict.alpha = 0.05;

        CanaryCriteria c = CanarySpecs.criteria(spec);

        assertThat(c.minSamples()).isEqualTo(CanaryCriteria.DEFAULT_MIN_SAMPLES);
        assertThat(c.minSlices()).isEqualTo(CanaryCriteria.DEFAULT_MIN_SLICES);
        assertThat(c.alphaAt(false)).isEqualTo(0.05);
        assertThat(c.alphaAt(true)).isEqualTo(0.05);
        assertThat(c.objectiveMargin()).isEqualTo(CanaryCriteria.DEFAULT_OBJECTIVE_MARGIN);
        assertThat(c.errorRateMargin()).isEqualTo(CanaryCriteria.DEFAULT_ERROR_RATE_MARGIN);
        assertThat(CanarySpecs.slice(spec, OPERATORS_SLICE)).isEqualTo(OPERATORS_SLICE);
    }

    @Test
    void theDefaultsTheApiServerWritesAreTheCriteriasOwn() throws IOException {
        JsonNode crd = new ObjectMapper(new YAMLFactory()).readTree(Path.of("crds/gliaoptimizations.glia.dev-v1.yml")
                .toFile());
        JsonNode verdict = crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/rollout"
                + "/properties/verdict");
        assertThat(verdict.at("/default").isObject()).as("an absent verdict is defaulted as a whole").isTrue();
        JsonNode fields = verdict.get("properties");

        assertThat(fields.at("/minSamples/default").asLong()).isEqualTo(CanaryCriteria.DEFAULT_MIN_SAMPLES);
        assertThat(fields.at("/minSlices/default").asInt()).isEqualTo(CanaryCriteria.DEFAULT_MIN_SLICES);
        assertThat(fields.at("/alpha/default").asDouble()).isEqualTo(CanaryCriteria.DEFAULT_ALPHA);
        assertThat(fields.at("/objectiveMargin/default").asDouble()).isEqualTo(CanaryCriteria.DEFAULT_OBJECTIVE_MARGIN);
        assertThat(fields.at("/errorRateMargin/default").asDouble()).isEqualTo(CanaryCriteria.DEFAULT_ERROR_RATE_MARGIN);
        assertThat(fields.at("/sliceDuration/default").isMissingNode()).as("the operator's flag decides").isTrue();
    }
}
