package dev.glia.operator;

import dev.glia.metrics.fit.TooFewRequestsException;
import dev.glia.metrics.fit.WorkloadFit;
import dev.glia.metrics.prometheus.PromQlException;
import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationStatus;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioException;
import dev.glia.sim.scenario.ScenarioLoader;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * The scenario of a GliaOptimization whose {@code spec.scenario.source} is {@code trace} or {@code fromMetrics}, made
 * before its research starts: the trace read from its ConfigMap, or the workload fitted from Prometheus
 * ({@link WorkloadFitter}), composed with the cluster ({@link ScenarioComposer}) and kept in the ConfigMap
 * {@code <optimization>-scenario} (key {@value #KEY}, owned by the optimisation) that a research Job mounts. In process
 * the operator also writes the scenario file (and the trace's CSV) under its research directory. What cannot be made
 * (too few requests, Prometheus unreachable, a malformed trace) is an {@link Outcome} with a reason and a message that
 * names the field, for the {@value #CONDITION} condition.
 */
final class ScenarioSources {
    /** The condition: whether the scenario was fitted (fromMetrics) or composed (trace). */
    static final String CONDITION = "ScenarioFitted";
    /** The key of the composed scenario in its ConfigMap (and its file name in the research Job). */
    static final String KEY = "scenario.yaml";
    /** The trace's file name under the operator's research directory (in process). */
    static final String TRACE_FILE = "trace.csv";
    /** Fewer requests in the window than this and the fit is refused, as {@code glia fit}'s default. */
    static final int MIN_REQUESTS = dev.glia.metrics.fit.FitOptions.DEFAULT_MIN_REQUESTS;

    /** Ready (the scenario as the status reports it), or not, with a reason and a message naming the field. */
    record Outcome(GliaOptimizationStatus.ScenarioUsed used, String reason, String message) {
        boolean ready() {
            return used != null;
        }
    }

    private ScenarioSources() {
    }

    /** Whether {@code spec}'s scenario is composed by the operator (trace, fromMetrics) rather than bundled. */
    static boolean composed(GliaOptimizationSpec spec) {
        return spec.scenario == null || spec.scenario.source != GliaOptimizationSpec.ScenarioSource.SYNTHETIC;
    }

    static boolean fromMetrics(GliaOptimizationSpec spec) {
        return spec.scenario == null || spec.scenario.source == null
                || spec.scenario.source == GliaOptimizationSpec.ScenarioSource.FROM_METRICS;
    }

    /** The source as {@code spec.scenario.source} writes it. */
    static String label(GliaOptimizationSpec spec) {
        return fromMetrics(spec) ? "fromMetrics" : composed(spec) ? "trace" : "synthetic";
    }

    /** The ConfigMap holding the composed scenario: {@code <optimization>-scenario}. */
    static String configMapName(String optimization) {
        return optimization + "-scenario";
    }

    /** Where the operator writes an in-process session's scenario and trace. */
    static Path localDir(Path workspace, GliaOptimization o) {
        return workspace.resolve("scenarios").resolve(o.getMetadata().getNamespace() + "_" + o.getMetadata().getName());
    }

    /** {@code spec.scenario.window}, one hour when absent. */
    static Duration window(GliaOptimizationSpec spec) {
        return OptimizationSpecs.duration(spec.scenario == null ? null : spec.scenario.window, Duration.ofHours(1));
    }

    /**
     * Makes the scenario: reads the trace or fits the workload, composes the file, writes it into the ConfigMap
     * (and, in process, with the trace under {@code localDir}).
     *
     * @param localDir where an in-process session reads its scenario; null for a research Job
     */
    static Outcome prepare(KubernetesClient client, GliaOptimization o, WorkloadFitter fitter, Path localDir,
            Instant now) {
        GliaOptimizationSpec spec = o.getSpec();
        ScenarioComposer.Cluster cluster = ScenarioComposer.Cluster.of(spec.scenario, engineReplicas(client, o));
        String name = o.getMetadata().getName();
        String yaml;
        GliaOptimizationStatus.ScenarioUsed used = new GliaOptimizationStatus.ScenarioUsed();
        used.source = label(spec);
        used.name = name;
        used.configMap = configMapName(name);
        used.generation = o.getMetadata().getGeneration();
        if (fromMetrics(spec)) {
            Duration window = window(spec);
            String where = "fitting the workload from spec.target.prometheus.url (" + spec.target.prometheus.url
                    + ") over spec.scenario.window (" + text(window) + ")";
            WorkloadFit.Fitted fitted;
            try {
                fitted = ScenarioComposer.autoscaled(ScenarioComposer.fitted(fitter.fit(URI.create(
                        spec.target.prometheus.url), window, now, ScenarioComposer.fitOptions(name, cluster,
                        spec.scenario.duration, MIN_REQUESTS, ScenarioComposer.timeScale(spec))), cluster), spec);
            } catch (TooFewRequestsException e) {
                return new Outcome(null, "TooFewRequests", where + ": " + e.getMessage().replace("--window",
                        "spec.scenario.window") + " The operator"
                        + " tries again at each poll.");
            } catch (PromQlException e) {
                boolean unreachable = "unreachable".equals(e.errorType());
                return new Outcome(null, unreachable ? "PrometheusUnreachable" : "PrometheusQueryFailed", where + ": "
                        + e.getMessage() + (unreachable ? "; check spec.target.prometheus.url and that the operator's"
                        + " pod may reach it (Service, NetworkPolicy)" : "") + ". The operator tries again at each poll.");
            } catch (RuntimeException e) {
                return new Outcome(null, "FitFailed", where + ": " + e.getMessage());
            }
            yaml = fitted.yaml();
            used.description = fitted.scenario().description();
            used.fittedAt = now.toString();
            used.window = spec.scenario == null || spec.scenario.window == null ? "1h" : spec.scenario.window;
        } else {
            GliaOptimizationSpec.ConfigMapKeyRef ref = spec.scenario.trace;
            String csv = traceCsv(client, o);
            if (csv == null) {
                return new Outcome(null, "TraceNotFound", "spec.scenario.trace: no key " + ref.key + " in ConfigMap "
                        + o.getMetadata().getNamespace() + "/" + ref.name);
            }
            String description = "The trace in ConfigMap " + ref.name + ", key " + ref.key + ", on "
                    + (cluster.replicas() == null ? 1 : cluster.replicas()) + " engine(s).";
            try {
                Path check = Files.createTempFile("glia-trace", ".csv");
                try {
                    Files.writeString(check, csv);
                    ScenarioLoader.complete(ScenarioComposer.trace(name, description, cluster, check.toString(),
                            spec.scenario.duration), name, Path.of(""));
                } finally {
                    Files.deleteIfExists(check);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (ScenarioException | IllegalArgumentException e) {
                return new Outcome(null, "TraceInvalid", "spec.scenario.trace: ConfigMap " + ref.name + ", key "
                        + ref.key + ": " + e.getMessage() + " (CSV: arrived_at,num_prefill_tokens,num_decode_tokens)");
            }
            String path = localDir != null ? localDir.resolve(TRACE_FILE).toAbsolutePath().toString()
                    : ResearchJob.TRACE_DIR + "/" + ref.key;
            Scenario s = ScenarioComposer.autoscaled(ScenarioComposer.trace(name, description, cluster, path,
                    spec.scenario.duration), spec);
            yaml = ScenarioComposer.yaml(s, "Composed by the Glia operator for GliaOptimization " + name + " from "
                    + "spec.scenario.trace (" + ref.name + "/" + ref.key + ") and spec.scenario.hardware.");
            used.description = description;
            if (localDir != null) {
                write(localDir.resolve(TRACE_FILE), csv);
            }
        }
        storeConfigMap(client, o, yaml);
        if (localDir != null) {
            write(localDir.resolve(KEY), yaml);
        }
        return new Outcome(used, fromMetrics(spec) ? "Fitted" : "Composed", used.description);
    }

    /**
     * The scenario of a research round that drift started: the recent window's fit ({@code recent}, made with this
     * optimisation's cluster) replaces the one in {@code <optimization>-scenario}, so that the round researches the
     * workload that moved.
     */
    static GliaOptimizationStatus.ScenarioUsed storeDrifted(KubernetesClient client, GliaOptimization o,
            WorkloadFit.Fitted recent, String window, Path localDir, Instant now) {
        String name = o.getMetadata().getName();
        WorkloadFit.Fitted fitted = ScenarioComposer.autoscaled(ScenarioComposer.fitted(recent,
                ScenarioComposer.Cluster.of(o.getSpec().scenario, engineReplicas(client, o))), o.getSpec());
        storeConfigMap(client, o, fitted.yaml());
        if (localDir != null) {
            write(localDir.resolve(KEY), fitted.yaml());
        }
        GliaOptimizationStatus.ScenarioUsed used = new GliaOptimizationStatus.ScenarioUsed();
        used.source = label(o.getSpec());
        used.name = name;
        used.configMap = configMapName(name);
        used.generation = o.getMetadata().getGeneration();
        used.description = fitted.scenario().description();
        used.fittedAt = now.toString();
        used.window = window;
        return used;
    }

    /**
     * The in-process session's scenario: its file under {@code localDir}, written again from the ConfigMaps when
     * missing (the operator restarted with a fresh research directory).
     */
    static Scenario materialize(KubernetesClient client, GliaOptimization o, Path localDir) {
        Path file = localDir.resolve(KEY);
        if (!Files.isRegularFile(file)) {
            ConfigMap cm = client.configMaps().inNamespace(o.getMetadata().getNamespace())
                    .withName(configMapName(o.getMetadata().getName())).get();
            if (cm == null || cm.getData() == null || !cm.getData().containsKey(KEY)) {
                throw new IllegalStateException("the ConfigMap " + configMapName(o.getMetadata().getName())
                        + " with the scenario is gone");
            }
            if (!fromMetrics(o.getSpec())) {
                String csv = traceCsv(client, o);
                if (csv == null) {
                    throw new IllegalStateException("spec.scenario.trace: the trace's ConfigMap or key is gone");
                }
                write(localDir.resolve(TRACE_FILE), csv);
            }
            write(file, cm.getData().get(KEY));
        }
        return ScenarioLoader.load(file.toString());
    }

    /** The trace's CSV from its ConfigMap ({@code data}, or {@code binaryData}); null when it or its key is missing. */
    static String traceCsv(KubernetesClient client, GliaOptimization o) {
        GliaOptimizationSpec.ConfigMapKeyRef ref = o.getSpec().scenario.trace;
        ConfigMap cm = client.configMaps().inNamespace(o.getMetadata().getNamespace()).withName(ref.name).get();
        if (cm == null) {
            return null;
        }
        if (cm.getData() != null && cm.getData().containsKey(ref.key)) {
            return cm.getData().get(ref.key);
        }
        if (cm.getBinaryData() != null && cm.getBinaryData().containsKey(ref.key)) {
            return new String(Base64.getDecoder().decode(cm.getBinaryData().get(ref.key)), StandardCharsets.UTF_8);
        }
        return null;
    }

    /** The engines' Deployment's {@code spec.replicas} when {@code spec.target.engines.deployment} names one. */
    static Integer engineReplicas(KubernetesClient client, GliaOptimization o) {
        GliaOptimizationSpec.EngineTarget engines = o.getSpec().target == null ? null : o.getSpec().target.engines;
        if (engines == null || engines.deployment == null) {
            return null;
        }
        Deployment d = client.apps().deployments().inNamespace(o.getMetadata().getNamespace())
                .withName(engines.deployment).get();
        return d == null || d.getSpec() == null || d.getSpec().getReplicas() == null || d.getSpec().getReplicas() < 1
                ? null : d.getSpec().getReplicas();
    }

    /** Creates or updates {@code <optimization>-scenario}, owned by the optimisation. */
    private static void storeConfigMap(KubernetesClient client, GliaOptimization o, String yaml) {
        String ns = o.getMetadata().getNamespace();
        String name = configMapName(o.getMetadata().getName());
        ConfigMap old = client.configMaps().inNamespace(ns).withName(name).get();
        if (old != null) {
            if (!yaml.equals(old.getData() == null ? null : old.getData().get(KEY))) {
                old.setData(Map.of(KEY, yaml));
                client.configMaps().inNamespace(ns).resource(old).update();
            }
            return;
        }
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withMetadata(Owned.metadata(o, name))
                .addToData(KEY, yaml).build()).create();
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
