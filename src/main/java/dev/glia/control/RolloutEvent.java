package dev.glia.control;

/**
 * What the reconciler observed, handed to {@link Rollout#step}. Reconcilers are level-triggered, so an event that
 * repeats what the state already knows (the same approval, the same candidate) changes nothing and asks for
 * nothing; an event that contradicts the state is refused with the {@code Consistent} condition and a Warning event.
 */
public sealed interface RolloutEvent {

    /** A reconcile without news: time passed. Starts a rollout, retries router calls, ends timed-out canaries. */
    record Tick() implements RolloutEvent {
    }

    /** The GliaOptimization's spec at {@code generation}: new rollout settings (the mode may change midway). */
    record SpecChanged(long generation, RolloutSettings settings) implements RolloutEvent {
    }

    /** A new research session is wanted (drift, a user's request): starts from any ended rollout. */
    record ResearchRequested(String reason, String message) implements RolloutEvent {
    }

    /** The research Job (or in-process session) {@code session} exists and runs: also how a restart re-attaches. */
    record ResearchStarted(String session) implements RolloutEvent {
    }

    record ResearchProgress(Progress progress) implements RolloutEvent {
    }

    /** The session ended with a candidate and its evidence. */
    record ResearchFinished(Candidate candidate) implements RolloutEvent {
    }

    /** The session failed; {@code reason} is CamelCase (e.g. {@code BudgetExhausted}, {@code JobFailed}). */
    record ResearchFailed(String reason, String message) implements RolloutEvent {
    }

    /** The candidate's GliaPolicy exists (created by this rollout, or found after a restart). */
    record PolicyCreated(String policyName) implements RolloutEvent {
    }

    /** {@code spec.approved} is true on GliaPolicy {@code policyName} (set by a person, or synced from Git). */
    record PolicyApproved(String policyName) implements RolloutEvent {
    }

    /** A {@link CanaryVerdict}'s answer for the running canary. */
    record VerdictReached(CanaryVerdict.Verdict verdict) implements RolloutEvent {
    }

    /**
     * The router did {@code call} ({@link RouterCall#CANARY}: the canary started now, compared with {@code baseline};
     * null for other calls).
     */
    record RouterApplied(RouterCall call, Baseline baseline) implements RolloutEvent {
    }

    /** {@code call} got no answer, or a 5xx: it is made again after {@link RolloutSettings#routerRetry()}. */
    record RouterUnreachable(RouterCall call, String message) implements RolloutEvent {
    }

    /** The router refused {@code call} (400, 409) with {@code message}. */
    record RouterRefused(RouterCall call, int status, String message) implements RolloutEvent {
    }

    static RolloutEvent tick() {
        return new Tick();
    }

    /** The canary started: {@link RouterApplied} of {@link RouterCall#CANARY}, with a control pool. */
    static RolloutEvent canaryStarted() {
        return new RouterApplied(RouterCall.CANARY, Baseline.CONTROL);
    }

    /** The event {@code result} of {@code call} makes. */
    static RolloutEvent fromRouter(RouterCall call, RouterResult result) {
        return switch (result.outcome()) {
            case APPLIED -> new RouterApplied(call, call == RouterCall.CANARY ? result.state().baseline() : null);
            case REFUSED, CONFLICT -> new RouterRefused(call, result.status(), result.message());
            case ROUTER_ERROR, UNREACHABLE -> new RouterUnreachable(call, result.status() == 0 ? result.message()
                    : "HTTP " + result.status() + ": " + result.message());
        };
    }
}
