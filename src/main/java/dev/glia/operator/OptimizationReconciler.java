package dev.glia.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glia.control.Baseline;
import dev.glia.control.CanaryCriteria;
import dev.glia.control.CanaryVerdict;
import dev.glia.control.DriftCheck;
import dev.glia.control.DriftHistory;
import dev.glia.control.DriftSettings;
import dev.glia.control.MetricsVerdict;
import dev.glia.control.Candidate;
import dev.glia.control.ManualVerdict;
import dev.glia.control.Progress;
import dev.glia.control.Rollout;
import dev.glia.control.RolloutAction;
import dev.glia.control.RolloutEvent;
import dev.glia.control.RolloutPhase;
import dev.glia.control.RolloutSettings;
import dev.glia.control.RolloutState;
import dev.glia.control.RouterAdmin;
import dev.glia.control.RouterCall;
import dev.glia.control.RouterResult;
import dev.glia.operator.crd.v1alpha1.GliaOptimization;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationStatus;
import dev.glia.operator.crd.v1alpha1.GliaPolicy;
import dev.glia.operator.crd.v1alpha1.GliaPolicySpec;
import dev.glia.operator.crd.v1alpha1.GliaPolicyStatus;
import dev.glia.metrics.fit.FitReport;
import dev.glia.metrics.fit.WorkloadFit;
import dev.glia.metrics.prometheus.PrometheusClient;
import dev.glia.policy.PolicyArtifact;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reconciles a GliaOptimization, thinly: it reads the world (the optimisation, its candidate GliaPolicy, the
 * in-process research session, the verdict annotation), hands what it saw to {@link Rollout#step} as events, does
 * the actions it answers (start research, create or approve the GliaPolicy, the router's admin calls, Kubernetes
 * Events), writes the state back into the status, and comes back at the state's {@code WakeAt} (or the poll
 * interval while something is under way). A spec this operator cannot act on becomes the {@code SpecValid}
 * condition naming the field, never an exception.
 */
public final class OptimizationReconciler implements Reconciler<GliaOptimization> {
    /** The operator's own condition (beside the rollout's): whether the spec is one this operator can act on. */
    public static final String SPEC_VALID = "SpecValid";
    /** Whether the candidate GliaPolicy passed verification (GliaPolicyReconciler). */
    public static final String POLICY_VERIFIED = "PolicyVerified";
    /** Labels a GliaPolicy with the optimisation that created it. */
    public static final String OPTIMIZATION_LABEL = "glia.dev/optimization";
    /**
     * A new value asks for a new research session once the rollout has ended (promoted, rolled back, failed) or
     * waits for approval: {@code kubectl annotate gliaoptimization NAME glia.dev/research-request=$(date +%s)
     * --overwrite}. During a canary it waits for the verdict; during research it is already answered.
     */
    public static final String RESEARCH_REQUEST_ANNOTATION = "glia.dev/research-request";

    /**
     * @param poll        how often to look again while research runs or a candidate waits for approval or a verdict
     * @param routerRetry how long after an unanswered router call it is made again
     * @param fullSeeds   seeds of the search (the held-out judgement runs on twice as many)
     * @param screenSeeds seeds of the tuner's first screening
     * @param canarySlice the step of a canary's metrics: one verdict per slice (at least twice the router's scrape
     *                    interval in Prometheus), unless {@code spec.rollout.verdict.sliceDuration} gives its own
     * @param prometheus  a Prometheus API client for a {@code spec.target.prometheus.url}
     * @param fitter      fits {@code fromMetrics} scenarios from Prometheus
     */
    public record Options(Duration poll, Duration routerRetry, int fullSeeds, int screenSeeds,
            ResearchJob.Settings jobs, JobLogs jobLogs, Duration canarySlice,
            Function<URI, PrometheusClient> prometheus, WorkloadFitter fitter) {
        /** Without research Jobs: {@code spec.research.inProcess: false} is refused as a condition. */
        public Options(Duration poll, Duration routerRetry, int fullSeeds, int screenSeeds) {
            this(poll, routerRetry, fullSeeds, screenSeeds, null, OptimizationReconciler::podLog,
                    Duration.ofSeconds(30), url -> new PrometheusClient(url, Duration.ofSeconds(10)),
                    WorkloadFitter.prometheus(Duration.ofSeconds(30)));
        }

        public static Options defaults() {
            return new Options(Duration.ofSeconds(10), Duration.ofSeconds(30), 10, 3);
        }

        /** Research Jobs with {@code settings}, their result read from their pod's log by {@code logs}. */
        public Options withJobs(ResearchJob.Settings settings, JobLogs logs) {
            return new Options(poll, routerRetry, fullSeeds, screenSeeds, settings, logs, canarySlice, prometheus,
                    fitter);
        }

        /** Canary verdicts from the router's metrics one {@code slice} at a time. */
        public Options withCanarySlice(Duration slice) {
            return new Options(poll, routerRetry, fullSeeds, screenSeeds, jobs, jobLogs, slice, prometheus, fitter);
        }

        /** {@code fromMetrics} scenarios fitted by {@code fitter}. */
        public Options withFitter(WorkloadFitter fitter) {
            return new Options(poll, routerRetry, fullSeeds, screenSeeds, jobs, jobLogs, canarySlice, prometheus,
                    fitter);
        }
    }

