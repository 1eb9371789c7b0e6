package dev.glia.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.cli.OptimizeCommand;
import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A research Job of a trace or fromMetrics scenario needs no API access: the scenario the operator composed (the
 * ConfigMap {@code <optimization>-scenario}) and the trace (its ConfigMap key) are mounted read-only, and
 * {@code glia optimize --scenario} reads the file.
 */
class ResearchJobScenarioTest {
    private static final ResearchJob.Settings SETTINGS = ResearchJob.Settings.from(null,
            Map.of(ResearchJob.IMAGE_ENV, "ghcr.io/glia/glia:1.2.3"), 10, 3);

    private static GliaOptimization example(GliaOptimizationSpec.ScenarioSource source) throws IOException {
        GliaOptimization o = Examples.read(Examples.OPTIMIZATION);
        o.getMetadata().setUid("0d9a4c1e-uid");
        o.getSpec().scenario.source = source;
        if (source == GliaOptimizationSpec.ScenarioSource.TRACE) {
            o.getSpec().scenario.trace = new GliaOptimizationSpec.ConfigMapKeyRef();
            o.getSpec().scenario.trace.name = "shop-trace";
            o.getSpec().scenario.trace.key = "trace.csv";
        }
        return o;
    }

    private static CommandLine.ParseResult parsed(Job job) {
        List<String> args = job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
        assertThat(args.get(0)).isEqualTo("optimize");
        CommandLine.ParseResult parsed = new CommandLine(new OptimizeCommand())
                .parseArgs(args.subList(1, args.size()).toArray(String[]::new));
        assertThat(parsed.unmatched()).isEmpty();
        return parsed;
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
    }

    private static VolumeMount mount(Container c, String name) {
        return c.getVolumeMounts().stream().filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aTraceJobMountsTheComposedScenarioAndTheTracesKeyReadOnlyAndReadsTheScenarioFile() throws IOException {
        GliaOptimization o = example(GliaOptimizationSpec.ScenarioSource.TRACE);
        Job job = ResearchJob.build(o, 2, 1, SETTINGS);
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);

        assertThat(parsed(job).matchedOptionValue("--scenario", "")).isEqualTo("/scenario/scenario.yaml");
        Volume scenario = volume(pod, "scenario");
        assertThat(scenario.getConfigMap().getName()).isEqualTo("llama-3-8b-latency-scenario");
        assertThat(scenario.getConfigMap().getItems()).singleElement().satisfies(i -> {
            assertThat(i.getKey()).isEqualTo(ScenarioSources.KEY);
            assertThat(i.getPath()).isEqualTo("scenario.yaml");
        });
        assertThat(mount(c, "scenario").getMountPath()).isEqualTo("/scenario");
        assertThat(mount(c, "scenario").getReadOnly()).isTrue();
        Volume trace = volume(pod, "trace");
        assertThat(trace.getConfigMap().getName()).isEqualTo("shop-trace");
        assertThat(trace.getConfigMap().getItems()).singleElement().satisfies(i -> {
            assertThat(i.getKey()).isEqualTo("trace.csv");
            assertThat(i.getPath()).isEqualTo("trace.csv");
        });
        VolumeMount traceMount = mount(c, "trace");
        assertThat(traceMount.getReadOnly()).isTrue();
        assertThat(traceMount.getMountPath() + "/trace.csv").as("where the composed scenario's trace.path points")
                .isEqualTo(ResearchJob.TRACE_DIR + "/" + o.getSpec().scenario.trace.key);
        assertThat(pod.getAutomountServiceAccountToken()).as("the Job needs no API access").isFalse();
        assertThat(mount(c, "work").getMountPath()).isEqualTo("/home/glia");
        assertThat(mount(c, "tmp").getMountPath()).isEqualTo("/tmp");
    }

    @Test
    void aFromMetricsJobMountsTheFittedScenarioAlone() throws IOException {
        Job job = ResearchJob.build(example(GliaOptimizationSpec.ScenarioSource.FROM_METRICS), 1, 1, SETTINGS);
        PodSpec pod = job.getSpec().getTemplate().getSpec();

        CommandLine.ParseResult parsed = parsed(job);
        assertThat(parsed.matchedOptionValue("--scenario", "")).isEqualTo("/scenario/scenario.yaml");
        assertThat(parsed.matchedOptionValue("--duration", 0.0)).isEqualTo(1000.0);
        assertThat(volume(pod, "scenario").getConfigMap().getName()).isEqualTo("llama-3-8b-latency-scenario");
        assertThat(pod.getVolumes()).extracting(Volume::getName).containsExactlyInAnyOrder("tmp", "work", "scenario");
        assertThat(mount(pod.getContainers().get(0), "scenario").getReadOnly()).isTrue();
    }

    @Test
    void aSyntheticJobMountsNoScenario() throws IOException {
        GliaOptimization o = example(GliaOptimizationSpec.ScenarioSource.SYNTHETIC);
        o.getSpec().scenario.synthetic = new GliaOptimizationSpec.SyntheticScenario();
        o.getSpec().scenario.synthetic.name = "glia-sharegpt-a10";
        Job job = ResearchJob.build(o, 1, 1, SETTINGS);

        assertThat(parsed(job).matchedOptionValue("--scenario", "")).isEqualTo("glia-sharegpt-a10");
        assertThat(job.getSpec().getTemplate().getSpec().getVolumes()).extracting(Volume::getName)
                .containsExactly("tmp", "work");
    }
}
