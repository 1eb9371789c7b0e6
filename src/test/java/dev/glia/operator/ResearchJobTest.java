package dev.glia.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glia.cli.OptimizeCommand;
import dev.glia.control.Progress;
import dev.glia.research.SessionProgress;
import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The research Job the operator creates, built and read back without a cluster. */
class ResearchJobTest {

    private static final ResearchJob.Settings SETTINGS = ResearchJob.Settings.from(null,
            Map.of(ResearchJob.IMAGE_ENV, "ghcr.io/glia/glia:1.2.3", ResearchJob.SERVICE_ACCOUNT_ENV, "glia-research"),
            10, 3);

    private static GliaOptimization example() throws IOException {
        GliaOptimization o = Examples.read(Examples.OPTIMIZATION);
        o.getMetadata().setUid("0d9a4c1e-uid");
        o.getSpec().scenario.source = GliaOptimizationSpec.ScenarioSource.SYNTHETIC;
        o.getSpec().scenario.synthetic = new GliaOptimizationSpec.SyntheticScenario();
        o.getSpec().scenario.synthetic.name = "glia-sharegpt-a10";
        return o;
    }

    private static Container container(Job job) {
        return job.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    @Test
    void theJobRunsGliaOptimizeWithTheSpecsScenarioObjectiveStrategyAndBudgetsAndIsolatesCandidates()
            throws IOException {
        Job job = ResearchJob.build(example(), 3, 1, SETTINGS);
        Container c = container(job);

        assertThat(c.getImage()).isEqualTo("ghcr.io/glia/glia:1.2.3");
        assertThat(c.getCommand()).isNullOrEmpty(); // the image's entrypoint is glia
        assertThat(c.getArgs()).containsExactly("optimize",
                "--scenario", "glia-sharegpt-a10",
                "--component", "router",
                "--objective", "minimize e2e.mean subject to ttft.p99 <= 5.0",
                "--strategy", "glia",
                "--duration", "1000",
                "--model", "gpt-4.1",
                "--contexts", "1",
                "--budget-sims", "200",
                "--budget-usd", "5",
                "--budget-seconds", "3600",
                "--seeds", "10",
                "--screen-seeds", "3",
                "--isolate",
                "--out", ResearchJob.SESSION_DIR,
                "--json");
    }

    @Test
    void everyArgumentIsOneThatGliaOptimizeReallyHas() throws IOException {
        for (GliaOptimizationSpec.Strategy s : GliaOptimizationSpec.Strategy.values()) {
            GliaOptimization o = example();
            o.getSpec().research.strategy = s;
            o.getSpec().research.baseUrl = "http://vllm:8000/v1";
            o.getSpec().components.router = false;
            o.getSpec().components.batchPriority = true;
            List<String> args = container(ResearchJob.build(o, 1, 1, SETTINGS)).getArgs();

            CommandLine.ParseResult parsed = new CommandLine(new OptimizeCommand())
                    .parseArgs(args.subList(1, args.size()).toArray(String[]::new));

            assertThat(parsed.unmatched()).isEmpty();
            assertThat(parsed.matchedOptionValue("--isolate", false)).isTrue();
            assertThat(parsed.matchedOptionValue("--budget-seconds", 0.0)).isEqualTo(3600.0);
            assertThat(parsed.matchedOptionValue("--duration", 0.0)).isEqualTo(1000.0);
            assertThat(parsed.<List<String>>matchedOptionValue("--component", List.of()))
                    .containsExactly("batchPriority");
            assertThat(parsed.matchedOptionValue("--strategy", "")).isIn("tuner", "glia", "evolve", "best-of-n");
        }
    }

    @Test
    void theLlmKeyIsAnEnvironmentVariableFromTheSecretOfThisJobAloneAndNeverAnArgument() throws IOException {
        Container c = container(ResearchJob.build(example(), 1, 1, SETTINGS));

        EnvVar key = c.getEnv().stream().filter(e -> e.getName().equals(ResearchJob.API_KEY_ENV)).findFirst()
                .orElseThrow();
        assertThat(key.getValue()).isNull();
        assertThat(key.getValueFrom().getSecretKeyRef().getName()).isEqualTo("glia-llm");
        assertThat(key.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("api-key");
        assertThat(key.getValueFrom().getSecretKeyRef().getOptional()).isFalse();
        assertThat(c.getArgs()).doesNotContain("--llm-api-key");
        assertThat(c.getEnvFrom()).isNullOrEmpty();

        GliaOptimization tuner = example();
        tuner.getSpec().research.strategy = GliaOptimizationSpec.Strategy.TUNER;
        tuner.getSpec().research.model = null;
        tuner.getSpec().research.apiKeySecretRef = null;
        Container t = container(ResearchJob.build(tuner, 1, 1, SETTINGS));
        assertThat(t.getEnv()).extracting(EnvVar::getName).doesNotContain(ResearchJob.API_KEY_ENV);
        assertThat(t.getArgs()).contains("--strategy", "tuner").doesNotContain("--model", "--contexts");
    }

    @Test
    void theJobRunsAsTheResearchServiceAccountWithoutAnApiTokenAndAsNonRoot() throws IOException {
        Job job = ResearchJob.build(example(), 1, 1, SETTINGS);
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        Container c = container(job);

        assertThat(pod.getServiceAccountName()).isEqualTo("glia-research");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getEnableServiceLinks()).isFalse();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath()).contains("/tmp", "/home/glia");
        assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("1"));
        assertThat(c.getResources().getLimits()).containsEntry("memory", new Quantity("6Gi"));
    }

    @Test
    void theJobIsOwnedByItsOptimisationLabelledRunsOnceAndStopsPastItsWallClock() throws IOException {
        GliaOptimization o = example();
        o.getSpec().research.budgets.wallClock = "2h";
        Job job = ResearchJob.build(o, 4, 2, SETTINGS);

        assertThat(job.getMetadata().getName()).isEqualTo("llama-3-8b-latency-research-g4-a2");
        assertThat(job.getMetadata().getNamespace()).isEqualTo("serving");
        OwnerReference owner = job.getMetadata().getOwnerReferences().get(0);
        assertThat(owner.getKind()).isEqualTo("GliaOptimization");
        assertThat(owner.getApiVersion()).isEqualTo("glia.dev/v1alpha1");
        assertThat(owner.getName()).isEqualTo("llama-3-8b-latency");
        assertThat(owner.getUid()).isEqualTo("0d9a4c1e-uid");
        assertThat(owner.getController()).isTrue();
        assertThat(job.getMetadata().getLabels()).containsEntry(OptimizationReconciler.OPTIMIZATION_LABEL,
                "llama-3-8b-latency").containsEntry(ResearchJob.GENERATION_LABEL, "4")
                .containsEntry(ResearchJob.ATTEMPT_LABEL, "2").containsEntry("app.kubernetes.io/component", "research");
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).isEqualTo(job.getMetadata().getLabels());
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(container(job).getArgs()).containsSubsequence("--budget-seconds", "7200");
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(7200L + 1800L);
        assertThat(ResearchJob.activeDeadlineSeconds(Duration.ofMinutes(10))).isEqualTo(600L + 300L);
    }

    /**
     * The test plays the kubelet: it runs the container's arguments with {@code glia optimize} in this JVM (the
     * session folder, an emptyDir in the pod, in a temporary directory) and hands its stdout and stderr, as the pod's
     * log, to the operator's readers: the progress while it ran, then the policy with its evidence and the report.
     */
    @Test
    void theJobsLogCarriesItsProgressAndItsResultBackAsAVerifiedPolicyWithItsReport(@TempDir Path session)
            throws IOException {
        GliaOptimization o = example();
        o.getSpec().objective.constraints = null;
        o.getSpec().research.strategy = GliaOptimizationSpec.Strategy.TUNER;
        o.getSpec().research.model = null;
        o.getSpec().research.budgets.simulations = 40;
        o.getSpec().scenario.duration = 400;
        List<String> args = new ArrayList<>(container(ResearchJob.build(o, 1, 1,
                ResearchJob.Settings.from(null, Map.of(ResearchJob.IMAGE_ENV, "glia"), 3, 1))).getArgs());
        args.set(args.indexOf("--out") + 1, session.toString());

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        int exit;
        PrintStream pod = new PrintStream(log, true, StandardCharsets.UTF_8); // the container's log: both streams
        System.setOut(pod);
        System.setErr(pod);
        try {
            exit = new CommandLine(new OptimizeCommand()).execute(args.subList(1, args.size()).toArray(String[]::new));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        ResearchJob.Result result = ResearchJob.result(text);
        String whileRunning = text.substring(0, text.lastIndexOf("\n{\n") + 1); // before the result
        Progress running = ResearchJob.progress(whileRunning);

        assertThat(exit).as(text).isZero();
        assertThat(result.reason()).isNull();
        assertThat(result.succeeded()).isTrue();
        assertThat(result.simulations()).isBetween(1, 40);
        assertThat(result.artifact().spec().evidence()).isNotNull();
        assertThat(result.report()).isEqualTo(Files.readString(session.resolve("report.md")));
        assertThat(running).isNotNull();
        assertThat(running.simulations()).isBetween(1L, (long) result.simulations());
        assertThat(running.simulationBudget()).isEqualTo(40);
        assertThat(running.dollarBudget()).isEqualTo(5.0);
        assertThat(ResearchJob.progress(text).simulations()).isEqualTo(running.simulations());
        // every run simulated the spec's duration, not the scenario's 1000 s
        try (var configs = Files.walk(session.resolve("runs"))) {
            List<Path> found = configs.filter(f -> f.getFileName().toString().equals("config.json")).toList();
            assertThat(found).isNotEmpty().allSatisfy(f -> assertThat(Files.readString(f))
                    .contains("\"duration\" : 400.0"));
        }
    }

    @Test
    void aRunningJobsProgressIsTheLastProgressLineOfItsLogAndNoneBeforeThereIsOne() {
        assertThat(ResearchJob.progress(null)).isNull();
        assertThat(ResearchJob.progress("")).isNull();
        assertThat(ResearchJob.progress("optimizing the router of glia-sharegpt-a10 (minimize e2e) with the tuner\n"
                + "[  10/40 sims] r0002 tuner ...\n")).isNull();

        String log = "optimizing the router\n"
                + "[  10/40 sims] r0002 tuner   llq  3 seeds  e2e.mean 12.000\n"
                + new SessionProgress(10, 40, 0.25, 5).line() + "\n"
                + "[  13/40 sims] r0003 tuner   headroom  3 seeds  e2e.mean 11.000\n"
                + new SessionProgress(13, 40, 0.5, 5).line() + "\n"
                + "{\"progress\":{\"simulationsUsed\":14,\"simul"; // a line still being written
        assertThat(ResearchJob.progress(log)).isEqualTo(new Progress(13, 40, 0.5, 5));
    }

    @Test
    void aReportTooLongForAConfigMapKeepsItsHeadAndSaysSoInItsLastLine() {
        String whole = "# Research report\n" + "x".repeat(ResearchReport.LIMIT);
        ResearchJob.Result r = ResearchJob.result(("{\"stopReason\":\"budget\",\"simulationsUsed\":3,"
                + "\"report\":\"%s\"}\n").formatted(whole.replace("\n", "\\n")));

        assertThat(r.report()).hasSizeLessThanOrEqualTo(ResearchReport.LIMIT).startsWith("# Research report\n");
        assertThat(r.report().strip().lines().reduce((a, b) -> b).orElseThrow())
                .contains("Report shortened").contains(Integer.toString(whole.length())).contains("log");
        assertThat(ResearchJob.result("{\"stopReason\":\"budget\",\"report\":\"# short\"}").report())
                .isEqualTo("# short");
        assertThat(ResearchJob.result("{\"stopReason\":\"budget\"}").report()).isNull();
    }

    @Test
    void aLogWithoutAResultOrWithoutAWinnerIsAFailureWithItsReason() {
        assertThat(ResearchJob.result("Exception in thread main\n").reason()).isEqualTo("ResearchResultMissing");
        assertThat(ResearchJob.result(null).reason()).isEqualTo("ResearchResultMissing");
        ResearchJob.Result none = ResearchJob.result("{\"strategy\":\"tuner\",\"baseline\":{\"name\":\"llq\"},"
                + "\"simulationsUsed\":12,\"stopReason\":\"budget\"}\n");
        assertThat(none.reason()).isEqualTo("NoBetterPolicy");
        assertThat(none.message()).contains("llq").contains("budget");
        assertThat(none.simulations()).isEqualTo(12);
        assertThat(ResearchJob.result("{\"stopReason\":\"budget\",\"policy\":\"kind: Nope\"}").reason())
                .isEqualTo("ResearchResultInvalid");
    }

    @Test
    void aLongNameIsShortenedToALabelValueAndStaysDistinct() {
        String longName = "a".repeat(60) + "-optimisation";
        assertThat(ResearchJob.name("opt", 2, 3, 1)).as("a later round's Job").isEqualTo("opt-research-g2-r3-a1");
        assertThat(ResearchJob.name("opt", 2, 0, 1)).isEqualTo(ResearchJob.name("opt", 2, 1));
        String a = ResearchJob.name(longName, 12, 1);
        String b = ResearchJob.name(longName + "x", 12, 1);

        assertThat(a).hasSizeLessThanOrEqualTo(63).endsWith("-research-g12-a1").matches("[a-z0-9][-a-z0-9.]*");
        assertThat(b).hasSizeLessThanOrEqualTo(63).isNotEqualTo(a);
    }

    @Test
    void theImageComesFromTheFlagElseTheOperatorsEnvironmentAndIsRequired() {
        assertThat(ResearchJob.Settings.from("my/glia:dev", Map.of(ResearchJob.IMAGE_ENV, "x"), 10, 3).image())
                .isEqualTo("my/glia:dev");
        assertThat(ResearchJob.Settings.from(null, Map.of(ResearchJob.IMAGE_ENV, "x"), 10, 3).serviceAccount())
                .isNull();
        assertThatThrownBy(() -> ResearchJob.Settings.from(null, Map.of(), 10, 3))
                .hasMessageContaining(ResearchJob.IMAGE_ENV);
    }
}