    /** Reads a research Job's pod log: all of it, or its last {@code tailLines} lines; null when there is no pod. */
    @FunctionalInterface
    public interface JobLogs {
        String read(KubernetesClient client, Job job, Integer tailLines);
    }

    /** The log of a finished research Job's pod (the Job controller labels it {@code job-name}); null when none. */
    static String podLog(KubernetesClient client, Job job) {
        return podLog(client, job, null);
    }

    /** The research Job's pod's log, all of it or ({@code tailLines} not null) its last lines; null when no pod. */
    static String podLog(KubernetesClient client, Job job, Integer tailLines) {
        String ns = job.getMetadata().getNamespace();
        return client.pods().inNamespace(ns).withLabel("job-name", job.getMetadata().getName()).list().getItems()
                .stream().findFirst().map(pod -> {
                    var container = client.pods().inNamespace(ns).withName(pod.getMetadata().getName())
                            .inContainer(ResearchJob.CONTAINER);
                    return tailLines == null ? container.getLog() : container.tailingLines(tailLines).getLog();
                }).orElse(null);
    }

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(
            OptimizationReconciler.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final ResearchSessions sessions;
    private final Function<URI, RouterAdmin> routers;
    private final Clock clock;
    private final Options options;
    /** One Prometheus client (and its HTTP connections) per URL, kept across passes. */
    private final Map<URI, PrometheusClient> prometheusClients = new java.util.concurrent.ConcurrentHashMap<>();

    public OptimizationReconciler(KubernetesClient client, ResearchSessions sessions, Function<URI, RouterAdmin> routers,
            Clock clock, Options options) {
        this.client = client;
        this.sessions = sessions;
        this.routers = routers;
        this.clock = clock;
        this.options = options;
    }

    @Override
    public UpdateControl<GliaOptimization> reconcile(GliaOptimization o, Context<GliaOptimization> context) {
        return new Pass(o).run();
    }

    /** One reconcile of one optimisation. */
    private final class Pass {
        final GliaOptimization o;
        final String ns;
        final Instant now = clock.instant();
        final long generation;
        final GliaOptimizationStatus status;
        final String before;
        final Map<String, GliaPolicy> found = new HashMap<>();
        final Map<String, String> reports = new HashMap<>();
        final Deque<RolloutEvent> queue = new ArrayDeque<>();
        Instant wake;
        String session;
        String researchRequest;
        int round;
        RolloutState state;

        Pass(GliaOptimization o) {
            this.o = o;
            ns = o.getMetadata().getNamespace();
            generation = o.getMetadata().getGeneration() == null ? 1 : o.getMetadata().getGeneration();
            status = o.getStatus() == null ? new GliaOptimizationStatus() : o.getStatus();
            status.autoscaling = null; // AutoscalingDriver's own field: left out of this merge patch, never overwritten
            before = Serialization.asJson(status);
            session = status.rollout == null ? null : status.rollout.session;
            researchRequest = status.rollout == null ? null : status.rollout.researchRequest;
            round = status.rollout == null || status.rollout.round == null ? 0 : status.rollout.round;
        }

        UpdateControl<GliaOptimization> run() {
            List<OptimizationSpecs.Problem> problems = OptimizationSpecs.problems(o.getSpec(), options.jobs() != null);
            if (!problems.isEmpty()) {
                OptimizationSpecs.Problem first = problems.get(0);
                String message = String.join("; ", problems.stream().map(OptimizationSpecs.Problem::message).toList());
                if (own(SPEC_VALID, false, first.reason(), message)) {
                    event("Warning", first.reason(), message);
                }
                if (status.phase == null) {
                    status.phase = GliaOptimizationStatus.Phase.Pending;
                }
                return finish(null);
            }
            own(SPEC_VALID, true, "Valid", "");
            if (!resolveReferences()) {
                return finish(null);
            }
            RolloutSettings settings = OptimizationSpecs.settings(o.getSpec(), options.routerRetry());
            GliaPolicy candidate = status.candidatePolicy == null ? null : policy(status.candidatePolicy);
            state = RolloutStatus.read(status, settings, candidate);
            if (state == null) {
                state = RolloutState.initial(generation, settings, now);
            } else if (generation > state.generation()) {
                queue.add(new RolloutEvent.SpecChanged(generation, settings));
            }
            if (state.phase() == RolloutPhase.PENDING && !scenarioReady()) {
                return finish(null);
            }
            String wasActive = status.activePolicy;
            drain();
            // before the tick: at the canary's deadline its last look decides, not the timeout
            observeVerdict();
            queue.add(RolloutEvent.tick());
            drain();
            observeResearchRequest();
            observeResearch();
            observePolicy();
            observeDrift();
            clearSpentVerdict();
            RolloutStatus.write(state, status);
            status.rollout.session = session;
            status.rollout.researchRequest = researchRequest;
            status.rollout.round = round == 0 ? null : round;
            recordRolledOut(wasActive);
            if (status.best != null && status.best.baselinePolicy == null && state.candidate() != null) {
                GliaPolicy p = found.containsKey(state.candidate().policyName()) ? found.get(state.candidate()
                        .policyName()) : policy(state.candidate().policyName());
                if (p != null && p.getSpec().evidence != null && p.getSpec().evidence.baseline != null) {
                    status.best.baselinePolicy = p.getSpec().evidence.baseline.policy;
                }
            }
            if (!ScenarioSources.composed(o.getSpec()) && (status.scenario == null
                    || !"synthetic".equals(status.scenario.source))) {
                status.scenario = new GliaOptimizationStatus.ScenarioUsed();
                status.scenario.source = "synthetic";
                status.scenario.name = o.getSpec().scenario.synthetic.name;
            }
            return finish(state);
        }

        /**
         * Whether the scenario of a trace or fromMetrics spec is made for this generation ({@link ScenarioSources}),
         * making it when not: before research starts, never during. False holds the rollout (phase FittingScenario for
         * a fit, else Pending) with the {@value ScenarioSources#CONDITION} condition False naming the field, and looks
         * again at the poll interval.
         */
        private boolean scenarioReady() {
            if (!ScenarioSources.composed(o.getSpec())) {
                return true;
            }
            GliaOptimizationStatus.ScenarioUsed used = status.scenario;
            if (used != null && ScenarioSources.label(o.getSpec()).equals(used.source) && used.configMap != null
                    && Objects.equals(used.generation, generation)) {
                return true;
            }
            ScenarioSources.Outcome r = ScenarioSources.prepare(client, o, options.fitter(),
                    inProcess() ? ScenarioSources.localDir(sessions.workspace(), o) : null, now);
            if (r.ready()) {
                status.scenario = r.used();
                status.scenario.generation = generation;
                own(ScenarioSources.CONDITION, true, r.reason(), r.message());
                return true;
            }
            if (own(ScenarioSources.CONDITION, false, r.reason(), r.message())) {
                event("Warning", r.reason(), r.message());
            }
            status.phase = ScenarioSources.fromMetrics(o.getSpec()) ? GliaOptimizationStatus.Phase.FittingScenario
                    : GliaOptimizationStatus.Phase.Pending;
            return false;
        }

        /**
         * Whether what the spec names exists ({@link References}): looked at before the rollout starts and again at each
         * new generation, not on every pass. False holds the rollout in Pending, looking again at the poll interval.
         */
        private boolean resolveReferences() {
            io.fabric8.kubernetes.api.model.Condition seen = status.conditions.stream()
                    .filter(c -> c.getType().equals(References.RESOLVED_REFS)).findFirst().orElse(null);
            boolean starting = status.phase == null || status.phase == GliaOptimizationStatus.Phase.Pending;
            if (!starting && seen != null && "True".equals(seen.getStatus())
                    && Objects.equals(seen.getObservedGeneration(), generation)) {
                return true;
            }
            List<OptimizationSpecs.Problem> missing = References.missing(client, o, !inProcess());
            if (missing.isEmpty()) {
                own(References.RESOLVED_REFS, true, "Resolved", "");
                return true;
            }
            String message = String.join("; ", missing.stream().map(OptimizationSpecs.Problem::message).toList());
            if (own(References.RESOLVED_REFS, false, missing.get(0).reason(), message)) {
                event("Warning", missing.get(0).reason(), message);
            }
            if (status.phase == null) {
                status.phase = GliaOptimizationStatus.Phase.Pending;
            }
            return !starting;
        }

        private UpdateControl<GliaOptimization> finish(RolloutState state) {
            Duration delay = options.poll();
            if (state != null) {
                Instant at = wake == null ? state.wakeAt() : state.wakeAt() == null || wake.isBefore(state.wakeAt())
                        ? wake : state.wakeAt();
                boolean waiting = !state.phase().isTerminal() && state.phase() != RolloutPhase.PENDING;
                if (at != null) {
                    Duration until = Duration.between(now, at);
                    delay = !waiting || until.compareTo(delay) < 0 ? until : delay;
                }
                if (delay.compareTo(Duration.ofMillis(50)) < 0) {
                    delay = Duration.ofMillis(50);
                }
                if (at == null && !waiting) {
                    delay = null;
                }
            }
            UpdateControl<GliaOptimization> control;
            if (Serialization.asJson(status).equals(before)) {
                control = UpdateControl.noUpdate();
            } else {
                o.setStatus(status);
                control = UpdateControl.patchStatus(o);
            }
            return delay == null ? control : control.rescheduleAfter(delay);
        }

        // ---- the world, as events

        private void observeResearch() {
            if (state.phase() != RolloutPhase.RESEARCHING) {
                return;
            }
            if (!inProcess()) {
                observeJob();
                drain();
                return;
            }
            ResearchSessions.Session s = session == null ? null : sessions.get(session);
            if (s == null) {
                queue.add(new RolloutEvent.ResearchFailed("SessionLost", "the in-process research session "
                        + session + " is gone (the operator restarted)"));
            } else {
                double dollars = o.getSpec().research.budgets == null || o.getSpec().research.budgets.dollars == null
                        ? 5 : o.getSpec().research.budgets.dollars;
                queue.add(new RolloutEvent.ResearchProgress(new Progress(s.simulations(), s.budget(), 0, dollars)));
                if (s.done() && s.artifact() != null) {
                    researchFinished(s.artifact(), s.report());
                } else if (s.done()) {
                    queue.add(new RolloutEvent.ResearchFailed(s.failureReason(), s.failureMessage()));
                }
            }
            drain();
        }

        /**
         * While a policy is active, at each {@code spec.drift.interval}: the recent window fitted from Prometheus and
         * held against the workload the policy took over ({@link DriftReference}, the first window fitted after its
         * promotion) by {@link DriftCheck}; the check in {@code status.lastDriftCheck} and the {@code WorkloadDrift}
         * condition, an Event when it drifted; past a threshold (and outside the cool-down and the daily cap) a new
         * research round on the recent workload, rolled out by the spec's mode. Only a {@code fromMetrics} scenario
         * can follow the workload: with a bundled scenario or a trace, drift is reported and no session starts.
         */
        private void observeDrift() {
            GliaOptimizationSpec spec = o.getSpec();
            if (!DriftSpecs.enabled(spec.drift) || state.phase() != RolloutPhase.PROMOTED || status.activePolicy == null
                    || spec.target.prometheus == null || spec.target.prometheus.url == null) {
                return;
            }
            DriftSettings settings = DriftSpecs.settings(spec.drift);
            GliaOptimizationStatus.DriftCheck last = status.lastDriftCheck;
            Instant lastTime = last == null || last.time == null ? null : Instant.parse(last.time);
            Instant due = lastTime == null || lastTime.isBefore(state.since()) ? state.since().plus(settings.window())
                    : lastTime.plus(settings.interval());
            if (now.isBefore(due)) {
                wake = wake == null || due.isBefore(wake) ? due : wake;
                return;
            }
            Instant next = now.plus(settings.interval());
            wake = wake == null || next.isBefore(wake) ? next : wake;
            DriftHistory history = DriftSpecs.history(last);
            String policy = status.activePolicy;
            WorkloadFit.Fitted recent = null;
            DriftCheck.Result r;
            try {
                recent = options.fitter().fit(URI.create(spec.target.prometheus.url), settings.window(), now,
                        ScenarioComposer.fitOptions(o.getMetadata().getName(), ScenarioComposer.Cluster.of(
                                spec.scenario, ScenarioSources.engineReplicas(client, o)), spec.scenario.duration, 2,
                                ScenarioComposer.timeScale(spec)));
                FitReport reference = DriftReference.read(client, ns, policy);
                if (reference == null) {
                    DriftReference.write(client, o, policy, recent.report());
                    r = new DriftCheck.Result(now, DriftCheck.Decision.UNCHANGED, "ReferenceRecorded", "the workload of "
                            + policy + " is the window fitted after its promotion, kept in ConfigMap "
                            + DriftReference.configMapName(policy) + ": later windows are held against it",
                            List.of(), recent.report().prompt().requests(), recent.report().output().requests(),
                            settings, history);
                } else {
                    r = DriftCheck.decide(reference, recent.report(), settings, history, now);
                }
            } catch (RuntimeException e) {
                r = DriftCheck.insufficientData("fitting spec.target.prometheus.url (" + spec.target.prometheus.url
                        + ") over spec.drift.window: " + e.getMessage(), settings, history, now);
            }
            boolean follows = ScenarioSources.fromMetrics(spec);
            String reasonBefore = last == null ? null : last.reason;
            status.lastDriftCheck = DriftSpecs.status(r);
            String message = r.message();
            if (r.startSession() && !follows) {
                status.lastDriftCheck.sessions = last == null || last.sessions == null ? List.of() : last.sessions;
                message += "; no research session: spec.scenario.source is " + ScenarioSources.label(spec)
                        + ", which would simulate the same workload again (fromMetrics follows it)";
                status.lastDriftCheck.message = message;
            }
            ownStatus(DriftSpecs.CONDITION_TYPE, DriftSpecs.conditionStatus(r), r.reason(), message);
            if (r.drifted() && !r.reason().equals(reasonBefore)) {
                event("Warning", r.reason(), policy + ": " + message);
            }
            if (r.startSession() && follows && recent != null) {
                status.scenario = ScenarioSources.storeDrifted(client, o, recent, spec.drift.window == null
                        ? null : spec.drift.window, inProcess() ? ScenarioSources.localDir(sessions.workspace(), o)
                        : null, now);
                round++;
                queue.add(new RolloutEvent.ResearchRequested("WorkloadDrifted", message));
                drain();
            }
        }

        /** A new {@link #RESEARCH_REQUEST_ANNOTATION} value: a new session, unless one runs or a canary decides. */
        private void observeResearchRequest() {
            Map<String, String> annotations = o.getMetadata().getAnnotations();
            String value = annotations == null ? null : annotations.get(RESEARCH_REQUEST_ANNOTATION);
            if (value == null || value.equals(researchRequest) || state.phase() == RolloutPhase.CANARY) {
                return;
            }
            researchRequest = value;
            if (state.phase() != RolloutPhase.PENDING && state.phase() != RolloutPhase.RESEARCHING) {
                round++;
                queue.add(new RolloutEvent.ResearchRequested("Requested", RESEARCH_REQUEST_ANNOTATION + "=" + value));
                drain();
            }
        }

        /**
         * Where the candidate and the active policy run, in their GliaPolicy's {@code status.rolledOut}: the canary
         * pool while the canary runs (from the router's answer), the stable pool once promoted, nowhere after a
         * rollback or once another policy took over. Patched only when it changed.
         */
        private void recordRolledOut(String wasActive) {
            String router = o.getSpec().target.router.service != null ? o.getSpec().target.router.service
                    : o.getSpec().target.router.url;
            String candidate = state.candidate() == null ? null : state.candidate().policyName();
            if (candidate != null && state.phase() == RolloutPhase.CANARY && state.canary() != null) {
                rolledOut(candidate, router, "canary", state.settings().canaryShare(), state.canary().startedAt());
            } else if (candidate != null && state.phase() == RolloutPhase.ROLLED_BACK && state.pending() == null) {
                rolledOut(candidate, null, null, null, null);
            }
            if (status.activePolicy != null && state.pending() == null) {
                rolledOut(status.activePolicy, router, "stable", 1.0, state.since());
            }
            if (wasActive != null && !wasActive.equals(status.activePolicy)) {
                rolledOut(wasActive, null, null, null, null);
            }
        }

        /** Sets {@code name}'s {@code status.rolledOut} to one target, or to none when {@code pool} is null. */
        private void rolledOut(String name, String router, String pool, Double share, Instant since) {
            GliaPolicy p = policy(name);
            if (p == null) {
                return;
            }
            if (pool != null && p.getSpec() != null && p.getSpec().kind == GliaPolicySpec.Kind.AUTOSCALER) {
                // an active autoscaler runs in the operator's autoscaling loop, not in the router
                router = null;
                pool = "autoscaler";
                share = null;
            }
            List<GliaPolicyStatus.RolloutTarget> want = new ArrayList<>();
            if (pool != null) {
                GliaPolicyStatus.RolloutTarget t = new GliaPolicyStatus.RolloutTarget();
                t.router = router;
                t.pool = pool;
                t.share = share;
                t.since = since == null ? now.toString() : since.toString();
                want.add(t);
            }
            List<GliaPolicyStatus.RolloutTarget> have = p.getStatus() == null || p.getStatus().rolledOut == null
                    ? List.of() : p.getStatus().rolledOut;
            if (Serialization.asJson(have).equals(Serialization.asJson(want))) {
                return;
            }
            try {
                client.resources(GliaPolicy.class).inNamespace(ns).withName(name).editStatus(x -> {
                    if (x.getStatus() == null) {
                        x.setStatus(new GliaPolicyStatus());
                    }
                    x.getStatus().rolledOut = want;
                    return x;
                });
            } catch (KubernetesClientException e) {
                // a record, not a decision: the next pass writes it again; the rollout's own status must not wait
                LOG.warning("GliaPolicy " + ns + "/" + name + ": status.rolledOut not written: " + e.getMessage());
            }
        }

        /** The research's winner: its GliaPolicy, its report for the ConfigMap that {@code spec.reportRef} names. */
        private void researchFinished(PolicyArtifact artifact, String report) {
            GliaPolicy p = policyFrom(artifact);
            if (report != null) {
                p.getSpec().reportRef = new GliaOptimizationSpec.ConfigMapKeyRef();
                p.getSpec().reportRef.name = ResearchReport.configMapName(p.getMetadata().getName());
                p.getSpec().reportRef.key = ResearchReport.KEY;
                reports.put(p.getMetadata().getName(), report);
            }
            found.put(p.getMetadata().getName(), p);
            queue.add(new RolloutEvent.ResearchFinished(RolloutStatus.candidate(p)));
        }

        private boolean inProcess() {
            return o.getSpec().research != null && Boolean.TRUE.equals(o.getSpec().research.inProcess);
        }

        /** The research Job, found by name (status.researchJob): after an operator restart too. */
        private void observeJob() {
            String name = status.researchJob;
            Job job = name == null ? null : client.batch().v1().jobs().inNamespace(ns).withName(name).get();
            if (job == null) {
                queue.add(new RolloutEvent.ResearchFailed("ResearchJobLost", "the research Job " + name
                        + " is gone"));
                return;
            }
            var js = job.getStatus();
            int budget = o.getSpec().research.budgets == null || o.getSpec().research.budgets.simulations == null
                    ? 200 : o.getSpec().research.budgets.simulations;
            double dollars = o.getSpec().research.budgets == null || o.getSpec().research.budgets.dollars == null
                    ? 5 : o.getSpec().research.budgets.dollars;
            if (js != null && js.getSucceeded() != null && js.getSucceeded() > 0) {
                ResearchJob.Result r = ResearchJob.result(options.jobLogs().read(client, job, null));
                queue.add(new RolloutEvent.ResearchProgress(new Progress(r.simulations(), budget, r.usd(), dollars)));
                if (r.succeeded()) {
                    researchFinished(r.artifact(), r.report());
                } else {
                    queue.add(new RolloutEvent.ResearchFailed(r.reason(), "research Job " + name + ": " + r.message()));
                }
            } else if (js != null && js.getFailed() != null && js.getFailed() > 0) {
                String why = js.getConditions() == null ? "" : js.getConditions().stream()
                        .filter(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()))
                        .map(c -> c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage()))
                        .findFirst().orElse("");
                queue.add(new RolloutEvent.ResearchFailed("ResearchJobFailed", "research Job " + name + " failed"
                        + (why.isEmpty() ? "" : " (" + why + ")")));
            } else {
                Progress p = runningProgress(job);
                if (p != null) {
                    queue.add(new RolloutEvent.ResearchProgress(p));
                }
            }
        }

