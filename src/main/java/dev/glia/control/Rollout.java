package dev.glia.control;

import dev.glia.control.RolloutAction.EmitEvent;
import dev.glia.control.RolloutEvent.PolicyApproved;
import dev.glia.control.RolloutEvent.PolicyCreated;
import dev.glia.control.RolloutEvent.ResearchFailed;
import dev.glia.control.RolloutEvent.ResearchFinished;
import dev.glia.control.RolloutEvent.ResearchProgress;
import dev.glia.control.RolloutEvent.ResearchRequested;
import dev.glia.control.RolloutEvent.ResearchStarted;
import dev.glia.control.RolloutEvent.RouterApplied;
import dev.glia.control.RolloutEvent.RouterRefused;
import dev.glia.control.RolloutEvent.RouterUnreachable;
import dev.glia.control.RolloutEvent.SpecChanged;
import dev.glia.control.RolloutEvent.Tick;
import dev.glia.control.RolloutEvent.VerdictReached;
import dev.glia.control.RolloutState.CanaryRun;
import dev.glia.control.RolloutState.Failure;
import dev.glia.control.RolloutState.PendingCall;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The rollout of one GliaOptimization's candidate policy, as a pure function: {@link #step(RolloutState,
 * RolloutEvent, Instant)} gives the next state and the actions the reconciler takes, from nothing but its arguments
 * (no clock, no randomness, no I/O), so the same history always gives the same answer.
 *
 * <pre>
 * Pending ─► Researching ─► CandidateReady ─► AwaitingApproval ─► Canary ─► Promoted | RolledBack
 *                │                 └─ approved already (auto) ───►  │
 *                └─ failed (last attempt) ─► Failed ◄─ router refuses ┘
 * </pre>
 *
 * An autoscaler candidate ({@link Candidate#routed()} false) goes from approval straight to Promoted: it scales the
 * whole Deployment, so no canary can try it on a share of the traffic, and nothing is asked of the router.
 *
 * (docs/operator.md, "Rollout", has the full diagram, the modes, and every event, action and condition.)
 *
 * An event that does not fit the state never throws: the state stays as it was, the {@code Consistent} condition
 * turns False with reason {@code IllegalTransition} and a message naming the event and the phase, and a Warning event
 * says the same (once per distinct message, so a reconciler that repeats it does not flood the cluster).
 */
public final class Rollout {
    /** Summary: True once the candidate runs everywhere; otherwise False with the phase (or the failure) as reason. */
    public static final String READY = "Ready";
    public static final String RESEARCHING = "Researching";
    public static final String CANDIDATE_READY = "CandidateReady";
    public static final String APPROVED = "Approved";
    public static final String CANARY = "Canary";
    public static final String ROUTER_REACHABLE = "RouterReachable";
    /** False ({@code IllegalTransition}) after an event that did not fit the state; True again at the next phase. */
    public static final String CONSISTENT = "Consistent";

    /** The next state, and what the reconciler does, in order. */
    public record Step(RolloutState state, List<RolloutAction> actions) {
        public Step {
            actions = List.copyOf(actions);
        }

        /** The actions of {@code type}, in order. */
        public <T extends RolloutAction> List<T> actions(Class<T> type) {
            return actions.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    private Rollout() {
    }

    static RolloutState initial(long generation, RolloutSettings settings, Instant now) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(now, "now");
        List<Condition> c = new ArrayList<>();
        c.add(new Condition(READY, Condition.Status.FALSE, "Pending", "research has not started", generation, now));
        c.add(new Condition(RESEARCHING, Condition.Status.FALSE, "NotStarted", "", generation, now));
        c.add(new Condition(CANDIDATE_READY, Condition.Status.FALSE, "NoCandidate", "", generation, now));
        c.add(new Condition(APPROVED, Condition.Status.UNKNOWN, "NoCandidate", "", generation, now));
        c.add(new Condition(CANARY, Condition.Status.FALSE, "NoCanary", "", generation, now));
        c.add(new Condition(ROUTER_REACHABLE, Condition.Status.UNKNOWN, "NotContacted", "", generation, now));
        c.add(new Condition(CONSISTENT, Condition.Status.TRUE, "NoIllegalEvents", "", generation, now));
        return new RolloutState(RolloutPhase.PENDING, generation, settings, now, 0, null, null, false, null, null,
                null, c);
    }

    /**
     * The rollout after {@code event} at {@code now}. Never throws for an event: one that does not fit is answered
     * with the unchanged state, the {@code Consistent} condition and a Warning (see the class comment).
     */
    public static Step step(RolloutState state, RolloutEvent event, Instant now) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(now, "now");
        Transition t = new Transition(state, now);
        try {
            if (event == null) {
                throw new Illegal("no event");
            }
            t.handle(event);
            t.checkTimeout();
        } catch (Illegal e) {
            t = new Transition(state, now);
            t.refuse("IllegalTransition", name(event) + " in phase " + state.phase().label() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            t = new Transition(state, now);
            t.refuse("InvalidEvent", name(event) + " in phase " + state.phase().label() + ": " + e.getMessage());
        }
        return t.result();
    }

    private static String name(RolloutEvent event) {
        return event == null ? "null" : event.getClass().getSimpleName();
    }

    /** An event that does not fit the state; caught in {@link #step}, never seen by a caller. */
    private static final class Illegal extends RuntimeException {
        Illegal(String message) {
            super(message, null, false, false);
        }
    }

    /** One step's work: the fields of the next state, and the actions, built up as the event is handled. */
    private static final class Transition {
        private final Instant now;
        private final List<RolloutAction> actions = new ArrayList<>();
        private RolloutPhase phase;
        private long generation;
        private RolloutSettings settings;
        private Instant since;
        private int attempt;
        private Progress progress;
        private Candidate candidate;
        private boolean approved;
        private CanaryRun canary;
        private PendingCall pending;
        private Failure failure;
        private List<Condition> conditions;

        Transition(RolloutState s, Instant now) {
            this.now = now;
            phase = s.phase();
            generation = s.generation();
            settings = s.settings();
            since = s.since();
            attempt = s.attempt();
            progress = s.progress();
            candidate = s.candidate();
            approved = s.approved();
            canary = s.canary();
            pending = s.pending();
            failure = s.failure();
            conditions = s.conditions();
        }

        Step result() {
            return new Step(new RolloutState(phase, generation, settings, since, attempt, progress, candidate,
                    approved, canary, pending, failure, conditions), actions);
        }

        void handle(RolloutEvent event) {
            if (event instanceof Tick) {
                tick();
            } else if (event instanceof SpecChanged e) {
                specChanged(e);
            } else if (event instanceof ResearchRequested e) {
                researchRequested(e);
            } else if (event instanceof ResearchStarted) {
                researchStarted();
            } else if (event instanceof ResearchProgress e) {
                researchProgress(e);
            } else if (event instanceof ResearchFinished e) {
                researchFinished(e.candidate());
            } else if (event instanceof ResearchFailed e) {
                researchFailed(e);
            } else if (event instanceof PolicyCreated e) {
                policyCreated(e.policyName());
            } else if (event instanceof PolicyApproved e) {
                policyApproved(e.policyName());
            } else if (event instanceof VerdictReached e) {
                verdict(e.verdict());
            } else if (event instanceof RouterApplied e) {
                routerApplied(e.call(), e.baseline());
            } else if (event instanceof RouterUnreachable e) {
                routerUnreachable(e);
            } else if (event instanceof RouterRefused e) {
                routerRefused(e);
            } else {
                throw new Illegal("unknown event " + event);
            }
        }

        // ---- events

        private void tick() {
            if (phase == RolloutPhase.PENDING) {
                startResearch(1, "a research session starts for generation " + generation);
            } else if (pending != null && !now.isBefore(pending.retryAt())) {
                call(pending.call());
            }
        }

        private void specChanged(SpecChanged e) {
            if (e.settings() == null) {
                throw new Illegal("the spec gives no rollout settings");
            }
            if (e.generation() < generation) {
                throw new Illegal("generation " + e.generation() + " is older than the observed " + generation);
            }
            if (e.generation() == generation && e.settings().equals(settings)) {
                return;
            }
            generation = e.generation();
            settings = e.settings();
            for (Condition c : List.copyOf(conditions)) {
                condition(c.type(), c.status(), c.reason(), c.message());
            }
            if (canary != null && phase == RolloutPhase.CANARY) {
                canary = new CanaryRun(canary.startedAt(), canary.startedAt().plus(settings.canaryDuration()),
                        canary.baseline());
                actions.add(new RolloutAction.WakeAt(canary.deadline()));
            }
            if (candidate != null && !approved && (phase == RolloutPhase.CANDIDATE_READY
                    || phase == RolloutPhase.AWAITING_APPROVAL)) {
                if (approvesItself()) {
                    approved = true;
                    actions.add(new RolloutAction.ApprovePolicy(candidate.policyName(), "ApprovedByEvidence"));
                    approvalCondition();
                    if (phase == RolloutPhase.AWAITING_APPROVAL) {
                        startCanary();
                    }
                } else {
                    approvalCondition();
                }
            }
        }

        private void researchRequested(ResearchRequested e) {
            switch (phase) {
                case PENDING, RESEARCHING -> {
                    // already under way
                }
                case CANARY -> throw new Illegal("a canary of " + candidate.policyName() + " runs: promote or roll it"
                        + " back before a new research session");
                default -> {
                    candidate = null;
                    approved = false;
                    canary = null;
                    pending = null;
                    failure = null;
                    condition(CANDIDATE_READY, Condition.Status.FALSE, "NoCandidate", "");
                    condition(APPROVED, Condition.Status.UNKNOWN, "NoCandidate", "");
                    condition(CANARY, Condition.Status.FALSE, "NoCanary", "");
                    startResearch(1, "a new research session starts: " + e.reason()
                            + (e.message() == null || e.message().isEmpty() ? "" : ": " + e.message()));
                }
            }
        }

        private void researchStarted() {
            if (phase == RolloutPhase.PENDING) {
                attempt = Math.max(attempt, 1);
                condition(RESEARCHING, Condition.Status.TRUE, "SessionRunning", "attempt " + attempt);
                enter(RolloutPhase.RESEARCHING, "ResearchStarted", "re-attached to a running research session",
                        EmitEvent.Type.NORMAL);
            } else if (phase != RolloutPhase.RESEARCHING) {
                throw new Illegal("no research session is expected");
            }
        }

        private void researchProgress(ResearchProgress e) {
            if (e.progress() == null) {
                throw new Illegal("progress without figures");
            }
            if (phase == RolloutPhase.PENDING) {
                researchStarted();
            }
            if (phase == RolloutPhase.RESEARCHING) {
                progress = e.progress();
                condition(RESEARCHING, Condition.Status.TRUE, "SessionRunning", progress.summary());
            }
            // later phases: a late report of a session that ended; nothing to do
        }

        private void researchFinished(Candidate found) {
            if (found == null) {
                throw new Illegal("research finished without a candidate");
            }
            if (phase != RolloutPhase.PENDING && phase != RolloutPhase.RESEARCHING) {
                if (found.equals(candidate)) {
                    return; // the same result observed again
                }
                throw new Illegal(candidate == null ? "no research session runs"
                        : "research already produced " + candidate.policyName() + ", not " + found.policyName());
            }
            candidate = found;
            approved = approvesItself();
            condition(RESEARCHING, Condition.Status.FALSE, "SessionFinished", found.evidence().summary());
            condition(CANDIDATE_READY, Condition.Status.TRUE, "CandidateFound", found.policyName() + ": "
                    + found.evidence().summary());
            approvalCondition();
            actions.add(new RolloutAction.CreatePolicy(found, approved));
            enter(RolloutPhase.CANDIDATE_READY, "CandidateFound", "GliaPolicy " + found.policyName() + ": "
                    + found.evidence().summary(), EmitEvent.Type.NORMAL);
        }

        private void researchFailed(ResearchFailed e) {
            if (phase != RolloutPhase.PENDING && phase != RolloutPhase.RESEARCHING) {
                throw new Illegal("no research session runs");
            }
            if (phase == RolloutPhase.PENDING) {
                researchStarted(); // a restarted operator found the session failed
            }
            if (attempt < settings.researchAttempts()) {
                event(EmitEvent.Type.WARNING, "ResearchRestarted", "research attempt " + attempt + " failed ("
                        + e.reason() + ": " + e.message() + "); attempt " + (attempt + 1) + " of "
                        + settings.researchAttempts() + " starts");
                attempt++;
                progress = null;
                since = now;
                actions.add(new RolloutAction.CreateResearchJob(generation, attempt));
                condition(RESEARCHING, Condition.Status.TRUE, "SessionRestarted", "attempt " + attempt + " after "
                        + e.reason() + ": " + e.message());
                return;
            }
            condition(RESEARCHING, Condition.Status.FALSE, e.reason(), e.message());
            fail(e.reason(), "research failed after " + Math.max(attempt, 1) + " attempt(s): " + e.message());
        }

        private void policyCreated(String name) {
            requireCandidate(name, "created");
            if (phase != RolloutPhase.CANDIDATE_READY) {
                return; // observed again later
            }
            if (approved) {
                startCanary();
            } else {
                Condition a = Condition.find(conditions, APPROVED);
                enter(RolloutPhase.AWAITING_APPROVAL, a.reason(), a.message(), EmitEvent.Type.NORMAL);
            }
        }

        private void policyApproved(String name) {
            requireCandidate(name, "approved");
            if (approved) {
                return;
            }
            if (phase != RolloutPhase.CANDIDATE_READY && phase != RolloutPhase.AWAITING_APPROVAL) {
                throw new Illegal("the rollout of " + candidate.policyName() + " has ended");
            }
            approved = true;
            condition(APPROVED, Condition.Status.TRUE, "ApprovedBySpec", "spec.approved is true on GliaPolicy "
                    + name);
            startCanary();
        }

        private void verdict(CanaryVerdict.Verdict v) {
            if (v == null) {
                throw new Illegal("no verdict");
            }
            if (v.decision() == CanaryVerdict.Decision.UNDECIDED) {
                return; // the canary goes on; the timeout is checked after every event
            }
            boolean promote = v.decision() == CanaryVerdict.Decision.PROMOTE;
            switch (phase) {
                case CANARY -> {
                    if (canary == null && promote) {
                        throw new Illegal("the router has not confirmed the canary of " + candidate.policyName()
                                + " yet; it cannot be promoted before it ran");
                    }
                    if (promote) {
                        promote(v.reason(), v.message());
                    } else {
                        rollBack(v.reason(), v.message());
                    }
                }
                case PROMOTED, ROLLED_BACK -> {
                    if (promote != (phase == RolloutPhase.PROMOTED)) {
                        throw new Illegal("the canary already ended: " + phase.label());
                    }
                }
                default -> throw new Illegal("no canary runs");
            }
        }

        private void routerApplied(RouterCall call, Baseline baseline) {
            if (pending == null || pending.call() != call) {
                return; // an answer to a call already settled
            }
            pending = null;
            condition(ROUTER_REACHABLE, Condition.Status.TRUE, "Answered", "");
            if (call == RouterCall.CANARY && phase == RolloutPhase.CANARY) {
                canary = new CanaryRun(now, now.plus(settings.canaryDuration()), baseline);
                String message = candidate.policyName() + " runs on " + describe(settings.canaryEngines())
                        + (settings.canaryShare() == null ? "" : " with " + settings.canaryShare() + " of arrivals")
                        + " until " + canary.deadline() + ", compared with " + baseline.description();
                condition(CANARY, Condition.Status.TRUE, "CanaryRunning", message);
                event(EmitEvent.Type.NORMAL, "CanaryStarted", message);
                actions.add(new RolloutAction.WakeAt(canary.deadline()));
            }
        }

        private void routerUnreachable(RouterUnreachable e) {
            if (pending == null || pending.call() != e.call()) {
                return;
            }
            pending = new PendingCall(pending.call(), now.plus(settings.routerRetry()), pending.tries());
            if (condition(ROUTER_REACHABLE, Condition.Status.FALSE, "RouterUnreachable", e.message())) {
                event(EmitEvent.Type.WARNING, "RouterUnreachable", e.call() + " did not reach the router ("
                        + e.message() + "); retrying every " + settings.routerRetry());
            }
            actions.add(new RolloutAction.WakeAt(pending.retryAt()));
        }

        private void routerRefused(RouterRefused e) {
            if (pending == null || pending.call() != e.call()) {
                return;
            }
            pending = null;
            condition(ROUTER_REACHABLE, Condition.Status.TRUE, "Answered", "");
            switch (e.call()) {
                case CANARY, INSTALL -> {
                    if (phase == RolloutPhase.CANARY || phase == RolloutPhase.PROMOTED) {
                        condition(CANARY, Condition.Status.FALSE, "RouterRefused", e.message());
                        fail(e.status() == 409 ? "CanaryConflict" : "RouterRefusedCandidate", "the router refused "
                                + candidate.policyName() + " (HTTP " + e.status() + "): " + e.message());
                    }
                }
                case PROMOTE -> {
                    // no canary runs any more (the router restarted, or a retried promotion already went through):
                    // install the candidate in the stable pool instead, which is what promotion means
                    event(EmitEvent.Type.WARNING, "CanaryLost", "the router has no canary to promote (HTTP "
                            + e.status() + ": " + e.message() + "); installing " + candidate.policyName()
                            + " in the stable pool");
                    call(RouterCall.INSTALL);
                }
                case ROLL_BACK -> {
                    // no canary runs: the stable policy already runs everywhere, which is what rollback means
                }
            }
        }

        /** After every event: a canary past its deadline ends as {@link RolloutSettings#onTimeout()} says. */
        void checkTimeout() {
            if (phase != RolloutPhase.CANARY || canary == null || now.isBefore(canary.deadline())) {
                return;
            }
            String message = "no verdict on " + candidate.policyName() + " within " + settings.canaryDuration();
            if (settings.onTimeout() == RolloutSettings.OnTimeout.PROMOTE) {
                promote("CanaryTimedOut", message + "; promoted as rollout.canary.onTimeout says");
            } else {
                rollBack("CanaryTimedOut", message + "; rolled back");
            }
        }

        // ---- moves

        private void startResearch(int attempt, String message) {
            this.attempt = attempt;
            progress = null;
            actions.add(new RolloutAction.CreateResearchJob(generation, attempt));
            condition(RESEARCHING, Condition.Status.TRUE, "SessionRunning", "attempt " + attempt);
            enter(RolloutPhase.RESEARCHING, "ResearchStarted", message, EmitEvent.Type.NORMAL);
        }

        private void startCanary() {
            if (!candidate.routed()) {
                promoteUnrouted();
                return;
            }
            canary = null;
            condition(CANARY, Condition.Status.UNKNOWN, "Configuring", "asking the router for a canary of "
                    + candidate.policyName());
            enter(RolloutPhase.CANARY, "CanaryConfiguring", candidate.policyName() + " on "
                    + describe(settings.canaryEngines()) + (settings.canaryShare() == null ? ""
                    : " with " + settings.canaryShare() + " of arrivals") + " for " + settings.canaryDuration(),
                    EmitEvent.Type.NORMAL);
            call(RouterCall.CANARY);
        }

        /**
         * An approved autoscaler goes live at once: no router call, no canary (it scales the whole Deployment; a share
         * of the traffic cannot try it). The autoscaling loop runs the active policy from its next tick.
         */
        private void promoteUnrouted() {
            condition(CANARY, Condition.Status.FALSE, "NotApplicable", candidate.policyName() + " is an autoscaler:"
                    + " it scales the whole Deployment, so no share of the traffic can try it first");
            enter(RolloutPhase.PROMOTED, "Promoted", candidate.policyName() + " is the active autoscaler (approved;"
                    + " an autoscaler is not canaried): the autoscaling loop runs it from its next tick",
                    EmitEvent.Type.NORMAL);
        }

        private void promote(String reason, String message) {
            condition(CANARY, Condition.Status.FALSE, "Promoted", reason + ": " + message);
            enter(RolloutPhase.PROMOTED, "Promoted", candidate.policyName() + " runs everywhere (" + reason + ": "
                    + message + ")", EmitEvent.Type.NORMAL);
            call(RouterCall.PROMOTE);
        }

        private void rollBack(String reason, String message) {
            condition(CANARY, Condition.Status.FALSE, reason, message);
            enter(RolloutPhase.ROLLED_BACK, "RolledBack", candidate.policyName() + " rolled back (" + reason + ": "
                    + message + ")", EmitEvent.Type.WARNING);
            call(RouterCall.ROLL_BACK);
        }

        private void fail(String reason, String message) {
            failure = new Failure(reason, message);
            pending = null;
            enter(RolloutPhase.FAILED, reason, message, EmitEvent.Type.WARNING);
        }

        /** Makes (or makes again) {@code call}: its action, and a wake-up at which an unanswered call is retried. */
        private void call(RouterCall call) {
            int tries = pending != null && pending.call() == call ? pending.tries() + 1 : 1;
            pending = new PendingCall(call, now.plus(settings.routerRetry()), tries);
            String name = candidate.policyName();
            actions.add(switch (call) {
                case CANARY -> new RolloutAction.ConfigureCanary(name, candidate.policy(), settings.canaryEngines(),
                        settings.canaryShare());
                case PROMOTE -> new RolloutAction.Promote(name);
                case ROLL_BACK -> new RolloutAction.RollBack(name, Condition.find(conditions, CANARY).reason());
                case INSTALL -> new RolloutAction.InstallPolicy(name, candidate.policy());
            });
            actions.add(new RolloutAction.WakeAt(pending.retryAt()));
        }

        // ---- bookkeeping

        private boolean approvesItself() {
            return settings.mode() == RolloutMode.AUTO && candidate != null && candidate.evidence().beatsBaseline();
        }

        private void approvalCondition() {
            String name = candidate.policyName();
            if (approved) {
                condition(APPROVED, Condition.Status.TRUE, "ApprovedByEvidence", candidate.evidence().summary());
                return;
            }
            switch (settings.mode()) {
                case MANUAL -> condition(APPROVED, Condition.Status.FALSE, "AwaitingApproval", "set spec.approved:"
                        + " true on GliaPolicy " + name + " (kubectl patch gliapolicy " + name
                        + " --type merge -p '{\"spec\":{\"approved\":true}}')");
                case GITOPS -> condition(APPROVED, Condition.Status.FALSE, "AwaitingGitApproval", "approve "
                        + name + " in Git (spec.approved: true in its reviewed file); in gitops mode the operator"
                        + " never approves a policy itself");
                case AUTO -> condition(APPROVED, Condition.Status.FALSE, "EvidenceDoesNotBeatBaseline",
                        candidate.evidence().summary() + "; set spec.approved: true on GliaPolicy " + name
                                + " to roll it out anyway");
            }
        }

        private void requireCandidate(String name, String what) {
            if (candidate == null) {
                throw new Illegal("GliaPolicy " + name + " " + what + ", but research has produced no candidate");
            }
            if (!candidate.policyName().equals(name)) {
                throw new Illegal("GliaPolicy " + name + " " + what + ", but the candidate is "
                        + candidate.policyName());
            }
        }

        /** A new phase: its Ready condition and a Kubernetes event; the Consistent condition is True again. */
        private void enter(RolloutPhase next, String reason, String message, EmitEvent.Type type) {
            phase = next;
            since = now;
            condition(READY, Condition.Status.of(next == RolloutPhase.PROMOTED), reason, message);
            condition(CONSISTENT, Condition.Status.TRUE, "NoIllegalEvents", "");
            event(type, reason, message);
        }

        /** Refuses the event: only the Consistent condition changes, and a Warning is emitted when it does. */
        void refuse(String reason, String message) {
            if (condition(CONSISTENT, Condition.Status.FALSE, reason, message)) {
                event(EmitEvent.Type.WARNING, reason, message);
            }
        }

        private void event(EmitEvent.Type type, String reason, String message) {
            actions.add(new EmitEvent(type, reason, message));
        }

        /** Sets a condition; true (and a SetCondition action) when it changed. */
        private boolean condition(String type, Condition.Status status, String reason, String message) {
            Condition next = new Condition(type, status, reason, message, generation, now);
            if (next.sameAs(Condition.find(conditions, type))) {
                return false;
            }
            conditions = Condition.put(conditions, next);
            actions.add(new RolloutAction.SetCondition(Condition.find(conditions, type)));
            return true;
        }

        private static String describe(CanaryEngines engines) {
            return engines instanceof CanaryEngines.Count c ? c.count() + " engine(s)"
                    : "engines " + ((CanaryEngines.Ids) engines).ids();
        }
    }
}
