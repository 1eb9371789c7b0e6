package dev.glia.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glia.catalog.PolicyDocument;
import dev.glia.control.Baseline;
import dev.glia.control.CanaryEngines;
import dev.glia.control.Candidate;
import dev.glia.control.Condition;
import dev.glia.control.Evidence;
import dev.glia.control.Progress;
import dev.glia.control.RolloutMode;
import dev.glia.control.RolloutPhase;
import dev.glia.control.RolloutSettings;
import dev.glia.control.RolloutState;
import dev.glia.control.RouterCall;
import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationStatus;
import dev.glia.operator.crd.v1alpha1.GliaPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the operator makes of a spec, and the rollout state's round trip through the status; no cluster needed. */
class OptimizationSpecsTest {

    private static GliaOptimization example() throws IOException {
        return Examples.read(Examples.OPTIMIZATION);
    }

    @Test
    void durationsAreReadAsKubernetesWritesThem() {
        assertThat(OptimizationSpecs.duration("90s", null)).isEqualTo(Duration.ofSeconds(90));
        assertThat(OptimizationSpecs.duration("1h30m", null)).isEqualTo(Duration.ofMinutes(90));
        assertThat(OptimizationSpecs.duration("250ms", null)).isEqualTo(Duration.ofMillis(250));
        assertThat(OptimizationSpecs.duration(null, Duration.ofMinutes(15))).isEqualTo(Duration.ofMinutes(15));
        assertThatThrownBy(() -> OptimizationSpecs.duration("15 minutes", null)).hasMessageContaining("15 minutes");
    }

    @Test
    void theExampleAsShippedIsReportedFieldByFieldBecauseItAsksForAJobAndAnLlm() throws IOException {
        List<OptimizationSpecs.Problem> problems = OptimizationSpecs.problems(example().getSpec());

        assertThat(problems).extracting(OptimizationSpecs.Problem::reason).containsExactly("JobModeNotSupported",
                "StrategyNotSupported");
        assertThat(problems).extracting(OptimizationSpecs.Problem::message).allMatch(m -> m.startsWith("spec."));
    }

    @Test
    void anOperatorWithAResearchImageTakesJobModeItsLlmStrategiesAScenarioFromMetricsAndItsDuration()
            throws IOException {
        GliaOptimizationSpec spec = example().getSpec();
        assertThat(spec.scenario.duration).isEqualTo(1000);
        assertThat(spec.scenario.source).isEqualTo(GliaOptimizationSpec.ScenarioSource.FROM_METRICS);

        assertThat(OptimizationSpecs.problems(spec, true)).isEmpty();
    }