        /** A running Job's progress from the tail of its pod's log; null while there is none (a pod not started). */
        private Progress runningProgress(Job job) {
            try {
                return ResearchJob.progress(options.jobLogs().read(client, job, ResearchJob.PROGRESS_TAIL_LINES));
            } catch (KubernetesClientException e) {
                return null; // no pod yet, or its container is still waiting: the next pass looks again
            }
        }

        private void observePolicy() {
            if (state.candidate() == null || (state.phase() != RolloutPhase.CANDIDATE_READY
                    && state.phase() != RolloutPhase.AWAITING_APPROVAL)) {
                return;
            }
            String name = state.candidate().policyName();
            GliaPolicy p = policy(name);
            if (p == null) {
                return;
            }
            queue.add(new RolloutEvent.PolicyCreated(name));
            if (Boolean.TRUE.equals(p.getSpec().approved)) {
                Boolean verified = p.getStatus() == null ? null : p.getStatus().verified;
                if (Boolean.TRUE.equals(verified)) {
                    own(POLICY_VERIFIED, true, "Verified", "GliaPolicy " + name + " is verified");
                    queue.add(new RolloutEvent.PolicyApproved(name));
                } else if (Boolean.FALSE.equals(verified)) {
                    if (own(POLICY_VERIFIED, false, "PolicyNotVerified", "GliaPolicy " + name + ": "
                            + p.getStatus().reason)) {
                        event("Warning", "PolicyNotVerified", "GliaPolicy " + name + " is approved but not verified: "
                                + p.getStatus().reason);
                    }
                }
            }
            drain();
        }

