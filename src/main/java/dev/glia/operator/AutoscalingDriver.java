package dev.glia.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glia.catalog.PolicyCatalog;
import dev.glia.control.AutoscalingLoop;
import dev.glia.control.HorizontalScaler;
import dev.glia.control.ObservedCluster;
import dev.glia.control.ScalingDecision;
import dev.glia.metrics.prometheus.PromQlException;
import dev.glia.metrics.prometheus.PrometheusClient;
import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationStatus;
import dev.glia.operator.crd.v1alpha1.GliaPolicy;
import dev.glia.operator.crd.v1alpha1.GliaPolicySpec;
import dev.glia.policy.Autoscaler;
import dev.glia.policy.sandbox.Budget;
import dev.glia.policy.sandbox.PolicySource;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Gauge;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The operator's side of the autoscaling loop: for each GliaOptimization with {@code spec.components.autoscaler}, at
 * the loop's interval, it observes the engines ({@link ClusterObserver}: the pods from the Kubernetes API, the rest
 * from Prometheus with the queries of docs/adaptation.md), asks {@link AutoscalingLoop} (plain Java, the simulator's
 * policy runtime) for the decision, and acts on it: {@code direct} merge-patches the Deployment's scale subresource
 * when its {@code spec.replicas} differs; {@code external} sets the gauge {@value #METRIC} for an HPA or a KEDA
 * ScaledObject; a refusal (an HPA already targets the Deployment) scales nothing. The outcome goes to
 * {@code status.autoscaling} with a patch of that field alone (the optimisation reconciler leaves it out of its own
 * merge patch), and an Event marks each change of the count and each change of reason.
 *
 * <p>The policy in force is the optimisation's active GliaPolicy ({@code status.activePolicy}) when it is of kind
 * autoscaler, approved and verified; else the bundled {@value #DEFAULT_POLICY} autoscaler (the one
 * {@code glia-sinusoid-autoscale} runs). A change of policy, actuation or Deployment starts a new loop (a policy keeps
 * state between ticks).
 *
 * <p>A second controller on GliaOptimization, generation-aware: status patches (its own and the reconciler's) do not
 * wake it; it reschedules itself at the interval.
 */
public final class AutoscalingDriver implements Reconciler<GliaOptimization> {
    /** The exported gauge (external actuation). */
    public static final String METRIC = "glia_autoscaler_desired_replicas";
    /** The autoscaler when no approved, verified autoscaler GliaPolicy is active. */
    public static final String DEFAULT_POLICY = "throughput";
    /** When {@code spec.autoscaling} gives no bounds. */
    public static final int DEFAULT_MIN_REPLICAS = 1;
    public static final int DEFAULT_MAX_REPLICAS = 10;


    /**
     * @param interval model time between ticks when {@code spec.autoscaling.interval} is absent (30 s, as the bundled
     *                 scenario)
     */
    public record Settings(Duration interval, Duration prometheusTimeout) {
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(30), Duration.ofSeconds(10));

        public Settings {
            if (interval.toMillis() <= 0) {
                throw new IllegalArgumentException("the autoscaling interval must be positive, got " + interval);
            }
        }
    }

    /**
     * An optimisation's tick: every {@code interval} of model time, which is {@code interval / timeScale} of wall
     * clock (the period the driver ticks at and the window of the rates it asks Prometheus for).
     */
    record Cadence(Duration interval, double timeScale) {
        static Cadence of(GliaOptimizationSpec spec, Settings settings) {
            Duration interval = OptimizationSpecs.duration(spec.autoscaling == null ? null : spec.autoscaling.interval,
                    settings.interval());
            return new Cadence(interval, ScenarioComposer.timeScale(spec));
        }

        Duration wall() {
            return Duration.ofNanos(Math.max(1_000_000, Math.round(interval.toNanos() / timeScale)));
        }

        double seconds() {
            return interval.toNanos() / 1e9;
        }
    }

    /** The policy chosen for an optimisation: what the status names, and a fresh instance per loop. */
    private record Chosen(String name, String identity, Supplier<Autoscaler> factory) {
    }

    /** One optimisation's loop and what it last did. */
    private static final class Loop {
        final String key;
        final AutoscalingLoop loop;
        Instant last;
        String reason;
        Integer published;

        Loop(String key, AutoscalingLoop loop) {
            this.key = key;
            this.loop = loop;
        }
    }

    private final KubernetesClient client;
    private final Clock clock;
    private final Settings settings;
    private final Instant started;
    private final Gauge desired;
    private final Map<String, Loop> loops = new ConcurrentHashMap<>();
    private final Map<String, List<String>> gaugeLabels = new ConcurrentHashMap<>();
    /** One client (one HTTP connection pool) per Prometheus URL. */
    private final Map<String, PrometheusClient> prometheusClients = new ConcurrentHashMap<>();

    /**
     * @param registry where {@value #METRIC} is registered (the operator's {@code /metrics} serves it)
     */
    public AutoscalingDriver(KubernetesClient client, Clock clock, Settings settings, CollectorRegistry registry) {
        this.client = client;
        this.clock = clock;
        this.settings = settings;
        this.started = clock.instant();
        this.desired = Gauge.build().name(METRIC).help("The replica count the optimisation's autoscaler policy wants"
                + " for the engines' Deployment (spec.autoscaling.actuation: external), within min..maxReplicas.")
                .labelNames("namespace", "optimization", "deployment").register(registry);
    }

    @Override
    public UpdateControl<GliaOptimization> reconcile(GliaOptimization o, Context<GliaOptimization> context) {
        Set<String> present = context.getPrimaryCache().list().map(AutoscalingDriver::key).collect(Collectors.toSet());
        loops.keySet().stream().filter(k -> !present.contains(k)).toList().forEach(this::forget);
        if (!enabled(o)) {
            forget(key(o));
            return UpdateControl.noUpdate();
        }
        Loop l = loops.get(key(o));
        Instant now = clock.instant();
        Duration period;
        try {
            period = Cadence.of(o.getSpec(), settings).wall();
        } catch (IllegalArgumentException e) {
            period = settings.interval(); // tick() says what is wrong in the status
        }
        if (l != null && l.last != null) {
            Duration since = Duration.between(l.last, now);
            if (since.compareTo(period) < 0) {
                return UpdateControl.<GliaOptimization>noUpdate().rescheduleAfter(period.minus(since));
            }
        }
        tick(o);
        return UpdateControl.<GliaOptimization>noUpdate().rescheduleAfter(period);
    }

    static boolean enabled(GliaOptimization o) {
        return o.getSpec() != null && o.getSpec().components != null
                && Boolean.TRUE.equals(o.getSpec().components.autoscaler);
    }

    private static String key(GliaOptimization o) {
        return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    private void forget(String key) {
        loops.remove(key);
        List<String> labels = gaugeLabels.remove(key);
        if (labels != null) {
            desired.remove(labels.toArray(String[]::new));
        }
    }

    /**
     * One tick for {@code o}, now: observe, decide, act, write the status. Returns the decision, or null when there
     * was none (the optimisation has no autoscaler, its Deployment is missing, or Prometheus did not answer: the
     * status says which).
     */
    public ScalingDecision tick(GliaOptimization o) {
        if (!enabled(o)) {
            forget(key(o));
            return null;
        }
        Instant now = clock.instant();
        String ns = o.getMetadata().getNamespace();
        GliaOptimizationSpec spec = o.getSpec();
        GliaOptimizationSpec.Autoscaling a = spec.autoscaling == null ? new GliaOptimizationSpec.Autoscaling()
                : spec.autoscaling;
        AutoscalingLoop.Actuation actuation = a.actuation == GliaOptimizationSpec.Actuation.DIRECT
                ? AutoscalingLoop.Actuation.DIRECT : AutoscalingLoop.Actuation.EXTERNAL;
        int min = a.minReplicas == null ? DEFAULT_MIN_REPLICAS : a.minReplicas;
        int max = a.maxReplicas == null ? Math.max(min, DEFAULT_MAX_REPLICAS) : a.maxReplicas;
        String deploymentName = spec.target.engines.deployment;
        Chosen policy = policy(o);
        String loopKey = policy.identity() + "|" + actuation + "|" + deploymentName;
        Loop l = loops.compute(key(o), (k, old) -> old != null && old.key.equals(loopKey) ? old
                : new Loop(loopKey, new AutoscalingLoop(policy.factory().get(), actuation, deploymentName)));
        l.last = now;
        String actuationName = actuation.name().toLowerCase(java.util.Locale.ROOT);

        List<Pod> pods;
        Deployment deployment = null;
        if (deploymentName != null) {
            deployment = client.apps().deployments().inNamespace(ns).withName(deploymentName).get();
            if (deployment == null) {
                write(o, l, policy, actuationName, null, null, "DeploymentNotFound", "spec.target.engines.deployment:"
                        + " no Deployment " + ns + "/" + deploymentName + "; nothing to observe or scale", now);
                return null;
            }
            pods = client.pods().inNamespace(ns).withLabels(ClusterObserver.selector(deployment)).list().getItems();
        } else {
            pods = client.pods().inNamespace(ns).withLabelSelector(spec.target.engines.selector).list().getItems();
        }
        ClusterObserver.Pods counted = ClusterObserver.Pods.of(pods);
        ObservedCluster view;
        Cadence cadence;
        try {
            cadence = Cadence.of(spec, settings);
        } catch (IllegalArgumentException e) {
            write(o, l, policy, actuationName, null, null, "InvalidInterval", "spec.autoscaling.interval: "
                    + e.getMessage() + "; give a duration such as 30s or 1m", now);
            return null;
        }
        try {
            PrometheusClient prometheus = prometheusClients.computeIfAbsent(spec.target.prometheus.url,
                    url -> new PrometheusClient(URI.create(url), settings.prometheusTimeout()));
            // model time: the wall clock since the driver started, times the engines' time scale
            double modelNow = Duration.between(started, now).toNanos() / 1e9 * cadence.timeScale();
            view = new ClusterObserver(prometheus, cadence.timeScale()).observe(counted, modelNow, cadence.seconds(),
                    cadence.wall(), min, max, now);
        } catch (PromQlException | IllegalArgumentException e) {
            write(o, l, policy, actuationName, null, null, "MetricsUnavailable", "the engines' and router's metrics"
                    + " could not be read, so nothing was decided: " + e.getMessage(), now);
            return null;
        }
        List<HorizontalScaler> hpas = new ArrayList<>();
        if (actuation == AutoscalingLoop.Actuation.DIRECT && deploymentName != null) {
            for (HorizontalPodAutoscaler h : client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).list()
                    .getItems()) {
                var ref = h.getSpec() == null ? null : h.getSpec().getScaleTargetRef();
                if (ref != null && ref.getKind() != null && ref.getName() != null) {
                    hpas.add(new HorizontalScaler(h.getMetadata().getName(), ref.getKind(), ref.getName()));
                }
            }
        }
        ScalingDecision d = l.loop.step(view, hpas);
        int current = view.replicas().size() - view.draining() + view.starting();
        String reason = d.reason();
        String message = d.message();
        if (d.actuation() instanceof ScalingDecision.Actuation.ScaleDeployment scale) {
            unpublish(key(o));
            Integer replicas = deployment.getSpec() == null ? null : deployment.getSpec().getReplicas();
            if (!Objects.equals(replicas, scale.replicas())) {
                try {
                    client.apps().deployments().inNamespace(ns).withName(scale.deployment()).subresource("scale")
                            .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":"
                                    + scale.replicas() + "}}");
                    event(o, "Normal", "Scaled", "Deployment " + scale.deployment() + " scaled from " + replicas
                            + " to " + scale.replicas() + " replicas (" + policy.name() + "): " + message, now);
                } catch (KubernetesClientException e) {
                    reason = "ScaleFailed";
                    message = "scaling Deployment " + scale.deployment() + " to " + scale.replicas()
                            + " failed: " + e.getMessage();
                }
            }
        } else if (d.actuation() instanceof ScalingDecision.Actuation.Publish publish) {
            List<String> labels = List.of(ns, o.getMetadata().getName(), deploymentName == null ? ""
                    : deploymentName);
            List<String> old = gaugeLabels.put(key(o), labels);
            if (old != null && !old.equals(labels)) {
                desired.remove(old.toArray(String[]::new));
            }
            desired.labels(labels.toArray(String[]::new)).set(publish.replicas());
            if (!Objects.equals(l.published, publish.replicas())) {
                event(o, "Normal", "DesiredReplicasPublished", METRIC + " is " + publish.replicas()
                        + (l.published == null ? "" : " (was " + l.published + ")") + " (" + policy.name()
                        + "): " + message, now);
            }
            l.published = publish.replicas();
        } else {
            unpublish(key(o));
        }
        write(o, l, policy, actuationName, d.desired(), current, reason, message, now);
        return d;
    }

    private void unpublish(String key) {
        List<String> labels = gaugeLabels.remove(key);
        if (labels != null) {
            desired.remove(labels.toArray(String[]::new));
        }
        Loop l = loops.get(key);
        if (l != null) {
            l.published = null;
        }
    }

    /**
     * The autoscaler in force: the active GliaPolicy when it is an approved, verified autoscaler, else the bundled
     * default.
     */
    private Chosen policy(GliaOptimization o) {
        String active = o.getStatus() == null ? null : o.getStatus().activePolicy;
        if (active != null) {
            GliaPolicy p = client.resources(GliaPolicy.class).inNamespace(o.getMetadata().getNamespace())
                    .withName(active).get();
            if (p != null && p.getSpec() != null && p.getSpec().kind == GliaPolicySpec.Kind.AUTOSCALER
                    && Boolean.TRUE.equals(p.getSpec().approved) && p.getStatus() != null
                    && Boolean.TRUE.equals(p.getStatus().verified)) {
                GliaPolicySpec s = p.getSpec();
                Map<String, Double> values = s.parameters == null ? Map.of() : s.parameters;
                return new Chosen(active, "GliaPolicy/" + active + "@" + s.sha256, () -> PolicySource
                        .compile(s.className + ".java", s.source, Budget.DEFAULT).newAutoscaler(values));
            }
        }
        return new Chosen(DEFAULT_POLICY, "bundled/" + DEFAULT_POLICY,
                () -> PolicyCatalog.autoscaler(DEFAULT_POLICY, Map.of()).factory().get());
    }

    /** {@code status.autoscaling}, patched alone; an Event when the reason changes to or from a refusal. */
    private void write(GliaOptimization o, Loop l, Chosen policy, String actuation, Integer desiredCount,
            Integer current, String reason, String message, Instant now) {
        boolean ok = Set.of("Scaling", "ReplicasUnchanged", "DesiredReplicasPublished").contains(reason);
        GliaOptimizationStatus.AutoscalingStatus previous = o.getStatus() == null ? null : o.getStatus().autoscaling;
        Condition old = previous == null || previous.conditions == null ? null : previous.conditions.stream()
                .filter(c -> "Autoscaling".equals(c.getType())).findFirst().orElse(null);
        String value = ok ? "True" : "False";
        GliaOptimizationStatus.AutoscalingStatus s = new GliaOptimizationStatus.AutoscalingStatus();
        s.policy = policy.name();
        s.actuation = actuation;
        s.desired = desiredCount;
        s.current = current;
        s.reason = reason;
        s.message = message;
        s.lastTick = now.toString();
        s.conditions = List.of(new ConditionBuilder().withType("Autoscaling").withStatus(value).withReason(reason)
                .withMessage(message.length() > 32000 ? message.substring(0, 32000) : message)
                .withObservedGeneration(o.getMetadata().getGeneration())
                .withLastTransitionTime(old != null && value.equals(old.getStatus()) ? old.getLastTransitionTime()
                        : now.toString()).build());
        JsonNode field = Serialization.jsonMapper().valueToTree(s);
        var status = client.resources(GliaOptimization.class).inNamespace(o.getMetadata().getNamespace())
                .withName(o.getMetadata().getName()).subresource("status");
        if (o.getStatus() == null) {
            // no status yet: a merge patch creates it with this field alone
            ObjectNode patch = JsonNodeFactory.instance.objectNode();
            patch.putObject("status").set("autoscaling", field);
            status.patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
        } else {
            // status.autoscaling replaced whole (its conditions list too: a merge patch's list handling varies
            // between servers, fabric8's mock appends) and nothing else of the status touched
            ArrayNode patch = JsonNodeFactory.instance.arrayNode();
            patch.addObject().put("op", "add").put("path", "/status/autoscaling").set("value", field);
            status.patch(PatchContext.of(PatchType.JSON), patch.toString());
        }
        if (!ok && !reason.equals(l.reason)) {
            event(o, "Warning", reason, message, now);
        }
        l.reason = reason;
        if (o.getStatus() == null) {
            o.setStatus(new GliaOptimizationStatus());
        }
        o.getStatus().autoscaling = s;
    }

    /** A core/v1 Event on the optimisation. */
    private void event(GliaOptimization o, String type, String reason, String message, Instant now) {
        Owned.event(client, o, type, reason, message, now);
    }
}
