package dev.glia.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glia.catalog.Artifacts;
import dev.glia.control.Progress;
import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import dev.glia.policy.PolicyArtifact;
import dev.glia.research.SessionProgress;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The batch/v1 Job that runs one research session of a GliaOptimization ({@code spec.research.inProcess: false}):
 * {@code glia optimize} from the operator's own image with the spec's scenario, component, objective, strategy and
 * budgets, candidates isolated ({@code --isolate}), its progress lines ({@link SessionProgress}) and its JSON summary
 * (with the policy and the report) in its log. Plain Java, no
 * client: the reconciler creates what {@link #build} answers.
 *
 * <p>The Job holds no credential for the API server: its ServiceAccount (the chart's {@code <release>-research},
 * named by {@code GLIA_RESEARCH_SERVICE_ACCOUNT}) is granted nothing and its token is not mounted
 * ({@code automountServiceAccountToken: false}), because the pod runs model-written candidates. The LLM's key
 * reaches this Job alone, as the environment variable {@value #API_KEY_ENV} that the kubelet resolves from
 * {@code spec.research.apiKeySecretRef}; the operator never reads it. The result goes back through the pod's log,
 * which the operator reads (see docs/decisions.md).
 */
public final class ResearchJob {
    /** The environment variable {@code glia optimize --llm-api-key} defaults to. */
    public static final String API_KEY_ENV = "GLIA_LLM_API_KEY";
    /** The operator's environment variable naming the research Jobs' ServiceAccount (set by the chart). */
    public static final String SERVICE_ACCOUNT_ENV = "GLIA_RESEARCH_SERVICE_ACCOUNT";
    /** The operator's environment variable naming the research Jobs' image (the chart sets the operator's own). */
    public static final String IMAGE_ENV = "GLIA_RESEARCH_IMAGE";
    /** Labels each Job with its generation and attempt, beside {@link OptimizationReconciler#OPTIMIZATION_LABEL}. */
    public static final String GENERATION_LABEL = "glia.dev/generation";
    public static final String ATTEMPT_LABEL = "glia.dev/attempt";
    /** Where the session writes its runs, report and policy: an emptyDir (the root file system is read-only). */
    public static final String SESSION_DIR = "/home/glia/session";
    /** Where the composed scenario's ConfigMap ({@code <optimization>-scenario}) is mounted, read-only. */
    public static final String SCENARIO_DIR = "/scenario";
    /** Where the trace's ConfigMap ({@code spec.scenario.trace}) is mounted, read-only: its key alone. */
    public static final String TRACE_DIR = "/trace";
    /** The container's name. */
    public static final String CONTAINER = "research";
    /** The non-root user of the image (Dockerfile: USER 10001:10001). */
    public static final long USER = 10001;

    /**
     * What the operator decides for every research Job.
     *
     * @param image          the image (the operator's own unless {@code --research-image} says otherwise)
     * @param serviceAccount the Jobs' ServiceAccount in the optimisation's namespace; null: the namespace's default
     * @param resources      requests and limits of the research container
     * @param fullSeeds      {@code --seeds}
     * @param screenSeeds    {@code --screen-seeds}
     */
    public record Settings(String image, String serviceAccount, ResourceRequirements resources, int fullSeeds,
            int screenSeeds) {
        public Settings {
            if (image == null || image.isBlank()) {
                throw new IllegalArgumentException("research Jobs need an image: --research-image or " + IMAGE_ENV);
            }
        }

        /** One CPU and 2 GiB requested; 6 GiB at most (the session's JVM and the isolated experiments' child JVM). */
        public static ResourceRequirements defaultResources() {
            return new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("1"))
                    .addToRequests("memory", new Quantity("2Gi")).addToLimits("memory", new Quantity("6Gi")).build();
        }

        /**
         * The settings from the operator's flag and environment: {@code image} when given, else {@value #IMAGE_ENV};
         * the ServiceAccount from {@value #SERVICE_ACCOUNT_ENV}.
         */
        public static Settings from(String image, Map<String, String> env, int fullSeeds, int screenSeeds) {
            String sa = env.get(SERVICE_ACCOUNT_ENV);
            return new Settings(image != null && !image.isBlank() ? image : env.get(IMAGE_ENV),
                    sa == null || sa.isBlank() ? null : sa, defaultResources(), fullSeeds, screenSeeds);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private ResearchJob() {
    }

    /** The first round's Job name: {@link #name(String, long, int, int)} with round 0. */
    public static String name(String optimization, long generation, int attempt) {
        return name(optimization, generation, 0, attempt);
    }

    /**
     * The Job's name: {@code <optimization>-research-g<generation>-a<attempt>}, with {@code -r<round>} before the
     * attempt for the rounds a research request (or drift) started after the first, shortened with a hash of the
     * whole when longer than 63 characters (the Job controller labels its pods with it, and a label value is at most
     * 63).
     */
    public static String name(String optimization, long generation, int round, int attempt) {
        String suffix = "-research-g" + generation + (round > 0 ? "-r" + round : "") + "-a" + attempt;
        String full = optimization + suffix;
        if (full.length() <= 63) {
            return full;
        }
        String hash = sha256(full).substring(0, 8);
        String head = optimization.substring(0, 63 - suffix.length() - hash.length() - 1);
        while (head.endsWith("-") || head.endsWith(".")) {
            head = head.substring(0, head.length() - 1);
        }
        return head + "-" + hash + suffix;
    }

    /**
     * {@code glia optimize}'s arguments for {@code spec}, flag by flag as OptimizeCommand defines them. The LLM key
     * is not among them: {@code --llm-api-key} defaults to {@value #API_KEY_ENV}.
     */
    public static List<String> args(GliaOptimizationSpec spec, int fullSeeds, int screenSeeds) {
        GliaOptimizationSpec.Research r = spec.research == null ? new GliaOptimizationSpec.Research() : spec.research;
        GliaOptimizationSpec.Budgets b = r.budgets == null ? new GliaOptimizationSpec.Budgets() : r.budgets;
        List<String> a = new ArrayList<>(List.of("optimize",
                "--scenario", ScenarioSources.composed(spec) ? SCENARIO_DIR + "/" + ScenarioSources.KEY
                        : spec.scenario.synthetic.name,
                "--component", OptimizationSpecs.component(spec),
                "--objective", OptimizationSpecs.objectiveText(spec.objective),
                "--strategy", strategy(r.strategy)));
        if (spec.scenario.duration != null) {
            a.addAll(List.of("--duration", Integer.toString(spec.scenario.duration)));
        }
        if (r.model != null) {
            a.addAll(List.of("--model", r.model));
        }
        if (r.baseUrl != null) {
            a.addAll(List.of("--llm-base-url", r.baseUrl));
        }
        if (r.strategy == GliaOptimizationSpec.Strategy.GLIA) {
            a.addAll(List.of("--contexts", Integer.toString(r.contexts == null ? 1 : r.contexts)));
        }
        a.addAll(List.of(
                "--budget-sims", Integer.toString(b.simulations == null ? 200 : b.simulations),
                "--budget-usd", format(b.dollars == null ? 5 : b.dollars),
                "--budget-seconds", Long.toString(wallClock(spec).toSeconds()),
                "--seeds", Integer.toString(fullSeeds),
                "--screen-seeds", Integer.toString(screenSeeds),
                "--isolate",
                "--out", SESSION_DIR,
                "--json"));
        return a;
    }

    /** The research budget's wall clock ({@code spec.research.budgets.wallClock}, 1h when absent). */
    static Duration wallClock(GliaOptimizationSpec spec) {
        GliaOptimizationSpec.Budgets b = spec.research == null || spec.research.budgets == null ? null
                : spec.research.budgets;
        return OptimizationSpecs.duration(b == null ? null : b.wallClock, Duration.ofHours(1));
    }

    /**
     * The Job's {@code activeDeadlineSeconds}: the wall-clock budget, plus what the session does after the search
     * stops (the judgement on twice as many held-out seeds, the report) and the JVM's start: a quarter of the budget,
     * at least five minutes. Past it Kubernetes stops the pod, and the Job fails with {@code DeadlineExceeded}.
     */
    public static long activeDeadlineSeconds(Duration wallClock) {
        long budget = Math.max(1, wallClock.toSeconds());
        return budget + Math.max(300, budget / 4);
    }

    /** The Job for attempt {@code attempt} of generation {@code generation} of {@code o}, first round. */
    public static Job build(GliaOptimization o, long generation, int attempt, Settings settings) {
        return build(o, generation, 0, attempt, settings);
    }

    /** The Job for attempt {@code attempt} of research round {@code round} of generation {@code generation}. */
    public static Job build(GliaOptimization o, long generation, int round, int attempt, Settings settings) {
        GliaOptimizationSpec spec = o.getSpec();
        String ns = o.getMetadata().getNamespace();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "glia");
        labels.put("app.kubernetes.io/component", "research");
        labels.put("app.kubernetes.io/managed-by", "glia-operator");
        labels.put(OptimizationReconciler.OPTIMIZATION_LABEL, o.getMetadata().getName());
        labels.put(GENERATION_LABEL, Long.toString(generation));
        labels.put(ATTEMPT_LABEL, Integer.toString(attempt));
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar("HOME", "/home/glia", null));
        GliaOptimizationSpec.SecretKeyRef key = spec.research == null ? null : spec.research.apiKeySecretRef;
        if (key != null) {
            env.add(new EnvVarBuilder().withName(API_KEY_ENV).withNewValueFrom().withNewSecretKeyRef()
                    .withName(key.name).withKey(key.key).withOptional(false).endSecretKeyRef().endValueFrom().build());
        }
        List<Volume> volumes = new ArrayList<>(List.of(
                new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build(),
                new VolumeBuilder().withName("work").withNewEmptyDir().endEmptyDir().build()));
        List<VolumeMount> mounts = new ArrayList<>(List.of(
                new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build(),
                new VolumeMountBuilder().withName("work").withMountPath("/home/glia").build()));
        if (ScenarioSources.composed(spec)) {
            volumes.add(new VolumeBuilder().withName("scenario").withNewConfigMap()
                    .withName(ScenarioSources.configMapName(o.getMetadata().getName()))
                    .addNewItem().withKey(ScenarioSources.KEY).withPath(ScenarioSources.KEY).endItem()
                    .endConfigMap().build());
            mounts.add(new VolumeMountBuilder().withName("scenario").withMountPath(SCENARIO_DIR).withReadOnly(true)
                    .build());
        }
        if (ScenarioSources.composed(spec) && !ScenarioSources.fromMetrics(spec)) {
            volumes.add(new VolumeBuilder().withName("trace").withNewConfigMap().withName(spec.scenario.trace.name)
                    .addNewItem().withKey(spec.scenario.trace.key).withPath(spec.scenario.trace.key).endItem()
                    .endConfigMap().build());
            mounts.add(new VolumeMountBuilder().withName("trace").withMountPath(TRACE_DIR).withReadOnly(true).build());
        }
        return new JobBuilder()
                .withNewMetadata().withName(name(o.getMetadata().getName(), generation, round, attempt)).withNamespace(ns)
                    .withLabels(labels)
                    .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(o.getApiVersion())
                            .withKind(o.getKind()).withName(o.getMetadata().getName())
                            .withUid(o.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true)
                            .build())
                .endMetadata()
                .withNewSpec()
                    .withBackoffLimit(0)
                    .withActiveDeadlineSeconds(activeDeadlineSeconds(wallClock(spec)))
                    .withNewTemplate()
                        .withNewMetadata().withLabels(labels).endMetadata()
                        .withNewSpec()
                            .withRestartPolicy("Never")
                            .withServiceAccountName(settings.serviceAccount())
                            .withAutomountServiceAccountToken(false)
                            .withEnableServiceLinks(false)
                            .withNewSecurityContext()
                                .withRunAsNonRoot(true).withRunAsUser(USER).withRunAsGroup(USER).withFsGroup(USER)
                                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                            .endSecurityContext()
                            .addNewContainer()
                                .withName(CONTAINER)
                                .withImage(settings.image())
                                .withArgs(args(spec, settings.fullSeeds(), settings.screenSeeds()))
                                .withEnv(env)
                                .withResources(settings.resources())
                                .withTerminationMessagePolicy("FallbackToLogsOnError")
                                .withNewSecurityContext()
                                    .withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                                .endSecurityContext()
                                .withVolumeMounts(mounts)
                            .endContainer()
                            .withVolumes(volumes)
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }

    /** How many of a running research Job's last log lines the operator reads for its progress. */
    public static final int PROGRESS_TAIL_LINES = 200;

    /**
     * A running research Job's progress: the last progress line ({@link SessionProgress}) of its log, or of the tail
     * of it; null when there is none yet (a pod not started, a log without one).
     */
    public static Progress progress(String log) {
        return SessionProgress.last(log).map(p -> new Progress(p.simulationsUsed(), p.simulationsBudget(), p.usd(),
                p.usdBudget())).orElse(null);
    }

    /**
     * What a finished research Job said: the winner and its report, or why there is none. {@code reason} is
     * CamelCase as the state machine's {@code ResearchFailed} takes it; {@code simulations} and {@code usd} what the
     * session spent; {@code report} the research report as {@link ResearchReport#fit} shortens it, null when none.
     */
    public record Result(PolicyArtifact artifact, int simulations, double usd, String report, String reason,
            String message) {
        public boolean succeeded() {
            return artifact != null;
        }
    }

    /**
     * Reads a research Job's log: its result is the last JSON object of {@code glia optimize --json}, starting at
     * the beginning of a line (progress lines on stderr come before it). A policy in it becomes the artifact, checked against its hash; no
     * policy is {@code NoBetterPolicy}; no such line at all is {@code ResearchResultMissing}.
     */
    public static Result result(String log) {
        List<String> lines = log == null ? List.of() : log.lines().toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!lines.get(i).startsWith("{")) {
                continue;
            }
            JsonNode json;
            try {
                // the object may span lines (pretty-printed); what follows it (a last error line) is ignored
                json = JSON.readTree(String.join("\n", lines.subList(i, lines.size())));
            } catch (IOException e) {
                continue;
            }
            if (!json.has("stopReason")) {
                continue;
            }
            int sims = json.path("simulationsUsed").asInt();
            double usd = json.path("usd").asDouble();
            String report = ResearchReport.fit(json.hasNonNull("report") ? json.get("report").asText() : null,
                    "in the research Job's log (the report field of its result)");
            if (json.hasNonNull("policy")) {
                try {
                    return new Result(Artifacts.parse(json.get("policy").asText(), "the research Job's policy"),
                            sims, usd, report, null, null);
                } catch (RuntimeException e) {
                    return new Result(null, sims, usd, report, "ResearchResultInvalid", e.getMessage());
                }
            }
            return new Result(null, sims, usd, report, "NoBetterPolicy", "nothing beat the baseline "
                    + json.path("baseline").path("name").asText() + " on held-out seeds ("
                    + json.path("stopReason").asText() + ")");
        }
        return new Result(null, 0, 0, null, "ResearchResultMissing", "the research Job's log ends without the result of"
                + " glia optimize --json");
    }

    private static String strategy(GliaOptimizationSpec.Strategy s) {
        return s == null ? "tuner" : switch (s) {
            case TUNER -> "tuner";
            case GLIA -> "glia";
            case EVOLVE -> "evolve";
            case BEST_OF_N -> "best-of-n";
        };
    }

    private static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8))).toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