        /**
         * The running canary's verdict: a person's ({@link ManualVerdict}, the annotation) first; without one, the
         * router's metrics in Prometheus ({@link MetricsVerdict}) once per slice and at the deadline, its figures in
         * {@code status.canaryVerdict} and an Event when its reason changes.
         */
        private void observeVerdict() {
            if (state.phase() != RolloutPhase.CANARY) {
                return;
            }
            Map<String, String> annotations = o.getMetadata().getAnnotations();
            String value = annotations == null ? null : annotations.get(ManualVerdict.ANNOTATION);
            RolloutState.CanaryRun run = state.canary();
            CanaryVerdict.Canary canary = new CanaryVerdict.Canary(state.candidate().policyName(),
                    state.settings().canaryEngines(), state.settings().canaryShare(),
                    run == null ? null : run.startedAt(), run == null ? null : run.deadline(),
                    run == null ? null : run.baseline());
            CanaryVerdict.Verdict v = ManualVerdict.of(value).judge(canary, now);
            if (v.decision() == CanaryVerdict.Decision.UNDECIDED && run != null && metricsVerdictDue(run)) {
                v = metricsVerdict(canary);
            }
            if (v.decision() == CanaryVerdict.Decision.ROLL_BACK
                    || (v.decision() == CanaryVerdict.Decision.PROMOTE && run != null)) {
                queue.add(new RolloutEvent.VerdictReached(v));
                drain();
            }
        }

