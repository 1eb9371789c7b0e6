package dev.glia.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glia.catalog.Artifacts;
import dev.glia.policy.PolicyArtifact;
import dev.glia.sim.metrics.Aggregate;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The bundled reference policies, run from source through the sandbox, do what the paper found. */
class ReferencePoliciesTest {
    static Experiment.Result run(String scenario, String router, String priority, String autoscaler, int seeds) {
        Scenario s = ScenarioLoader.override(ScenarioLoader.load(scenario), null, null, router, priority, autoscaler);
        return new Experiment(s).run(seeds, PolicySet.of(s, Map.of()).factories(),
                Runtime.getRuntime().availableProcessors(), n -> { });
    }

    @ParameterizedTest(name = "{1} from source behaves exactly like the built-in {0}")
    @CsvSource({"llq, llq-source", "lor, lor-source", "round-robin, round-robin-source"})
    void baselinesWrittenAsPolicySourceEqualTheBuiltIns(String builtin, String source) {
        Experiment.Result a = run("low-load", builtin, null, null, 1);
        Experiment.Result b = run("low-load", source, null, null, 1);
        Experiment.SeedRun x = a.runs().get(0);
        Experiment.SeedRun y = b.runs().get(0);
        assertThat(RunWriter.requestMetrics(y.result(), a.engine().model(), 8192))
                .isEqualTo(RunWriter.requestMetrics(x.result(), a.engine().model(), 8192));
    }

    @Test
    void headroomAdmissionWithShortestPromptFirstCutsLatencyAndAlmostAllRestarts() {
        Map<String, Aggregate.Stat> llq = run("glia-sharegpt-a10", "llq", null, null, 10).aggregate();
        Map<String, Aggregate.Stat> hra = run("glia-sharegpt-a10", "hra-spf", null, null, 10).aggregate();
        assertThat(hra.get("e2e.mean").mean()).isLessThanOrEqualTo(0.65 * llq.get("e2e.mean").mean());
        assertThat(hra.get("e2e.mean").hi()).isLessThan(llq.get("e2e.mean").lo());
        assertThat(hra.get("restartedFraction").mean()).isLessThan(0.05);
        assertThat(hra.get("completed").mean()).isEqualTo(hra.get("requests").mean());
    }

    @Test
    void shortestPromptFirstBatchPriorityImprovesOnLlq() {
        Map<String, Aggregate.Stat> fcfs = run("glia-sharegpt-a10", "llq", null, null, 10).aggregate();
        Map<String, Aggregate.Stat> spf = run("glia-sharegpt-a10", "llq", "spf", null, 10).aggregate();
        assertThat(spf.get("e2e.mean").hi()).isLessThan(fcfs.get("e2e.mean").lo());
    }

    @Test
    void theProportionalAutoscalerUsesFewerGpuHoursWithinTheSlowdownTarget() {
        Scenario s = ScenarioLoader.load("glia-sinusoid-autoscale");
        Experiment.Result baseline = new Experiment(s).run(2, PolicySet.of(s, Map.of()).factories(), 2, n -> { });
        Scenario p = ScenarioLoader.override(s, null, null, null, null, "proportional");
        Experiment.Result proportional = new Experiment(p).run(2, PolicySet.of(p, Map.of()).factories(), 2, n -> { });
        assertThat(proportional.aggregate().get("gpuHours").mean())
                .isLessThan(baseline.aggregate().get("gpuHours").mean());
        assertThat(proportional.aggregate().get("slowdown.p95").mean()).isLessThanOrEqualTo(5.0);
        assertThat(proportional.aggregate().get("peakReplicas").mean()).isGreaterThan(s.cluster().replicas());
    }

    @Test
    void anArtifactCarriesItsSourceParametersAndEvidenceAndRejectsATamperedSource(@TempDir Path dir) throws Exception {
        Scenario s = ScenarioLoader.load("low-load").withDuration(120);
        Experiment.Result baseline = new Experiment(s).run(2, PolicySet.of(s, Map.of()).factories(), 2, n -> { });
        Scenario c = ScenarioLoader.override(s, null, null, "hra-spf", null, null);
        PolicySet candidate = PolicySet.of(c, Map.of());
        Experiment.Result result = new Experiment(c).run(2, candidate.factories(), 2, n -> { });
        PolicyArtifact artifact = Evidence.artifact(candidate.router().source(), candidate.router().parameters(), s, "llq",
                baseline, result, "e2e.mean", false, "hra-spf");
        Path file = dir.resolve("hra.yaml");
        Artifacts.write(file, artifact);
        String yaml = Files.readString(file);
        assertThat(yaml).startsWith("apiVersion: glia.dev/v1alpha1\nkind: GliaPolicy\n").contains("approved: false");
        PolicyArtifact read = Artifacts.read(file);
        assertThat(read.spec().parameters()).containsEntry("shortestPromptFirst", 1.0).containsEntry("decodeToPrefillRatio", 2.0);
        assertThat(read.spec().evidence().seeds()).containsExactly(0L, 1L);
        assertThat(read.spec().evidence().baseline().policy()).isEqualTo("llq");
        assertThat(read.spec().evidence().candidate().ci90()).hasSize(2);
        Files.writeString(file, yaml.replace("safetyFraction = 0.03", "safetyFraction = 0.0"));
        assertThatThrownBy(() -> Artifacts.read(file)).hasMessageContaining("does not match spec.sha256");
    }
}
