package dev.glia.control;

import java.time.Instant;
import java.util.List;

/**
 * Everything the rollout of one GliaOptimization's candidate knows, immutable; the reconciler keeps it in the
 * optimisation's status and hands it back to {@link Rollout#step} with the next event.
 *
 * @param phase       where the rollout stands
 * @param generation  the spec generation observed last (conditions carry it as observedGeneration)
 * @param settings    spec.rollout at that generation
 * @param since       when the phase began
 * @param attempt     research sessions started for this candidate (0 before the first)
 * @param progress    the research session's budgets spent, or null
 * @param candidate   what research found, or null before it finished
 * @param approved    whether the candidate's GliaPolicy is approved
 * @param canary      the running canary, or null (also while it is being configured)
 * @param pending     a router call made and not answered yet, or null
 * @param failure     why the rollout failed, or null
 * @param conditions  status.conditions in a fixed order
 */
public record RolloutState(RolloutPhase phase, long generation, RolloutSettings settings, Instant since, int attempt,
        Progress progress, Candidate candidate, boolean approved, CanaryRun canary, PendingCall pending,
        Failure failure, List<Condition> conditions) {

    /** A canary the router runs: since when, when the timeout decides, and what it is compared with. */
    public record CanaryRun(Instant startedAt, Instant deadline, Baseline baseline) {
    }

    /** A router call waiting for its answer; made again at {@code retryAt}. */
    public record PendingCall(RouterCall call, Instant retryAt, int tries) {
    }

    /** Why a rollout failed: a CamelCase reason and a message for people. */
    public record Failure(String reason, String message) {
    }

    public RolloutState {
        conditions = List.copyOf(conditions);
    }

    /** A rollout that has not started, at {@code generation} with {@code settings}: the first tick starts research. */
    public static RolloutState initial(long generation, RolloutSettings settings, Instant now) {
        return Rollout.initial(generation, settings, now);
    }

    /** The condition of {@code type} ({@link Rollout} names them), or null. */
    public Condition condition(String type) {
        return Condition.find(conditions, type);
    }

    /** When the reconciler must look again without news (a canary deadline, a router retry), or null. */
    public Instant wakeAt() {
        Instant at = null;
        if (pending != null) {
            at = pending.retryAt();
        }
        if (phase == RolloutPhase.CANARY && canary != null && (at == null || canary.deadline().isBefore(at))) {
            at = canary.deadline();
        }
        return at;
    }
}