        /** Whether a slice has passed since the last metrics verdict on this candidate, or the deadline has come. */
        private boolean metricsVerdictDue(RolloutState.CanaryRun run) {
            if (o.getSpec().target.prometheus == null || o.getSpec().target.prometheus.url == null) {
                return false;
            }
            Duration slice = CanarySpecs.slice(o.getSpec(), options.canarySlice());
            GliaOptimizationStatus.CanaryVerdictRecord last = status.canaryVerdict;
            if (last == null || !state.candidate().policyName().equals(last.policy)) {
                return !now.isBefore(run.startedAt().plus(slice));
            }
            return !now.isBefore(Instant.parse(last.time).plus(slice))
                    || (run.deadline() != null && !now.isBefore(run.deadline()));
        }

        private CanaryVerdict.Verdict metricsVerdict(CanaryVerdict.Canary canary) {
            CanaryCriteria criteria = CanarySpecs.criteria(o.getSpec());
            CanaryVerdict.Verdict v = new MetricsVerdict(criteria, new PrometheusCanarySlices(
                    prometheusClients.computeIfAbsent(URI.create(o.getSpec().target.prometheus.url),
                            options.prometheus()),
                    PrometheusCanarySlices.latencies(criteria), CanarySpecs.slice(o.getSpec(), options.canarySlice())))
                    .judge(canary, now);
            GliaOptimizationStatus.CanaryVerdictRecord last = status.canaryVerdict;
            boolean changed = last == null || !canary.policyName().equals(last.policy) || !v.reason().equals(
                    last.reason);
            GliaOptimizationStatus.CanaryVerdictRecord record = new GliaOptimizationStatus.CanaryVerdictRecord();
            record.time = now.toString();
            record.policy = canary.policyName();
            record.decision = switch (v.decision()) {
                case PROMOTE -> "Promote";
                case ROLL_BACK -> "RollBack";
                case UNDECIDED -> "Undecided";
            };
            record.reason = v.reason();
            record.message = v.message();
            status.canaryVerdict = record;
            if (changed) {
                event(v.decision() == CanaryVerdict.Decision.ROLL_BACK ? "Warning" : "Normal", "CanaryVerdict"
                        + v.reason(), canary.policyName() + ": " + record.decision + " (" + v.reason() + "): "
                        + v.message());
            }
            return v;
        }

