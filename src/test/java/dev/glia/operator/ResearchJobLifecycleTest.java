package dev.glia.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.cli.OptimizeCommand;
import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationStatus;
import dev.glia.operator.crd.v1alpha1.GliaPolicy;
import dev.glia.operator.router.HttpRouterAdmin;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.Operator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Research as a Kubernetes Job on fabric8's mock API server (CRUD mode, no kubelet, no Job controller): the operator
 * creates the Job once, a restarted operator re-attaches to it by name, and the test plays the kubelet (it runs the
 * Job's arguments with {@code glia optimize} in this JVM, keeps its stdout as the pod's log, marks the Job
 * succeeded or failed); the result becomes a GliaPolicy with evidence, a failure the rollout's failure.
 */
@EnableKubernetesMockClient(crud = true)
class ResearchJobLifecycleTest {
    private static final String NS = "serving";
    private static final Duration WAIT = Duration.ofSeconds(120);

    static KubernetesClient client;
    static KubernetesMockServer server;

    @TempDir
    Path session;

    private final Map<String, String> logs = new ConcurrentHashMap<>();
    private final ResearchSessions sessions = new ResearchSessions(1, Path.of("target/unused-research"));
    private Operator operator;

    @BeforeEach
    void start() {
        MockCrds.install(client);
        client.apps().deployments().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.apps
                .DeploymentBuilder().withNewMetadata().withName("vllm-llama-3-8b").withNamespace(NS).endMetadata()
                .build()).createOr(existing -> existing.update());
        client.secrets().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata().withName("glia-llm").withNamespace(NS).endMetadata()
                .addToStringData("api-key", "sk-test").build()).createOr(existing -> existing.update());
        operator = startOperator();
    }

    private Operator startOperator() {
        Operator op = GliaOperator.create(client, sessions, url -> new HttpRouterAdmin(url, Duration.ofSeconds(5)),
                Clock.systemUTC(), new OptimizationReconciler.Options(Duration.ofMillis(200), Duration.ofSeconds(1), 3,
                        1).withJobs(ResearchJob.Settings.from(null, Map.of(ResearchJob.IMAGE_ENV, "glia:test",
                                ResearchJob.SERVICE_ACCOUNT_ENV, "glia-research"), 3, 1),
                        this::podLog), Set.of(NS));
        op.start();
        return op;
    }

    /**
     * The pod's log as the API server answers it: all of it or its last lines, and before the container runs a 400
     * ({@code container "research" in pod ... is waiting to start}).
     */
    private String podLog(KubernetesClient c, Job job, Integer tailLines) {
        String log = logs.get(job.getMetadata().getName());
        if (log == null) {
            throw new KubernetesClientException("container \"research\" in pod \"" + job.getMetadata().getName()
                    + "-x7k\" is waiting to start: ContainerCreating", 400, null);
        }
        List<String> lines = log.lines().toList();
        return tailLines == null ? log
                : String.join("\n", lines.subList(Math.max(0, lines.size() - tailLines), lines.size())) + "\n";
    }

    @AfterEach
    void stop() {
        operator.stop();
        sessions.close();
        client.resources(GliaOptimization.class).inNamespace(NS).delete();
        client.resources(GliaPolicy.class).inNamespace(NS).delete();
        client.batch().v1().jobs().inNamespace(NS).delete();
        client.v1().events().inNamespace(NS).delete();
        client.configMaps().inNamespace(NS).delete();
    }

    /** k8s-examples/optimization.yaml as shipped (a Job, the key's Secret), with the tuner on a bundled scenario. */
    private GliaOptimization example(String name) throws Exception {
        GliaOptimization o = Examples.read(Examples.OPTIMIZATION, NS, name);
        GliaOptimizationSpec spec = o.getSpec();
        Examples.routerAt(spec, "http://127.0.0.1:1", null);
        Examples.tuner(spec, "glia-sharegpt-a10");
        spec.rollout.mode = GliaOptimizationSpec.RolloutMode.MANUAL;
        assertThat(spec.research.inProcess).isFalse();
        return client.resource(o).create();
    }

    private GliaOptimization get(String name) {
        return client.resources(GliaOptimization.class).inNamespace(NS).withName(name).get();
    }

    private List<Job> jobs() {
        return client.batch().v1().jobs().inNamespace(NS).list().getItems();
    }

    private List<String> eventReasons(String name) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> e.getInvolvedObject().getName().equals(name)).map(Event::getReason).toList();
    }

    private GliaOptimization awaitPhase(String name, GliaOptimizationStatus.Phase phase) {
        return await(() -> {
            GliaOptimization o = get(name);
            return o.getStatus() != null && o.getStatus().phase == phase ? o : null;
        }, name + " in phase " + phase);
    }

    private static <T> T await(Supplier<T> probe, String what) {
        return Await.until(probe, WAIT, what);
    }

    /**
     * The kubelet's part: run the container's arguments with glia optimize here, its stdout and stderr the pod's
     * log; answers that log.
     */
    private String runAsTheKubelet(Job job) {
        List<String> args = new ArrayList<>(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs());
        assertThat(args.get(0)).isEqualTo("optimize");
        args.set(args.indexOf("--out") + 1, session.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        PrintStream pod = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit;
        System.setOut(pod);
        System.setErr(pod);
        try {
            exit = new CommandLine(new OptimizeCommand()).execute(args.subList(1, args.size()).toArray(String[]::new));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        assertThat(exit).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private void finish(Job job, boolean succeeded) {
        job.setStatus(succeeded ? new JobStatusBuilder().withSucceeded(1).build() : new JobStatusBuilder()
                .withFailed(1).addNewCondition().withType("Failed").withStatus("True").withReason("DeadlineExceeded")
                .withMessage("Job was active longer than specified deadline").endCondition().build());
        client.batch().v1().jobs().inNamespace(NS).resource(job).updateStatus();
    }

    @Test
    void theJobIsCreatedOnceReattachedAfterARestartAndItsResultBecomesAGliaPolicy() throws Exception {
        example("job");
        Job job = await(() -> jobs().isEmpty() ? null : jobs().get(0), "the research Job");
        GliaOptimization researching = awaitPhase("job", GliaOptimizationStatus.Phase.Researching);

        assertThat(job.getMetadata().getName()).isEqualTo("job-research-g1-a1");
        assertThat(researching.getStatus().researchJob).isEqualTo("job-research-g1-a1");
        assertThat(job.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(researching.getMetadata().getUid()));
        assertThat(job.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("glia-research");
        assertThat(job.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
        Container c = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("glia:test");
        assertThat(c.getArgs()).containsSubsequence("optimize", "--scenario", "glia-sharegpt-a10")
                .containsSubsequence("--budget-sims", "40").contains("--isolate");
        EnvVar key = c.getEnv().stream().filter(e -> e.getName().equals(ResearchJob.API_KEY_ENV)).findFirst()
                .orElseThrow();
        assertThat(key.getValueFrom().getSecretKeyRef().getName()).isEqualTo("glia-llm");

        // the operator restarts mid-research: the new one re-attaches to the Job by name
        operator.stop();
        operator = startOperator();
        Thread.sleep(1000);
        assertThat(jobs()).as("one session").hasSize(1);
        assertThat(get("job").getStatus().phase).isEqualTo(GliaOptimizationStatus.Phase.Researching);
        assertThat(get("job").getStatus().progress).as("no log yet, no progress, no error").isNull();

        // while the Job is still active, its log so far (up to the result) brings the progress into the status
        String log = runAsTheKubelet(job);
        String soFar = log.substring(0, log.lastIndexOf("\n{\n") + 1);
        long lastLine = ResearchJob.progress(soFar).simulations();
        logs.put(job.getMetadata().getName(), soFar);
        GliaOptimization running = await(() -> {
            GliaOptimization x = get("job");
            return x.getStatus().progress != null ? x : null;
        }, "progress while the Job runs");
        assertThat(running.getStatus().phase).isEqualTo(GliaOptimizationStatus.Phase.Researching);
        assertThat(running.getStatus().progress.simulationsUsed).isEqualTo((int) lastLine).isPositive();
        assertThat(running.getStatus().progress.simulationsBudget).isEqualTo(40);
        assertThat(running.getStatus().progress.summary).isEqualTo(lastLine + "/40");
        assertThat(running.getStatus().progress.dollarsBudget).isEqualTo(5.0);

        logs.put(job.getMetadata().getName(), log);
        finish(job, true);

        GliaOptimization waiting = awaitPhase("job", GliaOptimizationStatus.Phase.AwaitingApproval);
        GliaPolicy p = client.resources(GliaPolicy.class).inNamespace(NS).withName(waiting.getStatus().candidatePolicy)
                .get();
        assertThat(p.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(waiting.getMetadata().getUid()));
        assertThat(p.getSpec().sha256).matches("[0-9a-f]{64}");
        assertThat(p.getSpec().evidence.seeds).hasSize(6);
        assertThat(p.getSpec().evidence.candidate.mean).isLessThan(p.getSpec().evidence.baseline.mean);
        assertThat(p.getSpec().approved).isNotEqualTo(Boolean.TRUE);
        assertThat(waiting.getStatus().progress.simulationsUsed).isBetween(1, 40);
        assertThat(jobs()).as("still one session").hasSize(1);
        assertThat(eventReasons("job")).contains("AwaitingApproval");
        // the report, as in process: the ConfigMap <policy>-report that spec.reportRef names, owned by the optimisation
        assertThat(p.getSpec().reportRef.name).isEqualTo(p.getMetadata().getName() + "-report");
        assertThat(p.getSpec().reportRef.key).isEqualTo("report.md");
        ConfigMap report = client.configMaps().inNamespace(NS).withName(p.getSpec().reportRef.name).get();
        assertThat(report.getData()).containsEntry("report.md", Files.readString(session.resolve("report.md")));
        assertThat(report.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(waiting.getMetadata().getUid()));
    }

    @Test
    void aJobPastItsDeadlineFailsTheResearchWithTheJobsReason() throws Exception {
        example("late");
        Job first = await(() -> jobs().isEmpty() ? null : jobs().get(0), "the research Job");
        finish(first, false);
        // the state machine retries research once: a second Job, a second attempt
        Job second = await(() -> jobs().stream().filter(j -> j.getMetadata().getName().endsWith("-a2")).findFirst()
                .orElse(null), "the second attempt's Job");
        finish(second, false);

        GliaOptimization failed = awaitPhase("late", GliaOptimizationStatus.Phase.Failed);
        assertThat(failed.getStatus().conditions).extracting(Condition::getMessage)
                .anyMatch(m -> m.contains("late-research-g1-a2") && m.contains("DeadlineExceeded"));
        assertThat(jobs()).hasSize(2);
    }

    @Test
    void theOperatorReadsTheLogOfTheJobsPodFoundByItsJobNameLabel() {
        Job job = new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder().withNewMetadata()
                .withName("logs-research-g1-a1").withNamespace(NS).endMetadata().build();
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("logs-research-g1-a1-x7k")
                .withNamespace(NS).addToLabels("job-name", job.getMetadata().getName()).endMetadata().build()).create();
        server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/logs-research-g1-a1-x7k/log?pretty=false"
                + "&container=" + ResearchJob.CONTAINER).andReturn(200, "progress\n{\"stopReason\":\"budget\"}\n")
                .always();

        assertThat(OptimizationReconciler.podLog(client, job)).endsWith("{\"stopReason\":\"budget\"}\n");
        server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/logs-research-g1-a1-x7k/log?pretty=false"
                + "&container=" + ResearchJob.CONTAINER + "&tailLines=" + ResearchJob.PROGRESS_TAIL_LINES)
                .andReturn(200, "progress\n").always();
        assertThat(OptimizationReconciler.podLog(client, job, ResearchJob.PROGRESS_TAIL_LINES)).isEqualTo("progress\n");
        client.pods().inNamespace(NS).delete();
    }
}
