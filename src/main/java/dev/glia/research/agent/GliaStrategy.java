package dev.glia.research.agent;

import dev.glia.research.Lab;
import dev.glia.research.Notebook;
import dev.glia.research.Objective;
import dev.glia.research.SessionStopped;
import dev.glia.research.Stop;
import dev.glia.research.Strategy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Glia proper (paper §4): a Researcher guided by a Supervisor, in one context (SCG), in contexts
 * run one after another until the budget is spent (MCG-Seq, optionally handing each new context a
 * digest of what the previous ones found, with the best policy's source in its workspace), or in
 * N contexts at once (MCG-Par-N). All contexts share the session's lab and budget; the best
 * result wins.
 */
public final class GliaStrategy implements Strategy {
    public enum Mode { SINGLE, SEQUENTIAL, PARALLEL }

    /** A digest for the next context: what was found, and the best policy's source to put in its workspace. */
    private record Digest(String text, String file, String source) {
    }

    private final Agents agents;
    private final Mode mode;
    private final int contexts;
    private final boolean digest;
    private final int fullSeeds;
    private final ResearchContext.Limits limits;

    public GliaStrategy(Agents agents, Mode mode, int contexts, boolean digest, int fullSeeds, int maxStepsPerContext) {
        this(agents, mode, contexts, digest, fullSeeds, ResearchContext.Limits.DEFAULT.withMaxSteps(maxStepsPerContext));
    }

    GliaStrategy(Agents agents, Mode mode, int contexts, boolean digest, int fullSeeds, ResearchContext.Limits limits) {
        this.agents = agents;
        this.mode = mode;
        this.contexts = mode == Mode.SINGLE ? 1 : Math.max(1, contexts);
        this.digest = digest;
        this.fullSeeds = fullSeeds;
        this.limits = limits;
    }

    @Override
    public String name() {
        return switch (mode) {
            case SINGLE -> "glia-scg";
            case SEQUENTIAL -> "glia-mcg-seq";
            case PARALLEL -> "glia-mcg-par-" + contexts;
        };
    }

    @Override
    public boolean library() {
        return agents.library();
    }

    @Override
    public Stop search(Lab lab, Objective objective, Lab.Evaluation baseline, Notebook notebook) {
        String task = agents.researcherTask(lab, objective, baseline, fullSeeds, limits.maxSteps());
        List<ResearchContext.Result> results = new ArrayList<>();
        if (mode == Mode.PARALLEL) {
            ExecutorService pool = Executors.newFixedThreadPool(contexts, r -> {
                Thread t = new Thread(r, "glia-context");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<ResearchContext.Result>> futures = new ArrayList<>();
                for (int i = 1; i <= contexts; i++) {
                    String name = "ctx-" + i;
                    futures.add(pool.submit(() -> context(name, lab, objective, baseline, notebook, task, null).run()));
                }
                for (Future<ResearchContext.Result> f : futures) {
                    results.add(ended(f.get(), notebook));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException e) {
                // the other contexts stop at their next call or experiment
                lab.spend().halt(e.getCause() instanceof SessionStopped stopped ? stopped.stop()
                        : Stop.of(Stop.Reason.STRATEGY_FAILED, "a context failed: " + e.getCause()));
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(e.getCause());
            } finally {
                pool.shutdownNow();
                awaitContexts(pool);
            }
            return stop(results);
        }
        Digest carried = null;
        for (int i = 1; i <= contexts; i++) {
            results.add(ended(context("ctx-" + i, lab, objective, baseline, notebook, task, carried).run(), notebook));
            if (lab.spend().simulationsLeft() < fullSeeds) {
                break;
            }
            if (digest) {
                carried = digest(lab, objective, notebook);
            }
        }
        return stop(results);
    }

    /** No context may still spend once the session goes on to judge its winner. */
    private static void awaitContexts(ExecutorService pool) {
        try {
            if (!pool.awaitTermination(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("research contexts did not stop within 10 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ResearchContext.Result ended(ResearchContext.Result r, Notebook notebook) {
        notebook.add(Notebook.Kind.DECISION, r.name() + " ended: " + r.stop().code(), r.stop() + "; " + r.steps() + " steps");
        return r;
    }

    /** Finished if any context finished; otherwise why the last one ended. */
    private static Stop stop(List<ResearchContext.Result> results) {
        return results.stream().filter(r -> r.stop().reason() == Stop.Reason.FINISHED).map(ResearchContext.Result::stop)
                .findFirst().orElse(results.isEmpty() ? Stop.of(Stop.Reason.FINISHED, "no context ran")
                        : results.get(results.size() - 1).stop());
    }

    private ResearchContext context(String name, Lab lab, Objective objective, Lab.Evaluation baseline, Notebook notebook,
                                    String task, Digest carried) {
        Workspace w = agents.workspace(lab, name, task);
        if (carried != null && carried.file() != null) {
            w.put(carried.file(), carried.source());
        }
        Supervisor supervisor = new Supervisor(name, agents.client("supervisor:" + name, lab, notebook), lab, objective,
                notebook, baseline, fullSeeds, task);
        return new ResearchContext(name, agents.client("researcher:" + name, lab, notebook), supervisor, w, lab,
                objective, notebook, baseline, fullSeeds, task, carried == null ? null : carried.text(), limits,
                agents.library());
    }

    /**
     * Hypotheses, findings and decisions so far, each labelled by its context, and the best result
     * with its source copied to a path the next context can read.
     */
    private Digest digest(Lab lab, Objective objective, Notebook notebook) {
        StringBuilder out = new StringBuilder();
        for (Notebook.Entry e : notebook.entries()) {
            if (e.kind() == Notebook.Kind.HYPOTHESIS || e.kind() == Notebook.Kind.FINDING || e.kind() == Notebook.Kind.DECISION) {
                String text = e.text().isBlank() ? e.title() : e.title().replaceFirst(":.*", "") + ": " + e.text().strip();
                out.append("- ").append(e.kind().name().toLowerCase(Locale.ROOT)).append(", ")
                        .append(Notebook.clip(text, 1500)).append('\n');
            }
        }
        var best = lab.best(objective, fullSeeds).filter(b -> !b.by().equals("baseline"));
        if (best.isEmpty()) {
            return new Digest(out.toString(), null, null);
        }
        Lab.Evaluation b = best.get();
        String file = b.source() == null || !b.candidate().policy().endsWith(".java") ? null
                : "policies/from-" + b.by() + "/" + b.source().getFileName();
        String source;
        try {
            source = file == null ? null : Files.readString(b.source());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + b.source() + ": " + e.getMessage(), e);
        }
        out.append(String.format(Locale.ROOT, "- best so far (%s, %s): %s with parameters %s, %s = %.3f on %d seeds%s%n",
                b.by(), b.runId(), b.candidate().label(), b.candidate().parameters(), objective.metric(),
                b.mean(objective.metric()), b.seeds(), file == null ? " (run it by name)" : "; its source is in your "
                        + "workspace at " + file));
        return new Digest(out.toString(), file, source);
    }
}
