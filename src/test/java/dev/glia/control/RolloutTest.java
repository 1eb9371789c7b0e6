package dev.glia.control;

import dev.glia.catalog.PolicyDocument;
import dev.glia.control.CanaryVerdict.Verdict;
import dev.glia.control.Rollout.Step;
import dev.glia.control.RolloutAction.ApprovePolicy;
import dev.glia.control.RolloutAction.ConfigureCanary;
import dev.glia.control.RolloutAction.CreatePolicy;
import dev.glia.control.RolloutAction.CreateResearchJob;
import dev.glia.control.RolloutAction.EmitEvent;
import dev.glia.control.RolloutAction.InstallPolicy;
import dev.glia.control.RolloutAction.Promote;
import dev.glia.control.RolloutAction.RollBack;
import dev.glia.control.RolloutAction.WakeAt;
import dev.glia.control.RolloutEvent.PolicyApproved;
import dev.glia.control.RolloutEvent.PolicyCreated;
import dev.glia.control.RolloutEvent.ResearchFailed;
import dev.glia.control.RolloutEvent.ResearchFinished;
import dev.glia.control.RolloutEvent.ResearchProgress;
import dev.glia.control.RolloutEvent.ResearchRequested;
import dev.glia.control.RolloutEvent.ResearchStarted;
import dev.glia.control.RolloutEvent.RouterRefused;
import dev.glia.control.RolloutEvent.RouterUnreachable;
import dev.glia.control.RolloutEvent.SpecChanged;
import dev.glia.control.RolloutEvent.VerdictReached;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** The rollout of a candidate policy, one specification per behaviour, on a clock the test moves by hand. */
class RolloutTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final PolicyDocument HRA = new PolicyDocument(
            PolicyDocument.Part.named("hra-spf", Map.of("decodeToPrefillRatio", 2.0)),
            PolicyDocument.Part.named("spf"));
    /** Mean E2E 8.0 ± 0.2 s against the baseline's 9.4 ± 0.3 s: better beyond doubt. */
    private static final Candidate BETTER = new Candidate("opt-a-1", HRA,
            new Evidence("e2e_mean_s", Evidence.Goal.MINIMIZE, 8.0, 0.2, 9.4, 0.3));
    /** 9.3 ± 0.2 against 9.4 ± 0.3: the intervals overlap. */
    private static final Candidate WITHIN_NOISE = new Candidate("opt-a-1", HRA,
            new Evidence("e2e_mean_s", Evidence.Goal.MINIMIZE, 9.3, 0.2, 9.4, 0.3));

    /** A rollout driven event by event; {@code at} is minutes after T0. */
    private static final class Run {
        RolloutState state;
        Step last;
        final List<Step> steps = new ArrayList<>();

        Run(RolloutSettings settings) {
            state = RolloutState.initial(1, settings, T0);
        }

        Step on(double minutes, RolloutEvent event) {
            last = Rollout.step(state, event, at(minutes));
            steps.add(last);
            state = last.state();
            return last;
        }

        RolloutPhase phase() {
            return state.phase();
        }

        Condition condition(String type) {
            return state.condition(type);
        }
    }

    private static Instant at(double minutes) {
        return T0.plusMillis(Math.round(minutes * 60_000));
    }

    private static RolloutSettings settings(RolloutMode mode) {
        return RolloutSettings.of(mode).withCanary(CanaryEngines.count(1), 0.25, Duration.ofMinutes(30));
    }

    /** Research run to a candidate, its GliaPolicy observed: where every mode's own behaviour begins. */
    private static Run researched(RolloutSettings settings, Candidate candidate) {
        Run run = new Run(settings);
        run.on(0, RolloutEvent.tick());
        run.on(1, new ResearchProgress(new Progress(12, 40, 0.31, 5)));
        run.on(10, new ResearchFinished(candidate));
        return run;
    }

    private static List<String> reasons(Step step) {
        return step.actions(EmitEvent.class).stream().map(EmitEvent::reason).toList();
    }

    @Test
    void theFirstTickStartsOneResearchSession() {
        Run run = new Run(settings(RolloutMode.MANUAL));
        Step step = run.on(0, RolloutEvent.tick());

        assertThat(step.actions(CreateResearchJob.class)).containsExactly(new CreateResearchJob(1, 1));
        assertThat(run.phase()).isEqualTo(RolloutPhase.RESEARCHING);
        assertThat(run.condition(Rollout.RESEARCHING).status()).isEqualTo(Condition.Status.TRUE);
        assertThat(reasons(step)).containsExactly("ResearchStarted");
        assertThat(run.on(1, RolloutEvent.tick()).actions()).as("a second tick starts nothing").isEmpty();
        assertThat(run.on(2, new ResearchStarted("glia-research-abc")).actions()).as("the Job observed").isEmpty();
    }

    @Test
    void aRestartedOperatorReattachesToTheRunningSessionInsteadOfStartingAnother() {
        Run run = new Run(settings(RolloutMode.MANUAL));
        Step step = run.on(0, new ResearchStarted("glia-research-abc"));

        assertThat(run.phase()).isEqualTo(RolloutPhase.RESEARCHING);
        assertThat(step.actions(CreateResearchJob.class)).isEmpty();
        assertThat(run.on(1, RolloutEvent.tick()).actions(CreateResearchJob.class)).isEmpty();
    }

    @Test
    void manualModeWaitsForApprovalThenRunsACanaryAndPromotesOnTheManualVerdict() {
        Run run = researched(settings(RolloutMode.MANUAL), BETTER);
        assertThat(run.last.actions(CreatePolicy.class)).containsExactly(new CreatePolicy(BETTER, false));
        assertThat(run.phase()).isEqualTo(RolloutPhase.CANDIDATE_READY);

        run.on(11, new PolicyCreated("opt-a-1"));
        assertThat(run.phase()).isEqualTo(RolloutPhase.AWAITING_APPROVAL);
        assertThat(run.condition(Rollout.APPROVED).status()).isEqualTo(Condition.Status.FALSE);
        assertThat(run.condition(Rollout.APPROVED).reason()).isEqualTo("AwaitingApproval");
        assertThat(run.condition(Rollout.APPROVED).message()).contains("spec.approved", "opt-a-1");
        for (int minute = 12; minute < 24 * 60; minute += 60) {
            assertThat(run.on(minute, RolloutEvent.tick()).actions()).as("even good evidence waits for a person")
                    .isEmpty();
        }

        Step approved = run.on(24 * 60, new PolicyApproved("opt-a-1"));
        assertThat(run.phase()).isEqualTo(RolloutPhase.CANARY);
        assertThat(approved.actions(ConfigureCanary.class)).containsExactly(
                new ConfigureCanary("opt-a-1", HRA, CanaryEngines.count(1), 0.25));
        assertThat(run.condition(Rollout.CANARY).status()).isEqualTo(Condition.Status.UNKNOWN);

        Step started = run.on(24 * 60 + 1, RolloutEvent.canaryStarted());
        assertThat(run.condition(Rollout.CANARY).status()).isEqualTo(Condition.Status.TRUE);
        assertThat(run.condition(Rollout.CANARY).message()).contains("compared with its control pool");
        assertThat(run.state.canary().baseline()).isEqualTo(Baseline.CONTROL);
        assertThat(started.actions(WakeAt.class)).containsExactly(new WakeAt(at(24 * 60 + 31)));
        assertThat(run.state.wakeAt()).isEqualTo(at(24 * 60 + 31));

        CanaryVerdict.Canary canary = new CanaryVerdict.Canary("opt-a-1", CanaryEngines.count(1), 0.25,
                run.state.canary().startedAt(), run.state.canary().deadline(), run.state.canary().baseline());
        assertThat(run.on(24 * 60 + 5, new VerdictReached(ManualVerdict.of(null).judge(canary, at(24 * 60 + 5))))
                .actions()).as("no annotation yet").isEmpty();
        Step promoted = run.on(24 * 60 + 10, new VerdictReached(ManualVerdict.of("promote").judge(canary,
                at(24 * 60 + 10))));
        assertThat(run.phase()).isEqualTo(RolloutPhase.PROMOTED);
        assertThat(promoted.actions(Promote.class)).containsExactly(new Promote("opt-a-1"));
        assertThat(run.condition(Rollout.READY).status()).isEqualTo(Condition.Status.TRUE);
        assertThat(run.condition(Rollout.CANARY).reason()).isEqualTo("Promoted");
        assertThat(reasons(promoted)).containsExactly("Promoted");
        assertThat(run.on(24 * 60 + 10.6, RolloutEvent.tick()).actions(Promote.class))
                .as("unanswered after the retry interval: asked again").hasSize(1);
        run.on(24 * 60 + 11, new RolloutEvent.RouterApplied(RouterCall.PROMOTE, null));
        assertThat(run.on(24 * 60 + 60, RolloutEvent.tick()).actions()).isEmpty();
    }

    @Test
    void autoModeApprovesEvidenceThatBeatsTheBaselineAndRollsBackWhenTheCanaryTimesOut() {
        Run run = researched(settings(RolloutMode.AUTO), BETTER);
        assertThat(run.last.actions(CreatePolicy.class)).containsExactly(new CreatePolicy(BETTER, true));
        assertThat(run.condition(Rollout.APPROVED).reason()).isEqualTo("ApprovedByEvidence");

        Step created = run.on(11, new PolicyCreated("opt-a-1"));
        assertThat(run.phase()).isEqualTo(RolloutPhase.CANARY);
        assertThat(created.actions(ConfigureCanary.class)).hasSize(1);
        run.on(12, RolloutEvent.canaryStarted());

        assertThat(run.on(41.9, RolloutEvent.tick()).actions()).as("29.9 minutes in").isEmpty();
        assertThat(run.on(41.95, new VerdictReached(Verdict.undecided("TooFewSamples", "120 of 500"))).actions())
                .isEmpty();
        Step timedOut = run.on(42, RolloutEvent.tick());
        assertThat(run.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
        assertThat(timedOut.actions(RollBack.class)).containsExactly(new RollBack("opt-a-1", "CanaryTimedOut"));
        assertThat(run.condition(Rollout.CANARY).reason()).isEqualTo("CanaryTimedOut");
        assertThat(run.condition(Rollout.READY).reason()).isEqualTo("RolledBack");
        assertThat(timedOut.actions(EmitEvent.class)).extracting(EmitEvent::type)
                .containsExactly(EmitEvent.Type.WARNING);
    }

    @Test
    void aVerdictArrivingAfterTheDeadlineStillDecides() {
        Run run = researched(settings(RolloutMode.AUTO), BETTER);
        run.on(11, new PolicyCreated("opt-a-1"));
        run.on(12, RolloutEvent.canaryStarted());

        run.on(50, new VerdictReached(Verdict.promote("BetterThanStable", "p90 TTFT 0.8 s vs 1.1 s")));
        assertThat(run.phase()).isEqualTo(RolloutPhase.PROMOTED);
    }

    @Test
    void theTimeoutPromotesWhenTheSpecSaysSo() {
        Run run = researched(settings(RolloutMode.AUTO).withOnTimeout(RolloutSettings.OnTimeout.PROMOTE), BETTER);
        run.on(11, new PolicyCreated("opt-a-1"));
        run.on(12, RolloutEvent.canaryStarted());

        Step step = run.on(43, RolloutEvent.tick());
        assertThat(run.phase()).isEqualTo(RolloutPhase.PROMOTED);
        assertThat(step.actions(Promote.class)).hasSize(1);
        assertThat(run.condition(Rollout.CANARY).message()).contains("CanaryTimedOut");
    }

    @Test
    void autoModeLeavesEvidenceWithinTheNoiseToAPerson() {
        Run run = researched(settings(RolloutMode.AUTO), WITHIN_NOISE);
        assertThat(run.last.actions(CreatePolicy.class)).containsExactly(new CreatePolicy(WITHIN_NOISE, false));

        run.on(11, new PolicyCreated("opt-a-1"));
        assertThat(run.phase()).isEqualTo(RolloutPhase.AWAITING_APPROVAL);
        assertThat(run.condition(Rollout.APPROVED).reason()).isEqualTo("EvidenceDoesNotBeatBaseline");
        assertThat(run.on(100, RolloutEvent.tick()).actions()).isEmpty();
        assertThat(run.on(101, new PolicyApproved("opt-a-1")).actions(ConfigureCanary.class)).hasSize(1);
    }

    @Test
    void gitopsModeNeverApprovesItselfAndRollsOutWhatGitApproves() {
        Run run = researched(settings(RolloutMode.GITOPS), BETTER);
        assertThat(run.last.actions(CreatePolicy.class)).containsExactly(new CreatePolicy(BETTER, false));
        run.on(11, new PolicyCreated("opt-a-1"));
        assertThat(run.condition(Rollout.APPROVED).reason()).isEqualTo("AwaitingGitApproval");
        for (int day = 0; day < 30; day++) {
            Step step = run.on(12 + day * 24 * 60, RolloutEvent.tick());
            assertThat(step.actions(ApprovePolicy.class)).isEmpty();
            assertThat(step.actions(ConfigureCanary.class)).isEmpty();
        }
        assertThat(run.phase()).isEqualTo(RolloutPhase.AWAITING_APPROVAL);

        run.on(31 * 24 * 60, new PolicyApproved("opt-a-1"));
        assertThat(run.phase()).isEqualTo(RolloutPhase.CANARY);
        assertThat(run.condition(Rollout.APPROVED).reason()).isEqualTo("ApprovedBySpec");
    }

    @Test
    void switchingAWaitingRolloutToAutoApprovesItWhenTheEvidenceAllows() {
        Run run = researched(settings(RolloutMode.MANUAL), BETTER);
        run.on(11, new PolicyCreated("opt-a-1"));

        Step step = run.on(20, new SpecChanged(2, settings(RolloutMode.AUTO)));
        assertThat(step.actions(ApprovePolicy.class)).containsExactly(new ApprovePolicy("opt-a-1",
                "ApprovedByEvidence"));
        assertThat(step.actions(ConfigureCanary.class)).hasSize(1);
        assertThat(run.state.conditions()).allSatisfy(c -> assertThat(c.observedGeneration()).isEqualTo(2));
        assertThat(run.on(21, new SpecChanged(2, settings(RolloutMode.AUTO))).actions()).as("seen already").isEmpty();
    }

    @Test
    void aManualRollbackEndsTheCanaryWithTheStablePolicy() {
        Run run = researched(settings(RolloutMode.MANUAL), BETTER);
        run.on(11, new PolicyCreated("opt-a-1"));
        run.on(12, new PolicyApproved("opt-a-1"));
        run.on(13, RolloutEvent.canaryStarted());

        Step step = run.on(14, new VerdictReached(ManualVerdict.of("rollback").judge(null, at(14))));
        assertThat(run.phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
        assertThat(step.actions(RollBack.class)).containsExactly(new RollBack("opt-a-1", "ManualRollback"));
        assertThat(run.on(15, new VerdictReached(ManualVerdict.of("rollback").judge(null, at(15)))).actions())
                .as("the annotation is still there at the next reconcile").isEmpty();
        assertThat(run.on(16, RolloutEvent.fromRouter(RouterCall.ROLL_BACK,
                RouterResult.failed(RouterResult.Outcome.CONFLICT, 409, "no canary runs"))).actions())
                .as("no canary left is what a rollback wants").noneMatch(a -> a instanceof InstallPolicy);
        assertThat(run.state.pending()).isNull();
    }

    @Test
    void aFailedResearchSessionRestartsOnceThenTheRolloutFailsWithItsReason() {
        Run run = new Run(settings(RolloutMode.AUTO));
        run.on(0, RolloutEvent.tick());

        Step restarted = run.on(5, new ResearchFailed("JobFailed", "pod evicted"));
        assertThat(restarted.actions(CreateResearchJob.class)).containsExactly(new CreateResearchJob(1, 2));
        assertThat(reasons(restarted)).containsExactly("ResearchRestarted");
        assertThat(run.phase()).isEqualTo(RolloutPhase.RESEARCHING);

        Step failed = run.on(9, new ResearchFailed("BudgetExhausted", "40 of 40 simulations, no valid candidate"));
        assertThat(run.phase()).isEqualTo(RolloutPhase.FAILED);
        assertThat(run.state.failure().reason()).isEqualTo("BudgetExhausted");
        assertThat(run.condition(Rollout.READY).reason()).isEqualTo("BudgetExhausted");
        assertThat(run.condition(Rollout.RESEARCHING).status()).isEqualTo(Condition.Status.FALSE);
        assertThat(failed.actions(CreateResearchJob.class)).isEmpty();
        assertThat(run.on(60, RolloutEvent.tick()).actions()).as("a failure does not retry by itself").isEmpty();

        Step again = run.on(61, new ResearchRequested("DriftDetected", "rate x2"));
        assertThat(again.actions(CreateResearchJob.class)).containsExactly(new CreateResearchJob(1, 1));
        assertThat(run.state.failure()).isNull();
    }

    @Test
    void aCandidateTheRouterRefusesFailsTheRolloutWithTheRoutersMessage() {
        Run run = researched(settings(RolloutMode.AUTO), BETTER);
        run.on(11, new PolicyCreated("opt-a-1"));

        run.on(12, RolloutEvent.fromRouter(RouterCall.CANARY, RouterResult.failed(RouterResult.Outcome.REFUSED, 400,
                "the policy did not load; nothing changed: hra-spf: unknown parameter x")));
        assertThat(run.phase()).isEqualTo(RolloutPhase.FAILED);
        assertThat(run.state.failure().reason()).isEqualTo("RouterRefusedCandidate");
        assertThat(run.state.failure().message()).contains("unknown parameter x");
        assertThat(run.condition(Rollout.CANARY).status()).isEqualTo(Condition.Status.FALSE);
    }

    @Test
    void anUnreachableRouterIsRetriedAtTheRetryIntervalWithOneWarning() {
        Run run = researched(settings(RolloutMode.AUTO), BETTER);
        run.on(11, new PolicyCreated("opt-a-1"));

        Step down = run.on(11.1, new RouterUnreachable(RouterCall.CANARY, "Connection refused"));
        assertThat(run.condition(Rollout.ROUTER_REACHABLE).status()).isEqualTo(Condition.Status.FALSE);
        assertThat(reasons(down)).containsExactly("RouterUnreachable");
        assertThat(down.actions(WakeAt.class)).containsExactly(new WakeAt(at(11.6)));
        assertThat(run.on(11.5, RolloutEvent.tick()).actions()).isEmpty();

        Step retry = run.on(11.6, RolloutEvent.tick());
        assertThat(retry.actions(ConfigureCanary.class)).hasSize(1);
        assertThat(run.state.pending().tries()).isEqualTo(2);
        assertThat(reasons(run.on(11.7, new RouterUnreachable(RouterCall.CANARY, "Connection refused"))))
                .as("still down: no second Warning").isEmpty();

        run.on(12.2, RolloutEvent.tick());
        run.on(12.3, RolloutEvent.canaryStarted());
        assertThat(run.condition(Rollout.ROUTER_REACHABLE).status()).isEqualTo(Condition.Status.TRUE);
        assertThat(run.state.canary().deadline()).isEqualTo(at(42.3));
    }

    @Test
    void aPromotionWhoseCanaryTheRouterLostInstallsTheCandidateInstead() {
        Run run = researched(settings(RolloutMode.AUTO), BETTER);
        run.on(11, new PolicyCreated("opt-a-1"));
        run.on(12, RolloutEvent.canaryStarted());
        run.on(13, new VerdictReached(Verdict.promote("ManualPromote", "")));

        Step step = run.on(14, new RouterRefused(RouterCall.PROMOTE, 409, "no canary runs"));
        assertThat(step.actions(InstallPolicy.class)).containsExactly(new InstallPolicy("opt-a-1", HRA));
        assertThat(reasons(step)).containsExactly("CanaryLost");
        run.on(15, new RolloutEvent.RouterApplied(RouterCall.INSTALL, null));
        assertThat(run.state.pending()).isNull();
        assertThat(run.phase()).isEqualTo(RolloutPhase.PROMOTED);
    }

    @Test
    void anIllegalEventLeavesTheStateAsItWasAndSaysWhyOnce() {
        Run run = new Run(settings(RolloutMode.MANUAL));
        run.on(0, RolloutEvent.tick());
        RolloutState before = run.state;

        Step refused = run.on(1, new VerdictReached(Verdict.promote("ManualPromote", "")));
        assertThat(refused.state().phase()).isEqualTo(RolloutPhase.RESEARCHING);
        assertThat(refused.state().candidate()).isEqualTo(before.candidate());
        Condition consistent = run.condition(Rollout.CONSISTENT);
        assertThat(consistent.status()).isEqualTo(Condition.Status.FALSE);
        assertThat(consistent.reason()).isEqualTo("IllegalTransition");
        assertThat(consistent.message()).isEqualTo("VerdictReached in phase Researching: no canary runs");
        assertThat(refused.actions(EmitEvent.class)).containsExactly(new EmitEvent(EmitEvent.Type.WARNING,
                "IllegalTransition", consistent.message()));
        assertThat(run.on(2, new VerdictReached(Verdict.promote("ManualPromote", ""))).actions())
                .as("the same illegal event again: no new Warning").isEmpty();

        assertThat(run.on(3, new PolicyApproved("opt-a-1")).state().condition(Rollout.CONSISTENT).message())
                .contains("research has produced no candidate");
        run.on(10, new ResearchFinished(BETTER));
        assertThat(run.condition(Rollout.CONSISTENT).status()).as("the next phase clears it")
                .isEqualTo(Condition.Status.TRUE);
        run.on(11, new PolicyCreated("opt-a-1"));
        assertThat(run.on(12, new PolicyApproved("opt-b-7")).state().condition(Rollout.CONSISTENT).message())
                .contains("the candidate is opt-a-1");
        assertThat(run.phase()).isEqualTo(RolloutPhase.AWAITING_APPROVAL);
        run.on(13, new PolicyApproved("opt-a-1"));
        assertThat(run.on(14, new ResearchRequested("DriftDetected", "")).state().condition(Rollout.CONSISTENT)
                .message()).contains("a canary of opt-a-1 runs");
        assertThat(run.on(15, new VerdictReached(Verdict.promote("ManualPromote", ""))).state()
                .condition(Rollout.CONSISTENT).message()).as("not before the router confirmed the canary")
                .contains("has not confirmed");
        assertThat(run.phase()).isEqualTo(RolloutPhase.CANARY);
    }

    @Test
    void malformedEventsAreRefusedNeverThrown() {
        Run run = new Run(settings(RolloutMode.MANUAL));
        run.on(0, RolloutEvent.tick());

        run.on(1, new ResearchFailed("JobFailed", "the first attempt"));
        assertThatCode(() -> run.on(1, new ResearchFailed("not camel case", "x"))).doesNotThrowAnyException();
        assertThat(run.condition(Rollout.CONSISTENT).reason()).isEqualTo("InvalidEvent");
        assertThat(run.phase()).isEqualTo(RolloutPhase.RESEARCHING);
        assertThatCode(() -> run.on(2, null)).doesNotThrowAnyException();
        assertThat(run.condition(Rollout.CONSISTENT).message()).contains("no event");
        assertThatCode(() -> run.on(3, new ResearchFinished(null))).doesNotThrowAnyException();
        assertThat(run.on(4, new SpecChanged(0, settings(RolloutMode.AUTO))).state().condition(Rollout.CONSISTENT)
                .message()).contains("older than the observed 1");
    }

    @Test
    void repeatedObservationsChangeNothing() {
        Run run = researched(settings(RolloutMode.MANUAL), BETTER);
        run.on(11, new PolicyCreated("opt-a-1"));
        run.on(12, new PolicyApproved("opt-a-1"));
        RolloutState state = run.state;

        assertThat(run.on(13, new PolicyCreated("opt-a-1")).actions()).isEmpty();
        assertThat(run.on(13, new PolicyApproved("opt-a-1")).actions()).isEmpty();
        assertThat(run.on(13, new ResearchFinished(BETTER)).actions()).isEmpty();
        assertThat(run.on(13, new ResearchProgress(new Progress(40, 40, 1, 5))).actions()).isEmpty();
        assertThat(run.on(13, new RolloutEvent.RouterApplied(RouterCall.PROMOTE, null)).actions()).as("a stale answer")
                .isEmpty();
        assertThat(run.state).isEqualTo(state);
    }

    @Test
    void aConditionsTransitionTimeChangesOnlyWhenItsStatusDoes() {
        Run run = researched(settings(RolloutMode.MANUAL), BETTER);
        run.on(11, new PolicyCreated("opt-a-1"));
        run.on(12, new PolicyApproved("opt-a-1"));
        run.on(13, RolloutEvent.canaryStarted());
        Condition ready = run.condition(Rollout.READY);
        assertThat(ready.status()).isEqualTo(Condition.Status.FALSE);
        assertThat(ready.reason()).as("the reason followed the phases").isEqualTo("CanaryConfiguring");
        assertThat(ready.lastTransitionTime()).as("False since the start").isEqualTo(T0);
        Condition researching = run.condition(Rollout.RESEARCHING);
        assertThat(researching.lastTransitionTime()).as("True at 0, False at 10").isEqualTo(at(10));
        assertThat(run.condition(Rollout.CANARY).lastTransitionTime()).as("Unknown at 12, True at 13")
                .isEqualTo(at(13));

        run.on(20, new VerdictReached(Verdict.promote("ManualPromote", "")));
        assertThat(run.condition(Rollout.READY).lastTransitionTime()).isEqualTo(at(20));
        run.on(21, new SpecChanged(2, settings(RolloutMode.MANUAL).withOnTimeout(RolloutSettings.OnTimeout.PROMOTE)));
        assertThat(run.condition(Rollout.READY).observedGeneration()).isEqualTo(2);
        assertThat(run.condition(Rollout.READY).lastTransitionTime()).as("a new generation is not a new status")
                .isEqualTo(at(20));
    }

    @Test
    void theSameHistoryGivesTheSameStepsEveryTime() {
        List<RolloutEvent> history = List.of(RolloutEvent.tick(), new ResearchProgress(new Progress(3, 40, 0.1, 5)),
                new ResearchFailed("JobFailed", "OOMKilled"), new ResearchFinished(BETTER),
                new PolicyCreated("opt-a-1"), new RouterUnreachable(RouterCall.CANARY, "timeout"),
                RolloutEvent.tick(), RolloutEvent.canaryStarted(),
                new VerdictReached(Verdict.undecided("TooFewSamples", "")), RolloutEvent.tick());
        List<List<Step>> runs = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            Run run = new Run(settings(RolloutMode.AUTO));
            for (int i = 0; i < history.size(); i++) {
                run.on(i == history.size() - 1 ? 200 : i * 7.5, history.get(i));
            }
            runs.add(run.steps);
        }
        assertThat(runs.get(1)).isEqualTo(runs.get(0));
        assertThat(runs.get(0).get(runs.get(0).size() - 1).state().phase()).isEqualTo(RolloutPhase.ROLLED_BACK);
    }

    @Test
    void anApprovedAutoscalerBecomesActiveAtOnceWithoutACanaryOrARouterCall() {
        Candidate autoscaler = Candidate.autoscaler("opt-a-1",
                new Evidence("gpu_hours", Evidence.Goal.MINIMIZE, 18.0, 0.4, 22.0, 0.5));
        Run run = researched(settings(RolloutMode.MANUAL), autoscaler);
        run.on(11, new PolicyCreated("opt-a-1"));
        assertThat(run.phase()).isEqualTo(RolloutPhase.AWAITING_APPROVAL);

        Step approved = run.on(12, new PolicyApproved("opt-a-1"));
        assertThat(run.phase()).isEqualTo(RolloutPhase.PROMOTED);
        assertThat(approved.actions(ConfigureCanary.class)).isEmpty();
        assertThat(approved.actions(Promote.class)).isEmpty();
        assertThat(run.state.pending()).as("nothing asked of the router").isNull();
        assertThat(run.condition(Rollout.CANARY).status()).isEqualTo(Condition.Status.FALSE);
        assertThat(run.condition(Rollout.CANARY).reason()).isEqualTo("NotApplicable");
        assertThat(run.condition(Rollout.READY).status()).isEqualTo(Condition.Status.TRUE);
        assertThat(reasons(approved)).containsExactly("Promoted");
        assertThat(run.on(13, RolloutEvent.tick()).actions()).as("and stays so").isEmpty();
    }
}
