package dev.glia.operator;

import dev.glia.catalog.PolicyDocument;
import dev.glia.control.Baseline;
import dev.glia.control.Candidate;
import dev.glia.control.Condition;
import dev.glia.control.Evidence;
import dev.glia.control.Progress;
import dev.glia.control.RolloutPhase;
import dev.glia.control.RolloutSettings;
import dev.glia.control.RolloutState;
import dev.glia.control.RouterCall;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationStatus;
import dev.glia.operator.crd.v1alpha1.GliaPolicy;
import dev.glia.operator.crd.v1alpha1.GliaPolicySpec;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@link RolloutState} to a GliaOptimization's status and back. The state machine's fields live in
 * {@code status.rollout}, its conditions in {@code status.conditions}, its progress in {@code status.progress}; the
 * candidate is read back from its GliaPolicy ({@code status.candidatePolicy}), which holds the policy and its
 * evidence. The spec gives the settings.
 */
final class RolloutStatus {
    /** The conditions the state machine owns; others in status.conditions are the operator's own. */
    static final Set<String> ROLLOUT_CONDITIONS = Set.of(dev.glia.control.Rollout.READY,
            dev.glia.control.Rollout.RESEARCHING, dev.glia.control.Rollout.CANDIDATE_READY,
            dev.glia.control.Rollout.APPROVED, dev.glia.control.Rollout.CANARY,
            dev.glia.control.Rollout.ROUTER_REACHABLE, dev.glia.control.Rollout.CONSISTENT);

    private RolloutStatus() {
    }