    @Test
    void aTraceScenarioIsTakenInProcessAndInAJobWhenItNamesItsConfigMapKey() throws IOException {
        GliaOptimizationSpec spec = example().getSpec();
        spec.research.inProcess = true;
        spec.research.strategy = GliaOptimizationSpec.Strategy.TUNER;
        spec.scenario.source = GliaOptimizationSpec.ScenarioSource.TRACE;

        assertThat(OptimizationSpecs.problems(spec)).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo("ScenarioMissing");
            assertThat(p.message()).startsWith("spec.scenario.trace:");
        });

        spec.scenario.trace = new GliaOptimizationSpec.ConfigMapKeyRef();
        spec.scenario.trace.name = "shop-trace";
        spec.scenario.trace.key = "trace.csv";
        assertThat(OptimizationSpecs.problems(spec)).isEmpty();
        spec.research.inProcess = false;
        assertThat(OptimizationSpecs.problems(spec, true)).isEmpty();
    }

    @Test
    void aComposedScenariosHardwareAndWindowAreCheckedAndNamed() throws IOException {
        GliaOptimizationSpec spec = example().getSpec();
        spec.scenario.hardware.gpu = "tpu-v9";
        spec.scenario.hardware.model = "no-such-model";
        spec.scenario.window = "an hour";

        assertThat(OptimizationSpecs.problems(spec, true)).extracting(OptimizationSpecs.Problem::message)
                .anyMatch(m -> m.startsWith("spec.scenario.window: not a duration: an hour"))
                .anyMatch(m -> m.startsWith("spec.scenario.hardware.gpu: unknown gpu 'tpu-v9'"))
                .anyMatch(m -> m.startsWith("spec.scenario.hardware.model: unknown model 'no-such-model'"));
    }

    @Test
    void anInProcessSessionSimulatesTheSpecsDurationInsteadOfTheScenariosOwn() throws IOException {
        GliaOptimizationSpec spec = example().getSpec();
        spec.research.inProcess = true;
        spec.research.strategy = GliaOptimizationSpec.Strategy.TUNER;
        spec.scenario.source = GliaOptimizationSpec.ScenarioSource.SYNTHETIC;
        spec.scenario.synthetic = new GliaOptimizationSpec.SyntheticScenario();
        spec.scenario.synthetic.name = "glia-sharegpt-a10";
        spec.scenario.duration = 120;

        assertThat(OptimizationSpecs.problems(spec)).isEmpty();
        assertThat(OptimizationSpecs.request(spec, 3, 1).scenario().duration()).isEqualTo(120.0);
        spec.scenario.duration = null;
        assertThat(OptimizationSpecs.request(spec, 3, 1).scenario().duration()).isEqualTo(1000.0);
    }

    @Test
    void aRouterTargetWithNeitherServiceNorUrlAndAnUnknownScenarioAreNamed() throws IOException {
        GliaOptimizationSpec spec = example().getSpec();
        spec.target.router.service = null;
        spec.research.inProcess = true;
        spec.research.strategy = GliaOptimizationSpec.Strategy.TUNER;
        spec.scenario.source = GliaOptimizationSpec.ScenarioSource.SYNTHETIC;
        spec.scenario.synthetic = new GliaOptimizationSpec.SyntheticScenario();
        spec.scenario.synthetic.name = "no-such-scenario";

        assertThat(OptimizationSpecs.problems(spec)).extracting(OptimizationSpecs.Problem::message)
                .anyMatch(m -> m.startsWith("spec.target.router:"))
                .anyMatch(m -> m.startsWith("spec.scenario.synthetic.name:"));
    }

    @Test
    void aSliceThatFitsTheCanaryMinSlicesTimesOverIsTaken() throws IOException {
        GliaOptimizationSpec spec = example().getSpec();
        spec.rollout.canaryDuration = "10m";
        spec.rollout.verdict.minSlices = 10;
        spec.rollout.verdict.sliceDuration = "1m";

        assertThat(OptimizationSpecs.problems(spec, true)).isEmpty();
    }

    @Test
    void aSliceLongerThanTheCanaryIsNamedWithItsFix() throws IOException {
        GliaOptimizationSpec spec = example().getSpec();
        spec.rollout.canaryDuration = "5m";
        spec.rollout.verdict.sliceDuration = "10m";

        assertThat(OptimizationSpecs.problems(spec, true)).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo("SliceDurationTooLong");
            assertThat(p.message()).startsWith("spec.rollout.verdict.sliceDuration: 10m is longer than"
                    + " spec.rollout.canaryDuration (5m)").contains("shorten sliceDuration or lengthen canaryDuration");
        });
    }

    @Test
    void moreSlicesThanTheCanaryHoldsWouldNeverDecideAndAreNamedWithTheDurationThatWould() throws IOException {
        GliaOptimizationSpec spec = example().getSpec();
        spec.rollout.verdict.sliceDuration = "4m";
        spec.rollout.verdict.minSlices = 5;

        assertThat(OptimizationSpecs.problems(spec, true)).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo("VerdictCannotDecide");
            assertThat(p.message()).startsWith("spec.rollout.verdict.minSlices: 5 slices of 4m do not fit in"
                    + " spec.rollout.canaryDuration (15m)").contains("lengthen canaryDuration to at least 1200s");
        });

        spec.rollout.verdict.minSlices = null;
        assertThat(OptimizationSpecs.problems(spec, true)).as("the default minSlices, 5, is checked too")
                .extracting(OptimizationSpecs.Problem::reason).containsExactly("VerdictCannotDecide");
    }

    @Test
    void aSliceThatIsNoDurationOrNotWholeSecondsIsNamed() throws IOException {
        GliaOptimizationSpec spec = example().getSpec();
        spec.rollout.verdict.sliceDuration = "0s";
        assertThat(OptimizationSpecs.problems(spec, true)).extracting(OptimizationSpecs.Problem::message)
                .containsExactly("spec.rollout.verdict.sliceDuration: not a duration: 0s");

        spec.rollout.verdict.sliceDuration = "1500ms";
        assertThat(OptimizationSpecs.problems(spec, true)).extracting(OptimizationSpecs.Problem::message)
                .containsExactly("spec.rollout.verdict.sliceDuration: 1500ms is not a whole number of seconds;"
                        + " use e.g. 30s");
    }

    @Test
    void aCanaryDurationThatIsNoDurationIsNamed() throws IOException {
        GliaOptimizationSpec spec = example().getSpec();
        spec.rollout.canaryDuration = "0m";

        assertThat(OptimizationSpecs.problems(spec, true)).extracting(OptimizationSpecs.Problem::message)
                .containsExactly("spec.rollout.canaryDuration: not a duration: 0m");
    }

    @Test
    void withoutASliceDurationTheOperatorsSliceIsNotHeldAgainstTheCanary() throws IOException {
        GliaOptimizationSpec spec = example().getSpec();
        spec.rollout.canaryDuration = "1m";
        spec.rollout.verdict.minSlices = 10;

        assertThat(OptimizationSpecs.problems(spec, true)).as("as before spec.rollout.verdict: a person's verdict"
                + " can still decide").isEmpty();
        spec.rollout.verdict = null;
        assertThat(OptimizationSpecs.problems(spec, true)).isEmpty();
    }

    @Test
    void theAdminUrlIsTheServicesClusterNameOrTheUrlsHostOnTheAdminPort() throws IOException {
        GliaOptimization o = example();
        assertThat(OptimizationSpecs.adminUrl(o)).hasToString("http://glia-router.serving.svc:8081");
        o.getSpec().target.router.service = null;
        o.getSpec().target.router.url = "http://router.example:8080";
        o.getSpec().target.router.adminPort = 9091;
        assertThat(OptimizationSpecs.adminUrl(o)).hasToString("http://router.example:9091");
    }

    @Test
    void theSettingsFollowSpecRollout() throws IOException {
        RolloutSettings s = OptimizationSpecs.settings(example().getSpec(), Duration.ofSeconds(30));
        assertThat(s.mode()).isEqualTo(RolloutMode.MANUAL);
        assertThat(s.canaryShare()).isEqualTo(0.25);
        assertThat(s.canaryDuration()).isEqualTo(Duration.ofMinutes(15));
        assertThat(s.canaryEngines()).isEqualTo(CanaryEngines.count(1));
    }

    @Test
    void theRolloutStateSurvivesTheStatus() throws IOException {
        GliaPolicy policy = Serialization.unmarshal(Files.newInputStream(Path.of("k8s-examples/glia-policy.yaml")),
                GliaPolicy.class);
        Candidate candidate = RolloutStatus.candidate(policy);
        RolloutSettings settings = RolloutSettings.of(RolloutMode.AUTO);
        Instant t = Instant.parse("2026-01-02T03:04:05Z");
        RolloutState initial = RolloutState.initial(3, settings, t);
        RolloutState state = new RolloutState(RolloutPhase.CANARY, 3, settings, t, 1, new Progress(12, 40, 0, 5),
                candidate, true, new RolloutState.CanaryRun(t, t.plusSeconds(900), Baseline.CONTROL),
                new RolloutState.PendingCall(RouterCall.PROMOTE, t.plusSeconds(30), 2), null,
                Condition.put(initial.conditions(), new Condition("Canary", Condition.Status.TRUE, "CanaryRunning",
                        "x", 3, t)));
        GliaOptimizationStatus status = new GliaOptimizationStatus();
        RolloutStatus.write(state, status);
        GliaOptimizationStatus back = Serialization.unmarshal(Serialization.asJson(status), GliaOptimizationStatus.class);

        RolloutState read = RolloutStatus.read(back, settings, policy);
        assertThat(read).isEqualTo(state);
        assertThat(back.phase).isEqualTo(GliaOptimizationStatus.Phase.Canary);
        assertThat(back.progress.summary).isEqualTo("12/40");
        assertThat(back.candidatePolicy).isEqualTo(policy.getMetadata().getName());
        assertThat(candidate.policy().router()).isEqualTo(PolicyDocument.Part.source(policy.getSpec().source,
                policy.getSpec().parameters));
        assertThat(candidate.evidence().goal()).isEqualTo(Evidence.Goal.MINIMIZE);
    }

    @Test
    void aPolicyWhoseSourceFailsTheSandboxOrWhoseSpecChangedIsNotVerified() throws IOException {
        GliaPolicy policy = Serialization.unmarshal(Files.newInputStream(Path.of("k8s-examples/glia-policy.yaml")),
                GliaPolicy.class);
        PolicyVerification.Result ok = PolicyVerification.verify(policy.getSpec(), null);
        assertThat(ok.verified()).as(ok.message()).isTrue();
        policy.getSpec().approved = true;
        assertThat(PolicyVerification.verify(policy.getSpec(), ok.specSha256()).verified())
                .as("approving changes nothing else").isTrue();

        policy.getSpec().parameters = java.util.Map.of("other", 1.0);
        PolicyVerification.Result changed = PolicyVerification.verify(policy.getSpec(), ok.specSha256());
        assertThat(changed.verified()).isFalse();
        assertThat(changed.reason()).isEqualTo("SpecChanged");

        policy.getSpec().source = "class Evil { void f() { System.exit(1); } }";
        policy.getSpec().sha256 = dev.glia.policy.sandbox.PolicySource.sha256(policy.getSpec().source);
        PolicyVerification.Result evil = PolicyVerification.verify(policy.getSpec(), null);
        assertThat(evil.verified()).isFalse();
        assertThat(evil.reason()).isEqualTo("SandboxRefused");
        assertThat(evil.message()).startsWith("spec.source fails the sandbox");
    }

    @Test
    void theQuickStartExampleIsASpecTheOperatorRunsToday() throws IOException {
        GliaOptimization quickStart = Serialization.unmarshal(
                Files.newInputStream(Path.of("k8s-examples/optimization-quickstart.yaml")), GliaOptimization.class);

        assertThat(OptimizationSpecs.problems(quickStart.getSpec())).isEmpty();
        assertThat(OptimizationSpecs.problems(example().getSpec())).as("the full example asks for what comes next")
                .isNotEmpty();
    }

    @Test
    void theAutoscalingExampleDesignsAnAutoscalerOnItsSinusoid() throws IOException {
        GliaOptimizationSpec spec = Examples.read(Examples.AUTOSCALING).getSpec();

        assertThat(OptimizationSpecs.problems(spec)).isEmpty();
        assertThat(OptimizationSpecs.component(spec)).isEqualTo("autoscaler");
        assertThat(OptimizationSpecs.request(spec, 3, 1).component()).isEqualTo("autoscaler");
    }

    @Test
    void oneComponentPerOptimisationEachOtherAskIsNamedWithItsFix() throws IOException {
        GliaOptimizationSpec both = Examples.read(Examples.AUTOSCALING).getSpec();
        both.components.router = null; // router is designed unless set false
        assertThat(OptimizationSpecs.problems(both)).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo("ComponentNotSupported");
            assertThat(p.message()).startsWith("spec.components: router and autoscaler are asked for")
                    .contains("one GliaOptimization per component", "router: false");
        });

        GliaOptimizationSpec none = Examples.read(Examples.AUTOSCALING).getSpec();
        none.components.autoscaler = false;
        assertThat(OptimizationSpecs.problems(none)).extracting(OptimizationSpecs.Problem::reason)
                .containsExactly("ComponentMissing");

        GliaOptimizationSpec steady = Examples.read(Examples.AUTOSCALING).getSpec();
        steady.scenario.synthetic.name = "glia-sharegpt-a10";
        assertThat(OptimizationSpecs.problems(steady)).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo("ScenarioHasNoAutoscaling");
            assertThat(p.message()).startsWith("spec.scenario.synthetic.name: glia-sharegpt-a10 has no autoscaling")
                    .contains("glia-sinusoid-autoscale");
        });

        GliaOptimizationSpec fitted = Examples.read(Examples.AUTOSCALING).getSpec();
        fitted.scenario.source = GliaOptimizationSpec.ScenarioSource.FROM_METRICS;
        assertThat(OptimizationSpecs.problems(fitted)).as("a fitted scenario takes spec.autoscaling's section")
                .isEmpty();
    }
}