        /**
         * Once the canary has ended and the router answered, the verdict annotation has done its work: it goes, so
         * that it cannot decide the next canary.
         */
        private void clearSpentVerdict() {
            Map<String, String> annotations = o.getMetadata().getAnnotations();
            if (!state.phase().isTerminal() || state.pending() != null || annotations == null
                    || !annotations.containsKey(ManualVerdict.ANNOTATION)) {
                return;
            }
            client.resources(GliaOptimization.class).inNamespace(ns).withName(o.getMetadata().getName()).edit(x -> {
                if (x.getMetadata().getAnnotations() != null) {
                    x.getMetadata().getAnnotations().remove(ManualVerdict.ANNOTATION);
                }
                return x;
            });
        }

        // ---- steps and actions

        private void drain() {
            while (!queue.isEmpty()) {
                Rollout.Step step = Rollout.step(state, queue.poll(), now);
                state = step.state();
                for (RolloutAction a : step.actions()) {
                    act(a);
                }
            }
        }

        private void act(RolloutAction action) {
            if (action instanceof RolloutAction.CreateResearchJob a && !inProcess()) {
                Job job = ResearchJob.build(o, a.generation(), round, a.attempt(), options.jobs());
                String name = job.getMetadata().getName();
                if (client.batch().v1().jobs().inNamespace(ns).withName(name).get() == null) {
                    client.batch().v1().jobs().inNamespace(ns).resource(job).create();
                }
                session = name;
                status.researchJob = name;
                status.progress = null;
            } else if (action instanceof RolloutAction.CreateResearchJob a) {
                session = o.getMetadata().getUid() + "-g" + a.generation() + (round > 0 ? "-r" + round : "") + "-a"
                        + a.attempt();
                ResearchSessions.Request request;
                try {
                    request = ScenarioSources.composed(o.getSpec())
                            ? OptimizationSpecs.request(o.getSpec(), ScenarioSources.materialize(client, o,
                                    ScenarioSources.localDir(sessions.workspace(), o)), options.fullSeeds(),
                                    options.screenSeeds())
                            : OptimizationSpecs.request(o.getSpec(), options.fullSeeds(), options.screenSeeds());
                } catch (RuntimeException e) {
                    queue.add(new RolloutEvent.ResearchFailed("ScenarioUnavailable", "spec.scenario: "
                            + e.getMessage()));
                    return;
                }
                sessions.start(session, request);
                status.progress = null;
            } else if (action instanceof RolloutAction.CreatePolicy a) {
                createPolicy(a.candidate(), a.approved());
            } else if (action instanceof RolloutAction.ApprovePolicy a) {
                client.resources(GliaPolicy.class).inNamespace(ns).withName(a.policyName()).edit(p -> {
                    p.getSpec().approved = true;
                    return p;
                });
            } else if (action instanceof RolloutAction.ConfigureCanary a) {
                router(RouterCall.CANARY, r -> canary(r, a));
            } else if (action instanceof RolloutAction.Promote) {
                router(RouterCall.PROMOTE, RouterAdmin::promote);
            } else if (action instanceof RolloutAction.RollBack) {
                router(RouterCall.ROLL_BACK, RouterAdmin::rollback);
            } else if (action instanceof RolloutAction.InstallPolicy a) {
                router(RouterCall.INSTALL, r -> r.installPolicy(a.policy()));
            } else if (action instanceof RolloutAction.EmitEvent a) {
                event(a.type() == RolloutAction.EmitEvent.Type.WARNING ? "Warning" : "Normal", a.reason(), a.message());
            } else if (action instanceof RolloutAction.WakeAt a) {
                wake = wake == null || a.at().isBefore(wake) ? a.at() : wake;
            }
            // SetCondition: the state's conditions are written with the status
        }