    /** The state the status records, or null when it records none yet. */
    static RolloutState read(GliaOptimizationStatus status, RolloutSettings settings, GliaPolicy candidatePolicy) {
        if (status == null || status.rollout == null || status.rollout.phase == null) {
            return null;
        }
        GliaOptimizationStatus.RolloutRecord r = status.rollout;
        RolloutPhase phase = RolloutPhase.valueOf(
                r.phase.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
        List<Condition> conditions = new ArrayList<>();
        for (io.fabric8.kubernetes.api.model.Condition c : status.conditions) {
            if (ROLLOUT_CONDITIONS.contains(c.getType())) {
                conditions.add(new Condition(c.getType(), Condition.Status.valueOf(c.getStatus().toUpperCase(Locale.ROOT)),
                        c.getReason(), c.getMessage(), c.getObservedGeneration() == null ? 0 : c.getObservedGeneration(),
                        Instant.parse(c.getLastTransitionTime())));
            }
        }
        Progress progress = status.progress == null || status.progress.simulationsUsed == null ? null
                : new Progress(status.progress.simulationsUsed, nz(status.progress.simulationsBudget),
                        status.progress.dollarsUsed == null ? 0 : status.progress.dollarsUsed,
                        status.progress.dollarsBudget == null ? 0 : status.progress.dollarsBudget);
        RolloutState.CanaryRun canary = r.canaryStartedAt == null ? null
                : new RolloutState.CanaryRun(Instant.parse(r.canaryStartedAt), Instant.parse(r.canaryDeadline),
                        r.canaryBaseline == null ? Baseline.STABLE // recorded before canaries had control pools
                                : Baseline.valueOf(r.canaryBaseline.toUpperCase(Locale.ROOT)));
        RolloutState.PendingCall pending = r.pendingCall == null ? null : new RolloutState.PendingCall(
                RouterCall.valueOf(r.pendingCall), Instant.parse(r.pendingRetryAt), nz(r.pendingTries));
        RolloutState.Failure failure = r.failureReason == null ? null
                : new RolloutState.Failure(r.failureReason, r.failureMessage);
        Candidate candidate = candidatePolicy == null ? null : candidate(candidatePolicy);
        return new RolloutState(phase, status.observedGeneration == null ? 0 : status.observedGeneration, settings,
                Instant.parse(r.since), nz(r.attempt), progress, candidate, Boolean.TRUE.equals(r.approved), canary,
                pending, failure, conditions);
    }

    /** Writes {@code state} into {@code status} (the other fields stay as they are). */
    static void write(RolloutState state, GliaOptimizationStatus status) {
        GliaOptimizationStatus.RolloutRecord r = new GliaOptimizationStatus.RolloutRecord();
        r.phase = state.phase().label();
        r.since = state.since().toString();
        r.attempt = state.attempt();
        r.approved = state.approved();
        if (state.canary() != null) {
            r.canaryStartedAt = state.canary().startedAt().toString();
            r.canaryDeadline = state.canary().deadline().toString();
            r.canaryBaseline = state.canary().baseline().pool();
        }
        if (state.pending() != null) {
            r.pendingCall = state.pending().call().name();
            r.pendingRetryAt = state.pending().retryAt().toString();
            r.pendingTries = state.pending().tries();
        }
        if (state.failure() != null) {
            r.failureReason = state.failure().reason();
            r.failureMessage = state.failure().message();
        }
        r.session = status.rollout == null ? null : status.rollout.session;
        status.rollout = r;
        status.observedGeneration = state.generation();
        status.phase = phase(state.phase());
        List<io.fabric8.kubernetes.api.model.Condition> conditions = new ArrayList<>();
        for (Condition c : state.conditions()) {
            conditions.add(kubernetes(c));
        }
        for (io.fabric8.kubernetes.api.model.Condition c : status.conditions) {
            if (!ROLLOUT_CONDITIONS.contains(c.getType())) {
                conditions.add(c);
            }
        }
        status.conditions = conditions;
        if (state.progress() != null) {
            Progress p = state.progress();
            GliaOptimizationStatus.Progress out = status.progress == null ? new GliaOptimizationStatus.Progress()
                    : status.progress;
            out.summary = p.simulations() + "/" + p.simulationBudget();
            out.simulationsUsed = (int) p.simulations();
            out.simulationsBudget = (int) p.simulationBudget();
            out.dollarsUsed = p.dollars();
            out.dollarsBudget = p.dollarBudget();
            status.progress = out;
        }
        if (state.candidate() != null) {
            status.candidatePolicy = state.candidate().policyName();
            status.best = best(state.candidate());
            if (state.phase() == RolloutPhase.PROMOTED) {
                status.activePolicy = state.candidate().policyName();
            }
        }
    }

    static GliaOptimizationStatus.Phase phase(RolloutPhase phase) {
        return switch (phase) {
            case PENDING -> GliaOptimizationStatus.Phase.Pending;
            case RESEARCHING, CANDIDATE_READY -> GliaOptimizationStatus.Phase.Researching;
            case AWAITING_APPROVAL -> GliaOptimizationStatus.Phase.AwaitingApproval;
            case CANARY -> GliaOptimizationStatus.Phase.Canary;
            case PROMOTED -> GliaOptimizationStatus.Phase.Active;
            case ROLLED_BACK -> GliaOptimizationStatus.Phase.RolledBack;
            case FAILED -> GliaOptimizationStatus.Phase.Failed;
        };
    }

    static io.fabric8.kubernetes.api.model.Condition kubernetes(Condition c) {
        return new ConditionBuilder().withType(c.type()).withStatus(c.status().value()).withReason(c.reason())
                .withMessage(c.message()).withObservedGeneration(c.observedGeneration())
                .withLastTransitionTime(c.lastTransitionTime().toString()).build();
    }

    /** The candidate a GliaPolicy holds: its source and parameters as the router's policy, its evidence. */
    static Candidate candidate(GliaPolicy policy) {
        GliaPolicySpec spec = policy.getSpec();
        GliaPolicySpec.Evidence e = spec.evidence;
        Evidence evidence = new Evidence(e.metric, e.goal == GliaPolicySpec.Goal.MAXIMIZE ? Evidence.Goal.MAXIMIZE
                : Evidence.Goal.MINIMIZE, e.candidate.mean, halfWidth(e.candidate), e.baseline.mean,
                halfWidth(e.baseline));
        if (spec.kind == GliaPolicySpec.Kind.AUTOSCALER) {
            return Candidate.autoscaler(policy.getMetadata().getName(), evidence);
        }
        PolicyDocument.Part part = PolicyDocument.Part.source(spec.source, spec.parameters);
        PolicyDocument document = spec.kind == GliaPolicySpec.Kind.BATCH_PRIORITY
                ? new PolicyDocument(PolicyDocument.Part.named("llq"), part) : new PolicyDocument(part, null);
        return new Candidate(policy.getMetadata().getName(), document, evidence);
    }

    private static GliaOptimizationStatus.Best best(Candidate c) {
        GliaOptimizationStatus.Best b = new GliaOptimizationStatus.Best();
        Evidence e = c.evidence();
        b.statistic = e.statistic();
        b.goal = e.goal() == Evidence.Goal.MAXIMIZE ? "maximize" : "minimize";
        b.policy = c.policyName();
        b.value = e.candidate();
        b.baseline = e.baseline();
        b.ratio = e.baseline() == 0 ? null : e.candidate() / e.baseline();
        b.improvement = String.format(Locale.ROOT, "%+.1f%% %s", b.ratio == null ? 0 : (b.ratio - 1) * 100,
                e.statistic());
        b.significant = e.beatsBaseline();
        return b;
    }

    private static double halfWidth(GliaPolicySpec.Result r) {
        return r.ci90 == null || r.ci90.size() != 2 ? 0 : Math.abs(r.ci90.get(1) - r.ci90.get(0)) / 2;
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }
}
