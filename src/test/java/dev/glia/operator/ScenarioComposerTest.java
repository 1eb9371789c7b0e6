package dev.glia.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.metrics.fit.WorkloadFit;
import dev.glia.metrics.prometheus.FakePrometheus;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scenario files the operator composes for trace and fromMetrics scenarios load as glia simulate loads them. */
class ScenarioComposerTest {
    /** The Glia authors' ShareGPT trace at 1.5 req/s (read-only reference data, never copied into the repository). */
    static final Path SHAREGPT = Path.of("../shared/data/traces/sharegpt_1.5.csv");

    @TempDir
    Path dir;

    /** The trace's header and first {@code rows} rows. */
    static String traceHead(int rows) throws Exception {
        Path file = Files.exists(SHAREGPT) ? SHAREGPT : Path.of("/work/shared/data/traces/sharegpt_1.5.csv");
        return String.join("\n", Files.readAllLines(file).subList(0, rows + 1)) + "\n";
    }

    @Test
    void aTraceScenarioReplaysTheTraceOnTheClustersEnginesForTheSpecsDuration() throws Exception {
        Path csv = Files.writeString(dir.resolve("trace.csv"), traceHead(200));
        GliaOptimizationSpec.Scenario spec = new GliaOptimizationSpec.Scenario();
        spec.hardware = new GliaOptimizationSpec.Hardware();
        spec.hardware.gpu = "l40s";
        spec.hardware.tensorParallel = 2;
        ScenarioComposer.Cluster cluster = ScenarioComposer.Cluster.of(spec, 3);
        Path file = Files.writeString(dir.resolve("scenario.yaml"), ScenarioComposer.yaml(ScenarioComposer.trace(
                "shop", "the shop's trace", cluster, csv.toString(), 60), "composed for shop"));

        Scenario s = ScenarioLoader.load(file.toString());

        assertThat(Files.readString(file)).startsWith("# composed for shop\n");
        assertThat(s.name()).isEqualTo("shop");
        assertThat(s.cluster().replicas()).isEqualTo(3);
        assertThat(s.cluster().gpu()).isEqualTo("l40s");
        assertThat(s.cluster().model()).isEqualTo("llama-3-8b");
        assertThat(s.cluster().tensorParallel()).isEqualTo(2);
        assertThat(s.workload().trace().path()).isEqualTo(csv.toString());
        assertThat(s.duration()).isEqualTo(60.0);
    }

    @Test
    void withoutADurationTheWholeTraceIsReplayedOnOneEngineWhenTheCountIsUnknown() throws Exception {
        Path csv = Files.writeString(dir.resolve("trace.csv"), traceHead(100));
        Path file = Files.writeString(dir.resolve("scenario.yaml"), ScenarioComposer.yaml(ScenarioComposer.trace(
                "shop", null, ScenarioComposer.Cluster.of(null, null), csv.toString(), null), "x"));
        double last = Double.parseDouble(Files.readAllLines(csv).get(100).split(",")[0]);

        Scenario s = ScenarioLoader.load(file.toString());

        assertThat(s.cluster().replicas()).isEqualTo(1);
        assertThat(s.cluster().gpu()).isEqualTo("a10");
        assertThat(s.duration()).isCloseTo(last, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void aFittedScenarioRunsOnTheDeploymentsEngineCountWithTheKvBlocksTheFitterRead() throws Exception {
        GliaOptimizationSpec.Scenario spec = new GliaOptimizationSpec.Scenario();
        spec.hardware = new GliaOptimizationSpec.Hardware();
        spec.hardware.tensorParallel = 2;
        ScenarioComposer.Cluster cluster = ScenarioComposer.Cluster.of(spec, 5);
        WorkloadFit.Fitted fitted;
        try (FakePrometheus prometheus = FakePrometheus.start(() -> 1000)) {
            fitted = WorkloadFitter.prometheus(Duration.ofSeconds(10)).fit(prometheus.url(), Duration.ofHours(1),
                    Instant.parse("2026-11-30T12:00:00Z"), ScenarioComposer.fitOptions("shop", cluster, 600, 200, 1));
        }
        assertThat(fitted.scenario().cluster().replicas()).as("the fitter counted the engines' series").isEqualTo(2);

        WorkloadFit.Fitted on = ScenarioComposer.fitted(fitted, cluster);
        Path file = Files.writeString(dir.resolve("shop.yaml"), on.yaml());
        Scenario s = ScenarioLoader.load(file.toString());

        assertThat(s.cluster().replicas()).isEqualTo(5);
        assertThat(s.cluster().tensorParallel()).isEqualTo(2);
        assertThat(s.cluster().numBlocks()).isEqualTo(2240);
        assertThat(s.cluster().blockSize()).isEqualTo(16);
        assertThat(s.duration()).isEqualTo(600.0);
        assertThat(s.workload().arrivals().qps()).isBetween(4.5, 5.5);
        assertThat(List.of(s.workload().lengths().prompt().distribution(), s.workload().lengths().output()
                .distribution())).containsOnly("quantiles");
        assertThat(Files.readString(file)).as("the fit's report heads the file").startsWith("# ");
    }

    @Test
    void aComposedScenarioForAnAutoscalerTakesSpecAutoscalingsIntervalAndBounds() throws Exception {
        GliaOptimizationSpec spec = new GliaOptimizationSpec();
        spec.components = new GliaOptimizationSpec.Components();
        spec.components.router = false;
        spec.components.autoscaler = true;
        spec.autoscaling = new GliaOptimizationSpec.Autoscaling();
        spec.autoscaling.interval = "1m";
        spec.autoscaling.minReplicas = 2;
        spec.autoscaling.maxReplicas = 12;
        Scenario trace = ScenarioComposer.trace("shop", "a trace", ScenarioComposer.Cluster.of(null, 4),
                "trace.csv", 600);

        Scenario autoscaled = ScenarioComposer.autoscaled(trace, spec);
        Path file = Files.writeString(dir.resolve("autoscaled.yaml"), ScenarioComposer.yaml(autoscaled, "test"));
        Files.writeString(dir.resolve("trace.csv"), "arrived_at,num_prefill_tokens,num_decode_tokens\n0,100,10\n");
        Scenario s = ScenarioLoader.load(file.toString());
        assertThat(s.autoscaling()).isEqualTo(new Scenario.Autoscaling(60.0, 60.0, 2, 12));

        spec.components.router = true;
        spec.components.autoscaler = false;
        assertThat(ScenarioComposer.autoscaled(trace, spec)).as("a router's scenario is left as it is")
                .isSameAs(trace);
    }
}