        /**
         * Starts the canary with a control pool whenever the router's engines allow one (2k+1 for k canary engines):
         * all its engines count, so that a retry of a canary that started asks for the same one.
         */
        private RouterResult canary(RouterAdmin router, RolloutAction.ConfigureCanary a) {
            RouterResult now = router.state();
            if (!now.applied()) {
                return now;
            }
            boolean control = Baseline.fitting(now.state().engines(), a.engines()) == Baseline.CONTROL;
            return router.startCanary(a.policy(), a.engines(), a.share(), control);
        }

        private void router(RouterCall call, Function<RouterAdmin, RouterResult> request) {
            URI url = OptimizationSpecs.adminUrl(o);
            RouterResult r = request.apply(routers.apply(url));
            if (!r.applied()) {
                r = RouterResult.failed(r.outcome(), r.status(), "spec.target.router (" + url + "): " + r.message());
            }
            queue.add(RolloutEvent.fromRouter(call, r));
        }

        private void createPolicy(Candidate candidate, boolean approved) {
            String name = candidate.policyName();
            GliaPolicy p = found.get(name);
            if (p == null || policy(name) != null) {
                queue.add(new RolloutEvent.PolicyCreated(name));
                return;
            }
            p.getSpec().approved = approved;
            if (p.getSpec().reportRef != null && client.configMaps().inNamespace(ns)
                    .withName(p.getSpec().reportRef.name).get() == null) {
                client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder()
                        .withMetadata(new ObjectMetaBuilder().withName(p.getSpec().reportRef.name).withNamespace(ns)
                                .withLabels(p.getMetadata().getLabels())
                                .withOwnerReferences(p.getMetadata().getOwnerReferences()).build())
                        .addToData(p.getSpec().reportRef.key, reports.get(name)).build()).create();
            }
            client.resource(p).inNamespace(ns).create();
            queue.add(new RolloutEvent.PolicyCreated(name));
        }

        /** The GliaPolicy of a research result: the artifact's spec, owned by the optimisation. */
        private GliaPolicy policyFrom(PolicyArtifact artifact) {
            GliaPolicy p = new GliaPolicy();
            String name = (o.getMetadata().getName() + "-" + artifact.spec().sha256().substring(0, 10))
                    .toLowerCase(Locale.ROOT);
            p.setMetadata(Owned.metadata(o, name));
            p.setSpec(JSON.convertValue(artifact.spec(), GliaPolicySpec.class));
            return p;
        }

        private GliaPolicy policy(String name) {
            return client.resources(GliaPolicy.class).inNamespace(ns).withName(name).get();
        }

        /** Sets one of the operator's own conditions; true when it changed. */
        private boolean own(String type, boolean ok, String reason, String message) {
            return ownStatus(type, ok ? "True" : "False", reason, message);
        }

        /** Sets one of the operator's own conditions to True, False or Unknown; true when it changed. */
        private boolean ownStatus(String type, String value, String reason, String message) {
            io.fabric8.kubernetes.api.model.Condition old = status.conditions.stream()
                    .filter(c -> c.getType().equals(type)).findFirst().orElse(null);
            if (old != null && old.getStatus().equals(value) && old.getReason().equals(reason)
                    && Objects.equals(old.getMessage(), message) && Objects.equals(old.getObservedGeneration(), generation)) {
                return false;
            }
            List<io.fabric8.kubernetes.api.model.Condition> next = new ArrayList<>(status.conditions);
            next.remove(old);
            next.add(new ConditionBuilder().withType(type).withStatus(value).withReason(reason).withMessage(message)
                    .withObservedGeneration(generation).withLastTransitionTime(old != null
                            && old.getStatus().equals(value) ? old.getLastTransitionTime() : now.toString()).build());
            status.conditions = next;
            return true;
        }

        /** A core/v1 Event on the optimisation. */
        private void event(String type, String reason, String message) {
            Owned.event(client, o, type, reason, message, now);
        }
    }
}
