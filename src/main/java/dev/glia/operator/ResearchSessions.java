package dev.glia.operator;

import dev.glia.catalog.Artifacts;
import dev.glia.policy.PolicyArtifact;
import dev.glia.research.Objective;
import dev.glia.research.Optimization;
import dev.glia.research.ResearchBudget;
import dev.glia.research.Tuner;
import dev.glia.sim.scenario.Scenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * In-process research sessions ({@code spec.research.inProcess: true}): each runs {@link Optimization} with the
 * {@link Tuner} on a worker thread, as {@code glia optimize} does, and keeps its progress and its result (the
 * GliaPolicy artifact) for the reconciler to read. One session per key: starting a key that exists does nothing, so
 * a reconciler that repeats {@code CreateResearchJob} never runs a session twice.
 */
public final class ResearchSessions implements AutoCloseable {

    /** What a session was asked to do. */
    public record Request(Scenario scenario, String component, Objective objective, ResearchBudget budget,
            int fullSeeds, int screenSeeds) {
    }

    /** A session: its progress while it runs, then its result or its failure. */
    public static final class Session {
        final String id;
        final int budget;
        final AtomicInteger simulations = new AtomicInteger();
        volatile boolean done;
        volatile PolicyArtifact artifact;
        volatile String report;
        volatile String failureReason;
        volatile String failureMessage;

        Session(String id, int budget) {
            this.id = id;
            this.budget = budget;
        }

        public String id() {
            return id;
        }

        public int simulations() {
            return simulations.get();
        }

        public int budget() {
            return budget;
        }

        public boolean done() {
            return done;
        }

        /** The winner as {@code glia optimize} writes it; null while running or when the session failed. */
        public PolicyArtifact artifact() {
            return artifact;
        }

        /**
         * The research report (Markdown) for a ConfigMap, as {@link ResearchReport#fit} shortens it; null when
         * none was written.
         */
        public String report() {
            return report;
        }

        /** CamelCase, e.g. {@code NoBetterPolicy}, {@code ResearchError}; null unless it failed. */
        public String failureReason() {
            return failureReason;
        }

        public String failureMessage() {
            return failureMessage;
        }
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final ExecutorService workers;
    private final Path workspace;

    /** @param threads sessions that run at once; the others wait */
    public ResearchSessions(int threads, Path workspace) {
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "glia-research");
            t.setDaemon(true);
            return t;
        });
        this.workspace = workspace;
    }

    /** Where sessions write their runs and reports (and the operator the scenarios it composed for them). */
    public Path workspace() {
        return workspace;
    }

    /** The session of {@code id}, or null (never started here: e.g. before an operator restart). */
    public Session get(String id) {
        return sessions.get(id);
    }

    /** Starts the session {@code id} unless it exists; answers it. */
    public Session start(String id, Request request) {
        return sessions.computeIfAbsent(id, key -> {
            Session s = new Session(key, request.budget().simulations());
            workers.submit(() -> run(s, request));
            return s;
        });
    }

    private void run(Session s, Request r) {
        try {
            Path dir = Files.createDirectories(workspace).resolve(s.id.replaceAll("[^A-Za-z0-9._-]", "_"));
            Optimization.Outcome outcome = new Optimization(r.scenario(), r.component(), r.objective(), r.budget(),
                    r.fullSeeds(), null, dir).run(new Tuner(Math.max(1, Math.min(r.screenSeeds(), r.fullSeeds())),
                    r.fullSeeds()), e -> s.simulations.accumulateAndGet(e.simulationsAfter(), Math::max));
            s.simulations.accumulateAndGet(outcome.simulationsUsed(), Math::max);
            if (outcome.artifact() == null) {
                s.failureReason = "NoBetterPolicy";
                s.failureMessage = "nothing beat the baseline " + outcome.baseline().candidate().label()
                        + " on held-out seeds (" + outcome.stop().code() + ")";
            } else {
                s.report = report(outcome.report());
                s.artifact = Artifacts.read(outcome.artifact());
            }
        } catch (IOException e) {
            fail(s, new UncheckedIOException(e));
        } catch (RuntimeException | Error e) {
            fail(s, e);
        } finally {
            s.done = true;
        }
    }

    static String report(Path file) throws IOException {
        if (file == null || !Files.exists(file)) {
            return null;
        }
        return ResearchReport.fit(Files.readString(file), file + " in the operator's research directory");
    }

    private static void fail(Session s, Throwable e) {
        s.failureReason = "ResearchError";
        s.failureMessage = e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
