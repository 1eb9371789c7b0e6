package dev.glia.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.control.ManualVerdict;
import dev.glia.control.RouterResult;
import dev.glia.control.RouterState;
import dev.glia.engine.EngineFleet;
import dev.glia.engine.EngineModelBackends;
import dev.glia.engine.EngineOptions;
import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationStatus;
import dev.glia.operator.crd.v1alpha1.GliaPolicy;
import dev.glia.operator.crd.v1alpha1.GliaPolicySpec;
import dev.glia.operator.router.HttpRouterAdmin;
import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.router.RouterOptions;
import dev.glia.router.RouterServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import dev.glia.delivery.OperatorRbac;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import io.javaoperatorsdk.operator.Operator;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator end to end on fabric8's mock API server (CRUD mode): k8s-examples/optimization.yaml, pointed at a real
 * router (with three emulated engines) started by the test and at the tuner on a bundled scenario, goes from a
 * research Job (the {@link Kubelet} runs its command) to a GliaPolicy with evidence to a canary in that router, then
 * promotion, rollback, or a wait for approval, as its rollout mode says; conditions and Events checked at each step.
 * Everything the operator asked of the API server across these tests is held against the Helm chart's RBAC rules:
 * nothing it asked is missing from them, and nothing in them went unused.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorLifecycleTest {
    private static final String NS = "serving";
    private static final Duration WAIT = Duration.ofSeconds(120);

    static KubernetesClient client;
    static KubernetesMockServer server;
    /** What the operator asked of the API server, across this class's tests. */
    /** The operator's own client (not a static KubernetesClient field: the mock extension would fill that in). */
    private KubernetesClient operatorClient;

    @TempDir
    Path research;

    private EngineFleet engines;
    private RouterServer router;
    private HttpRouterAdmin admin;
    private ResearchSessions sessions;
    private Operator operator;
    private Kubelet kubelet;

    @BeforeEach
    void start() throws Exception {
        MockCrds.install(client);
        engineDeployment("vllm-llama-3-8b");
        if (client.secrets().inNamespace(NS).withName("glia-llm").get() == null) {
            client.secrets().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                    .withNewMetadata().withName("glia-llm").withNamespace(NS).endMetadata()
                    .addToStringData("api-key", "sk-test").build()).create();
        }
        kubelet = new Kubelet(client, server, NS, research.resolve("jobs"));
        engines = EngineFleet.start(EngineOptions.builder().host("127.0.0.1").port(0).model("llama-3-8b").gpu("a10")
                .maxModelLen(8192).timeScale(20).replicas(3).build(), new EngineModelBackends(r -> { }));
        List<URI> urls = engines.servers().stream().map(s -> URI.create("http://127.0.0.1:" + s.port())).toList();
        router = RouterServer.start(new RouterOptions("127.0.0.1", 0, urls, 0.05, 1000, 60, false)
                .withAdmin("127.0.0.1", 0, null, 1), BuiltinRouters.create("llq"));
        admin = new HttpRouterAdmin(URI.create("http://127.0.0.1:" + router.adminPort()), Duration.ofSeconds(60));
        sessions = new ResearchSessions(1, research);
        operatorClient = ApiRequests.OPERATOR.client(client);
        operator = startOperator();
    }

    /**
     * The operator as the chart runs it: research Jobs of the image glia:test under the research ServiceAccount; the
     * autoscaling loops every second.
     */
    private Operator startOperator() {
        Operator op = GliaOperator.create(operatorClient, sessions, url -> new HttpRouterAdmin(url,
                Duration.ofSeconds(60)), Clock.systemUTC(), new OptimizationReconciler.Options(Duration.ofMillis(200),
                Duration.ofSeconds(1), 3, 1).withJobs(ResearchJob.Settings.from(null, Map.of(ResearchJob.IMAGE_ENV,
                        "glia:test", ResearchJob.SERVICE_ACCOUNT_ENV, "glia-research"), 3, 1),
                        OptimizationReconciler::podLog), Set.of(NS), new AutoscalingDriver(operatorClient,
                Clock.systemUTC(), new AutoscalingDriver.Settings(Duration.ofSeconds(1), Duration.ofSeconds(5)),
                new io.prometheus.client.CollectorRegistry()));
        op.start();
        return op;
    }

    @AfterEach
    void stop() {
        operator.stop();
        operatorClient.close();
        try {
            kubelet.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sessions.close();
        router.close();
        engines.close();
        client.resources(GliaOptimization.class).inNamespace(NS).delete();
        client.resources(GliaPolicy.class).inNamespace(NS).delete();
        client.v1().events().inNamespace(NS).delete();
        client.batch().v1().jobs().inNamespace(NS).delete();
        client.pods().inNamespace(NS).delete();
        client.configMaps().inNamespace(NS).delete();
        FINISHED.incrementAndGet();
    }

    /** The engines' Deployment that k8s-examples/optimization.yaml names, as a cluster would hold it. */
    private static void engineDeployment(String name) {
        if (client.apps().deployments().inNamespace(NS).withName(name).get() == null) {
            client.apps().deployments().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.apps
                    .DeploymentBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                    .withNewSpec().withReplicas(3).withNewSelector().addToMatchLabels("app", name).endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata().withNewSpec()
                    .addNewContainer().withName("vllm").withImage("vllm/vllm-openai:v0.10.1").endContainer()
                    .endSpec().endTemplate().endSpec().build()).create();
        }
    }

    private static final AtomicInteger FINISHED = new AtomicInteger();

    /** The chart's RBAC against what the operator asked ({@link ApiRequests#holdAgainstTheChart}). */
    @AfterAll
    static void theChartGrantsWhatTheOperatorUsedAndNothingMore() {
        ApiRequests.holdAgainstTheChart(OperatorLifecycleTest.class, FINISHED.get());
    }

    /** k8s-examples/optimization.yaml with in-process research on a short scenario, and the test's router. */
    private GliaOptimization example(String name, GliaOptimizationSpec.RolloutMode mode, String canaryDuration)
            throws Exception {
        GliaOptimization o = Examples.read(Examples.OPTIMIZATION, NS, name);
        GliaOptimizationSpec spec = o.getSpec();
        Examples.routerAt(spec, "http://127.0.0.1:" + router.port(), router.adminPort());
        Examples.tuner(spec, "glia-sharegpt-a10");
        assertThat(spec.research.inProcess).as("research as a Job, as shipped").isFalse();
        spec.rollout.mode = mode;
        spec.rollout.canaryDuration = canaryDuration;
        spec.rollout.canaryEngines = 1;
        return o;
    }

    private GliaOptimization apply(GliaOptimization o) {
        return client.resource(o).create();
    }

    private GliaOptimization get(String name) {
        return client.resources(GliaOptimization.class).inNamespace(NS).withName(name).get();
    }

    private static Condition condition(GliaOptimization o, String type) {
        return o.getStatus() == null ? null : o.getStatus().conditions.stream().filter(c -> c.getType().equals(type))
                .findFirst().orElse(null);
    }

    private static boolean is(GliaOptimization o, String type, String status, String reason) {
        Condition c = condition(o, type);
        return c != null && c.getStatus().equals(status) && c.getReason().equals(reason);
    }

    private GliaOptimization awaitPhase(String name, GliaOptimizationStatus.Phase phase) {
        try {
            return await(() -> {
                GliaOptimization o = get(name);
                return o.getStatus() != null && o.getStatus().phase == phase ? o : null;
            }, name + " in phase " + phase);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; status: "
                    + io.fabric8.kubernetes.client.utils.Serialization.asYaml(get(name).getStatus())
                    + "; events: " + eventReasons(name), e);
        }
    }

    private static <T> T await(Supplier<T> probe, String what) {
        return Await.until(probe, WAIT, what);
    }

    private List<String> eventReasons(String name) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> e.getInvolvedObject().getName().equals(name)).map(Event::getReason).toList();
    }

    private void annotate(String name, String verdict) {
        client.resources(GliaOptimization.class).inNamespace(NS).withName(name).edit(o -> {
            o.getMetadata().getAnnotations().put(ManualVerdict.ANNOTATION, verdict);
            return o;
        });
    }

    private GliaPolicy candidate(GliaOptimization o) {
        return client.resources(GliaPolicy.class).inNamespace(NS).withName(o.getStatus().candidatePolicy).get();
    }

    /**
     * The research Job the kubelet ran for {@code o}: owned by it, the shipped image and ServiceAccount with no
     * token, {@code glia optimize} on the spec's scenario and budgets, isolated, the model's key from its Secret.
     */
    private Job assertResearchJob(GliaOptimization o) {
        Job job = await(() -> kubelet.ran().stream().filter(j -> j.getMetadata().getName()
                .startsWith(o.getMetadata().getName() + "-research-")).findFirst().orElse(null), "the research Job");
        assertThat(job.getMetadata().getName()).isEqualTo(o.getMetadata().getName() + "-research-g1-a1");
        assertThat(job.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(o.getMetadata().getUid()));
        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo("glia-research");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        Container c = pod.getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("glia:test");
        assertThat(c.getArgs()).containsSubsequence("optimize", "--scenario", "glia-sharegpt-a10")
                .containsSubsequence("--strategy", "tuner").containsSubsequence("--budget-sims", "40")
                .contains("--isolate", "--json");
        EnvVar key = c.getEnv().stream().filter(e -> e.getName().equals(ResearchJob.API_KEY_ENV)).findFirst()
                .orElseThrow();
        assertThat(key.getValueFrom().getSecretKeyRef().getName()).isEqualTo("glia-llm");
        assertThat(key.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("api-key");
        return job;
    }

    private void assertPolicyWithEvidence(GliaOptimization o, GliaPolicy p) {
        assertThat(p.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
            assertThat(ref.getKind()).isEqualTo("GliaOptimization");
            assertThat(ref.getUid()).isEqualTo(o.getMetadata().getUid());
        });
        assertThat(p.getSpec().source).contains("class " + p.getSpec().className);
        assertThat(p.getSpec().sha256).matches("[0-9a-f]{64}");
        assertThat(p.getSpec().evidence.metric).isEqualTo("e2e.mean");
        assertThat(p.getSpec().evidence.seeds).hasSize(6);
        assertThat(p.getSpec().evidence.candidate.mean).isLessThan(p.getSpec().evidence.baseline.mean);
        assertThat(p.getSpec().workload.scenario).isEqualTo("glia-sharegpt-a10");
        assertThat(o.getStatus().best.policy).isEqualTo(p.getMetadata().getName());
        assertThat(o.getStatus().best.baselinePolicy).isEqualTo(p.getSpec().evidence.baseline.policy);
        assertThat(o.getStatus().best.improvement).endsWith("% e2e.mean");
        var report = client.configMaps().inNamespace(NS).withName(p.getSpec().reportRef.name).get();
        assertThat(report.getData().get(p.getSpec().reportRef.key)).contains("#");
        assertThat(report.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(o.getMetadata().getUid()));
        assertThat(o.getStatus().progress.simulationsUsed).isPositive().isLessThanOrEqualTo(40);
        assertThat(o.getStatus().progress.summary).endsWith("/40");
    }

    @Test
    void autoResearchesCreatesTheGliaPolicyStartsTheCanaryInTheRouterAndPromotesOnTheVerdict() throws Exception {
        GliaOptimization applied = apply(example("auto-promote", GliaOptimizationSpec.RolloutMode.AUTO, "10m"));
        GliaOptimization o = await(() -> {
            GliaOptimization x = get("auto-promote");
            return is(x, "Canary", "True", "CanaryRunning") ? x : null;
        }, "the canary to run");

        assertThat(o.getStatus().phase).isEqualTo(GliaOptimizationStatus.Phase.Canary);
        assertThat(is(o, "Approved", "True", "ApprovedByEvidence")).as("%s", o.getStatus().conditions).isTrue();
        assertThat(is(o, "SpecValid", "True", "Valid")).isTrue();
        assertThat(is(o, "RouterReachable", "True", "Answered")).isTrue();
        assertThat(condition(o, "Ready").getObservedGeneration()).isEqualTo(applied.getMetadata().getGeneration());
        assertThat(condition(o, "Ready").getLastTransitionTime()).isNotBlank();
        assertResearchJob(o);
        GliaPolicy policy = candidate(o);
        assertPolicyWithEvidence(o, policy);
        assertThat(policy.getSpec().approved).isTrue();
        RouterResult live = admin.state();
        assertThat(live.applied()).as(live.message()).isTrue();
        RouterState.Pool canary = live.state().pool("canary");
        assertThat(canary).as("GET /admin/policy shows the canary").isNotNull();
        assertThat(canary.engines()).hasSize(1);
        assertThat(canary.share()).isEqualTo(0.25);
        RouterState.Pool control = live.state().pool("control");
        assertThat(control).as("3 engines: the 1-engine canary gets a 1-engine control, 1 engine stays stable")
                .isNotNull();
        assertThat(control.engines()).hasSize(1);
        assertThat(control.share()).isEqualTo(0.25);
        assertThat(control.policyHash()).as("the stable policy").isEqualTo(live.state().pool("stable").policyHash());
        assertThat(live.state().pool("stable").engines()).hasSize(1);
        assertThat(o.getStatus().rollout.canaryBaseline).isEqualTo("control");
        assertThat(condition(o, "Canary").getMessage()).contains("compared with its control pool");
        assertThat(eventReasons("auto-promote")).contains("ResearchStarted", "CandidateFound", "CanaryConfiguring",
                "CanaryStarted");
        GliaOptimization running = o;
        GliaPolicy inCanary = await(() -> {
            GliaPolicy p = candidate(running);
            return p.getStatus() != null && !p.getStatus().rolledOut.isEmpty() ? p : null;
        }, "the GliaPolicy to say where it runs");
        assertThat(inCanary.getStatus().rolledOut).singleElement().satisfies(t -> {
            assertThat(t.pool).isEqualTo("canary");
            assertThat(t.share).isEqualTo(0.25);
            assertThat(t.router).isEqualTo("http://127.0.0.1:" + router.port());
        });

        annotate("auto-promote", "promote");
        o = awaitPhase("auto-promote", GliaOptimizationStatus.Phase.Active);
        assertThat(o.getStatus().activePolicy).isEqualTo(policy.getMetadata().getName());
        assertThat(is(o, "Ready", "True", "Promoted")).isTrue();
        assertThat(is(o, "Canary", "False", "Promoted")).isTrue();
        RouterState after = await(() -> {
            RouterResult r = admin.state();
            return r.applied() && !r.state().canaryRuns() ? r.state() : null;
        }, "the router to promote");
        assertThat(after.pools()).extracting(RouterState.Pool::pool).as("the control merged too")
                .containsExactly("stable");
        assertThat(after.pool("stable").engines()).hasSize(3);
        assertThat(after.pool("stable").policyName()).isEqualTo(canary.policyName());
        assertThat(eventReasons("auto-promote")).contains("Promoted");
        GliaOptimization promoted = o;
        assertThat(await(() -> {
            GliaPolicy p = candidate(promoted);
            return p.getStatus().rolledOut.size() == 1 && p.getStatus().rolledOut.get(0).pool.equals("stable")
                    ? p : null;
        }, "the GliaPolicy to run in the stable pool").getStatus().rolledOut.get(0).share).isEqualTo(1.0);
        assertThat(candidate(promoted).getStatus().verified).as("the verification kept beside it").isTrue();
        assertThat(get("auto-promote").getStatus().rollout.pendingCall).as("the promotion was answered").isNull();
        await(() -> !get("auto-promote").getMetadata().getAnnotations().containsKey(ManualVerdict.ANNOTATION),
                "the spent verdict annotation to go");
        assertThat(get("auto-promote").getStatus().phase).isEqualTo(GliaOptimizationStatus.Phase.Active);
    }

    @Test
    void autoRollsTheCanaryBackWhenNoVerdictArrivesBeforeTheTimeoutAndResearchesAgainOnRequest() throws Exception {
        String stable = admin.state().state().pool("stable").policyName();
        apply(example("auto-timeout", GliaOptimizationSpec.RolloutMode.AUTO, "2s"));
        GliaOptimization o = awaitPhase("auto-timeout", GliaOptimizationStatus.Phase.RolledBack);

        assertThat(is(o, "Canary", "False", "CanaryTimedOut")).as("%s", o.getStatus().conditions).isTrue();
        assertThat(is(o, "Ready", "False", "RolledBack")).isTrue();
        assertThat(o.getStatus().activePolicy).isNull();
        assertThat(eventReasons("auto-timeout")).contains("CanaryStarted", "RolledBack");
        RouterState after = await(() -> {
            RouterResult r = admin.state();
            return r.applied() && !r.state().canaryRuns() ? r.state() : null;
        }, "the router to roll back");
        assertThat(after.pool("stable").policyName()).as("the stable policy as before").isEqualTo(stable);
        assertThat(after.pools()).extracting(RouterState.Pool::pool).as("the control merged too")
                .containsExactly("stable");
        assertThat(after.pool("stable").engines()).hasSize(3);
        GliaOptimization rolledBack = o;
        assertThat(await(() -> {
            GliaPolicy p = candidate(rolledBack);
            return p.getStatus() != null && p.getStatus().rolledOut.isEmpty() ? p : null;
        }, "the rolled-back GliaPolicy to run nowhere").getStatus().verified).isTrue();

        client.resources(GliaOptimization.class).inNamespace(NS).withName("auto-timeout").edit(x -> {
            x.getMetadata().getAnnotations().put(OptimizationReconciler.RESEARCH_REQUEST_ANNOTATION, "1");
            return x;
        });
        await(() -> eventReasons("auto-timeout").stream().filter("ResearchStarted"::equals).count() == 2,
                "a second research session");
        await(() -> {
            GliaOptimization x = get("auto-timeout");
            return "1".equals(x.getStatus().rollout.researchRequest)
                    && x.getStatus().phase == GliaOptimizationStatus.Phase.RolledBack ? x : null;
        }, "the second canary to be rolled back, the request recorded as answered");
        assertThat(eventReasons("auto-timeout").stream().filter("ResearchStarted"::equals).count())
                .as("the request is answered once").isEqualTo(2);
    }

    @Test
    void manualWaitsForApprovalThenRunsTheCanaryAndRollsBackOnTheVerdict() throws Exception {
        apply(example("manual", GliaOptimizationSpec.RolloutMode.MANUAL, "10m"));
        GliaOptimization waiting = awaitPhase("manual", GliaOptimizationStatus.Phase.AwaitingApproval);
        GliaOptimization o = waiting;
        assertThat(is(o, "Approved", "False", "AwaitingApproval")).as("%s", o.getStatus().conditions).isTrue();
        assertThat(condition(o, "Approved").getMessage()).contains("kubectl patch gliapolicy");
        assertResearchJob(o);
        GliaPolicy policy = candidate(o);
        assertPolicyWithEvidence(o, policy);
        assertThat(policy.getSpec().approved).isFalse();
        await(() -> {
            GliaPolicy p = candidate(waiting);
            return p.getStatus() != null && Boolean.TRUE.equals(p.getStatus().verified);
        }, "the GliaPolicy to be verified");
        long reconciles = eventReasons("manual").size();
        assertThat(get("manual").getStatus().phase).as("still waiting once verified")
                .isEqualTo(GliaOptimizationStatus.Phase.AwaitingApproval);
        assertThat(admin.state().state().canaryRuns()).isFalse();
        assertThat(eventReasons("manual")).hasSize((int) reconciles).contains("AwaitingApproval");

        client.resources(GliaPolicy.class).inNamespace(NS).withName(policy.getMetadata().getName()).edit(p -> {
            p.getSpec().approved = true;
            return p;
        });
        GliaOptimization canary = await(() -> {
            GliaOptimization x = get("manual");
            return is(x, "Canary", "True", "CanaryRunning") ? x : null;
        }, "the canary to run");
        assertThat(is(canary, "Approved", "True", "ApprovedBySpec")).isTrue();
        assertThat(admin.state().state().canaryRuns()).isTrue();

        annotate("manual", "rollback");
        o = awaitPhase("manual", GliaOptimizationStatus.Phase.RolledBack);
        assertThat(is(o, "Canary", "False", "ManualRollback")).as("%s", o.getStatus().conditions).isTrue();
        await(() -> !admin.state().state().canaryRuns(), "the router to roll back");
        assertThat(eventReasons("manual")).contains("CanaryStarted", "RolledBack");
        await(() -> !get("manual").getMetadata().getAnnotations().containsKey(ManualVerdict.ANNOTATION),
                "the spent verdict annotation to go");
    }

    @Test
    void anOperatorRestartedMidResearchRestartsTheSessionOnceAndCreatesOneGliaPolicy() throws Exception {
        GliaOptimization o = example("restart", GliaOptimizationSpec.RolloutMode.GITOPS, "10m");
        o.getSpec().research.inProcess = true;
        o.getSpec().research.budgets.simulations = 80;
        apply(o);
        await(() -> {
            GliaOptimization x = get("restart");
            return x.getStatus() != null && x.getStatus().phase == GliaOptimizationStatus.Phase.Researching
                    && x.getStatus().progress != null && x.getStatus().progress.simulationsUsed > 0;
        }, "research under way");
        operator.stop();
        sessions.close();
        assertThat(get("restart").getStatus().phase).as("stopped mid-research")
                .isEqualTo(GliaOptimizationStatus.Phase.Researching);

        sessions = new ResearchSessions(1, research.resolve("after-restart"));
        operator = startOperator();
        GliaOptimization after = awaitPhase("restart", GliaOptimizationStatus.Phase.AwaitingApproval);

        assertThat(after.getStatus().rollout.attempt).isEqualTo(2);
        assertThat(eventReasons("restart")).containsOnlyOnce("ResearchRestarted").containsOnlyOnce("CandidateFound");
        assertThat(client.resources(GliaPolicy.class).inNamespace(NS)
                .withLabel(OptimizationReconciler.OPTIMIZATION_LABEL, "restart").list().getItems())
                .as("one result").singleElement()
                .satisfies(p -> assertThat(p.getMetadata().getName()).isEqualTo(after.getStatus().candidatePolicy));
    }

    @Test
    void gitopsNeverApprovesItsCandidateItselfAndSwitchingToAutoApprovesItByEvidence() throws Exception {
        apply(example("gitops", GliaOptimizationSpec.RolloutMode.GITOPS, "10m"));
        GliaOptimization o = awaitPhase("gitops", GliaOptimizationStatus.Phase.AwaitingApproval);
        assertThat(is(o, "Approved", "False", "AwaitingGitApproval")).as("%s", o.getStatus().conditions).isTrue();
        GliaPolicy policy = await(() -> {
            GliaPolicy p = candidate(o);
            return p.getStatus() != null && Boolean.TRUE.equals(p.getStatus().verified) ? p : null;
        }, "the GliaPolicy to be verified");
        assertThat(policy.getSpec().approved).isFalse();
        assertThat(get("gitops").getStatus().phase).isEqualTo(GliaOptimizationStatus.Phase.AwaitingApproval);
        assertThat(admin.state().state().canaryRuns()).isFalse();
        assertThat(eventReasons("gitops")).contains("ResearchStarted", "CandidateFound", "AwaitingGitApproval")
                .doesNotContain("CanaryConfiguring");
        assertResearchJob(o);

        // the spec's mode changes to auto: the waiting candidate is approved by its evidence and the canary starts
        client.resources(GliaOptimization.class).inNamespace(NS).withName("gitops").edit(x -> {
            x.getSpec().rollout.mode = GliaOptimizationSpec.RolloutMode.AUTO;
            return x;
        });
        GliaOptimization canary = await(() -> {
            GliaOptimization x = get("gitops");
            return is(x, "Canary", "True", "CanaryRunning") ? x : null;
        }, "the canary to run once auto");
        assertThat(is(canary, "Approved", "True", "ApprovedByEvidence")).as("%s", canary.getStatus().conditions)
                .isTrue();
        assertThat(candidate(canary).getSpec().approved).isTrue();
        annotate("gitops", "rollback");
        awaitPhase("gitops", GliaOptimizationStatus.Phase.RolledBack);
        await(() -> !admin.state().state().canaryRuns(), "the router to roll back");
    }

    @Test
    void aSpecThisOperatorCannotRunYetIsAConditionNamingTheFieldNotACrash() throws Exception {
        GliaOptimization o = example("llm-in-process", GliaOptimizationSpec.RolloutMode.AUTO, "10m");
        o.getSpec().research.inProcess = true;
        o.getSpec().research.strategy = GliaOptimizationSpec.Strategy.GLIA;
        apply(o);
        GliaOptimization seen = await(() -> {
            GliaOptimization x = get("llm-in-process");
            return is(x, "SpecValid", "False", "StrategyNotSupported") ? x : null;
        }, "the SpecValid condition");
        assertThat(condition(seen, "SpecValid").getMessage()).startsWith("spec.research.strategy");
        assertThat(seen.getStatus().phase).isEqualTo(GliaOptimizationStatus.Phase.Pending);
        await(() -> eventReasons("llm-in-process").contains("StrategyNotSupported"), "a Warning event");
    }

    @Test
    void aTargetThatDoesNotExistHoldsTheRolloutWithAConditionNamingTheFieldUntilItIsCreated() throws Exception {
        GliaOptimization o = example("missing-target", GliaOptimizationSpec.RolloutMode.GITOPS, "10m");
        o.getSpec().target.router.url = null;
        o.getSpec().target.router.service = "glia-router-not-yet";
        o.getSpec().target.engines.deployment = "vllm-not-yet";
        o.getSpec().research.apiKeySecretRef.name = "no-such-key";
        apply(o);
        GliaOptimization seen = await(() -> {
            GliaOptimization x = get("missing-target");
            return is(x, "ResolvedRefs", "False", "TargetNotFound") ? x : null;
        }, "the ResolvedRefs condition");
        assertThat(condition(seen, "ResolvedRefs").getMessage()).startsWith("spec.target.router.service: no Service "
                + "serving/glia-router-not-yet").contains("spec.target.engines.deployment: no Deployment "
                + "serving/vllm-not-yet").contains("spec.research.apiKeySecretRef: no Secret "
                + "serving/no-such-key; create it: kubectl -n serving create secret generic no-such-key");
        assertThat(seen.getStatus().phase).isEqualTo(GliaOptimizationStatus.Phase.Pending);
        assertThat(eventReasons("missing-target")).containsOnlyOnce("TargetNotFound");

        engineDeployment("vllm-not-yet");
        client.services().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata().withName("glia-router-not-yet").withNamespace(NS).endMetadata().withNewSpec()
                .addNewPort().withName("http").withPort(8080).endPort().endSpec().build()).create();
        client.secrets().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata().withName("no-such-key").withNamespace(NS).endMetadata()
                .addToData("api-key", "c2stdGVzdA==").build()).create();
        GliaOptimization resolved = await(() -> {
            GliaOptimization x = get("missing-target");
            return is(x, "ResolvedRefs", "True", "Resolved") && x.getStatus().phase
                    != GliaOptimizationStatus.Phase.Pending ? x : null;
        }, "research to start once the Deployment exists");
        assertThat(resolved.getStatus().phase).isIn(GliaOptimizationStatus.Phase.Researching,
                GliaOptimizationStatus.Phase.AwaitingApproval);
        client.apps().deployments().inNamespace(NS).withName("vllm-not-yet").delete();
    }

    @Test
    void aGliaPolicyWhoseHashDoesNotMatchItsSourceIsNotVerified() throws Exception {
        GliaPolicy p = client.resources(GliaPolicy.class)
                .load(Files.newInputStream(Path.of("k8s-examples/glia-policy.yaml"))).item();
        p.getMetadata().setNamespace(NS);
        p.getSpec().sha256 = "0".repeat(64);
        client.resource(p).create();
        GliaPolicy seen = await(() -> {
            GliaPolicy x = client.resources(GliaPolicy.class).inNamespace(NS).withName(p.getMetadata().getName()).get();
            return x.getStatus() != null && x.getStatus().verified != null ? x : null;
        }, "verification");
        assertThat(seen.getStatus().verified).isFalse();
        assertThat(seen.getStatus().reason).startsWith("spec.sha256 does not match spec.source");
        assertThat(seen.getStatus().conditions).singleElement().satisfies(c -> {
            assertThat(c.getType()).isEqualTo("Verified");
            assertThat(c.getReason()).isEqualTo("HashMismatch");
        });
    }

    @Test
    void anAutoscalerIsResearchedApprovedAndRunByTheAutoscalingLoopWithoutACanaryInTheRouter() throws Exception {
        try (FakePrometheus prometheus = FakePrometheus.start()) {
            prometheus.answer(Map.of("sum(glia_router_queue_length)", List.of(new FakePrometheus.Series(Map.of(), 0)),
                    "sum(rate(glia_router_prompt_tokens_count[1s]))",
                    List.of(new FakePrometheus.Series(Map.of(), 4.5))));
            // k8s-examples/autoscaling-optimization.yaml as shipped, on the test's router and Prometheus, with a
            // short sinusoid (a quarter of an hour) and a small budget
            GliaOptimization o = Examples.read(Examples.AUTOSCALING, NS, null);
            String name = o.getMetadata().getName();
            GliaOptimizationSpec spec = o.getSpec();
            assertThat(spec.components.router).isFalse();
            assertThat(spec.components.autoscaler).isTrue();
            Examples.routerAt(spec, "http://127.0.0.1:" + router.port(), router.adminPort());
            spec.target.prometheus.url = prometheus.url().toString();
            spec.scenario.duration = 900;
            // fewest GPU-hours alone, so that so short a search finds a better autoscaler (the example's slowdown
            // bound leaves the bundled one unbeaten at this budget)
            spec.objective.constraints = null;
            spec.research.budgets = new GliaOptimizationSpec.Budgets();
            spec.research.budgets.simulations = 120; // its tuner converges in about 90 (6 s of simulation)
            spec.rollout = new GliaOptimizationSpec.Rollout();
            spec.rollout.mode = GliaOptimizationSpec.RolloutMode.MANUAL;
            var before = admin.state().state();
            apply(o);

            GliaOptimization waiting = awaitPhase(name, GliaOptimizationStatus.Phase.AwaitingApproval);
            GliaPolicy policy = candidate(waiting);
            assertThat(policy.getSpec().kind).isEqualTo(GliaPolicySpec.Kind.AUTOSCALER);
            assertThat(policy.getSpec().evidence.metric).isEqualTo("gpuHours");
            await(() -> {
                GliaPolicy p = candidate(waiting);
                return p.getStatus() != null && Boolean.TRUE.equals(p.getStatus().verified);
            }, "the autoscaler GliaPolicy to be verified in the sandbox");
            await(() -> {
                var a = get(name).getStatus().autoscaling;
                return a != null && AutoscalingDriver.DEFAULT_POLICY.equals(a.policy) ? true : null;
            }, "the bundled autoscaler to run until the candidate is approved");

            client.resources(GliaPolicy.class).inNamespace(NS).withName(policy.getMetadata().getName()).edit(p -> {
                p.getSpec().approved = true;
                return p;
            });
            GliaOptimization active = awaitPhase(name, GliaOptimizationStatus.Phase.Active);
            assertThat(active.getStatus().activePolicy).isEqualTo(policy.getMetadata().getName());
            assertThat(is(active, "Canary", "False", "NotApplicable")).as("%s", active.getStatus().conditions)
                    .isTrue();
            assertThat(is(active, "Ready", "True", "Promoted")).isTrue();
            await(() -> {
                var a = get(name).getStatus().autoscaling;
                return a != null && policy.getMetadata().getName().equals(a.policy) ? true : null;
            }, "the autoscaling loop to run the approved autoscaler");
            assertThat(admin.state().state().canaryRuns()).as("no canary in the router").isFalse();
            assertThat(admin.state().state()).as("the router's policies untouched").isEqualTo(before);
            GliaPolicy rolled = await(() -> {
                GliaPolicy p = candidate(waiting);
                return p.getStatus() != null && p.getStatus().rolledOut != null && !p.getStatus().rolledOut.isEmpty()
                        ? p : null;
            }, "the GliaPolicy's status to say where it runs");
            assertThat(rolled.getStatus().rolledOut).singleElement().satisfies(t -> {
                assertThat(t.pool).isEqualTo("autoscaler");
                assertThat(t.router).isNull();
            });
            assertThat(prometheus.unexpected()).isEmpty();
        }
    }

    @Test
    void theAutoscalerScalesTheEngineDeploymentThroughItsScaleSubresourceAndStandsBackWhileAnHpaTargetsIt()
            throws Exception {
        try (FakePrometheus prometheus = FakePrometheus.start()) {
            // no engine pod is Ready on this API server: the contract's two router queries are all there is to ask
            prometheus.answer(Map.of("sum(glia_router_queue_length)", List.of(new FakePrometheus.Series(Map.of(), 0)),
                    "sum(rate(glia_router_prompt_tokens_count[1s]))",
                    List.of(new FakePrometheus.Series(Map.of(), 4.5))));
            GliaOptimization o = example("autoscaled", GliaOptimizationSpec.RolloutMode.MANUAL, "10m");
            // whatever the reconciler makes of the spec (its conditions), the loop runs the bundled default autoscaler
            o.getSpec().components.autoscaler = true;
            o.getSpec().target.prometheus.url = prometheus.url().toString();
            o.getSpec().autoscaling = new GliaOptimizationSpec.Autoscaling();
            o.getSpec().autoscaling.actuation = GliaOptimizationSpec.Actuation.DIRECT;
            o.getSpec().autoscaling.minReplicas = 2;
            o.getSpec().autoscaling.maxReplicas = 8;
            apply(o);

            // throughput, with no engine serving, holds the count it sees (none), which min raises to 2
            await(() -> client.apps().deployments().inNamespace(NS).withName("vllm-llama-3-8b").get().getSpec()
                    .getReplicas() == 2 ? true : null, "the Deployment scaled from 3 to 2 replicas");
            GliaOptimization scaled = await(() -> {
                GliaOptimization x = get("autoscaled");
                return x.getStatus() != null && x.getStatus().autoscaling != null && x.getStatus().autoscaling.desired
                        != null && x.getStatus().conditions.stream().anyMatch(c -> c.getType().equals("SpecValid"))
                        ? x : null;
            }, "status.autoscaling beside the reconciler's conditions");
            assertThat(scaled.getStatus().autoscaling.desired).isEqualTo(2);
            assertThat(scaled.getStatus().autoscaling.policy).isEqualTo(AutoscalingDriver.DEFAULT_POLICY);
            assertThat(scaled.getStatus().autoscaling.actuation).isEqualTo("direct");
            await(() -> eventReasons("autoscaled").contains("Scaled") ? true : null, "a Scaled event");
            assertThat(prometheus.unexpected()).isEmpty();

            client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).resource(
                    new io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder()
                            .withNewMetadata().withName("keda-hpa-vllm").withNamespace(NS).endMetadata()
                            .withNewSpec().withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment")
                            .withName("vllm-llama-3-8b").endScaleTargetRef().withMinReplicas(1).withMaxReplicas(4)
                            .endSpec().build()).create();
            client.apps().deployments().inNamespace(NS).withName("vllm-llama-3-8b").edit(d -> {
                d.getSpec().setReplicas(4);
                return d;
            });
            GliaOptimization refused = await(() -> {
                GliaOptimization x = get("autoscaled");
                return x.getStatus().autoscaling != null && "HpaTargetsDeployment".equals(x.getStatus().autoscaling
                        .reason) ? x : null;
            }, "direct actuation refused while an HPA targets the Deployment");
            assertThat(refused.getStatus().autoscaling.conditions).singleElement().satisfies(c -> {
                assertThat(c.getType()).isEqualTo("Autoscaling");
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("HpaTargetsDeployment");
                assertThat(c.getMessage()).startsWith("HorizontalPodAutoscaler keda-hpa-vllm (KEDA's, for"
                        + " ScaledObject vllm) already scales Deployment vllm-llama-3-8b");
            });
            await(() -> eventReasons("autoscaled").contains("HpaTargetsDeployment") ? true : null, "a Warning event");
            Thread.sleep(1500);
            assertThat(client.apps().deployments().inNamespace(NS).withName("vllm-llama-3-8b").get().getSpec()
                    .getReplicas()).as("left to the HPA").isEqualTo(4);
            assertThat(condition(get("autoscaled"), "SpecValid")).as("the reconciler's conditions stay").isNotNull();

            client.resources(GliaOptimization.class).inNamespace(NS).withName("autoscaled").delete();
            client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).delete();
            client.apps().deployments().inNamespace(NS).withName("vllm-llama-3-8b").edit(d -> {
                d.getSpec().setReplicas(3);
                return d;
            });
        }
    }
}
