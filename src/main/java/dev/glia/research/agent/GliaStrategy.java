package dev.glia.research.agent;

import dev.glia.research.Lab;
import dev.glia.research.Notebook;
import dev.glia.research.Objective;
import dev.glia.research.Strategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Glia proper (paper §4): a Researcher guided by a Supervisor, in one context (SCG), in contexts
 * run one after another until the target or the budget is reached (MCG-Seq, optionally handing
 * each new context a digest of what the previous ones found), or in N contexts at once
 * (MCG-Par-N). All contexts share the session's lab and budget; the best result wins.
 */
public final class GliaStrategy implements Strategy {
    public enum Mode { SINGLE, SEQUENTIAL, PARALLEL }

    private final Agents agents;
    private final Mode mode;
    private final int contexts;
    private final boolean digest;
    private final Double target;
    private final int fullSeeds;
    private final ResearchContext.Limits limits;

    public GliaStrategy(Agents agents, Mode mode, int contexts, boolean digest, Double target, int fullSeeds,
                        int maxStepsPerContext) {
        this.agents = agents;
        this.mode = mode;
        this.contexts = mode == Mode.SINGLE ? 1 : Math.max(1, contexts);
        this.digest = digest;
        this.target = target;
        this.fullSeeds = fullSeeds;
        ResearchContext.Limits d = ResearchContext.Limits.DEFAULT;
        this.limits = new ResearchContext.Limits(maxStepsPerContext, d.supervisorEvery(), d.stallAfter(), d.maxToolResultChars());
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
    public void search(Lab lab, Objective objective, Lab.Evaluation baseline, Notebook notebook) {
        String task = Agents.task(lab, objective, baseline, fullSeeds);
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
                    ResearchContext.Result r = f.get();
                    notebook.add(Notebook.Kind.DECISION, r.name() + " ended: " + r.ending(), r.steps() + " steps");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(e.getCause());
            } finally {
                pool.shutdownNow();
            }
            return;
        }
        String carried = null;
        for (int i = 1; i <= contexts; i++) {
            ResearchContext.Result r = context("ctx-" + i, lab, objective, baseline, notebook, task, carried).run();
            notebook.add(Notebook.Kind.DECISION, r.name() + " ended: " + r.ending(), r.steps() + " steps");
            if (reachedTarget(lab, objective) || lab.spend().simulationsLeft() < fullSeeds) {
                return;
            }
            if (digest) {
                carried = digest(lab, objective, notebook);
            }
        }
    }

    private ResearchContext context(String name, Lab lab, Objective objective, Lab.Evaluation baseline, Notebook notebook,
                                    String task, String carried) {
        Workspace w = Agents.workspace(lab, name, task);
        return new ResearchContext(name, agents.client("researcher:" + name, lab, notebook),
                agents.client("supervisor:" + name, lab, notebook),
                w, lab, objective, notebook, baseline, fullSeeds, task, carried, limits);
    }

    private boolean reachedTarget(Lab lab, Objective objective) {
        if (target == null) {
            return false;
        }
        return lab.best(objective, fullSeeds).map(b -> objective.maximize() ? b.mean(objective.metric()) >= target
                : b.mean(objective.metric()) <= target).orElse(false);
    }

    /** Hypotheses, findings and decisions so far, and the best result: what a new context starts from. */
    private String digest(Lab lab, Objective objective, Notebook notebook) {
        StringBuilder out = new StringBuilder();
        for (Notebook.Entry e : notebook.entries()) {
            if (e.kind() == Notebook.Kind.HYPOTHESIS || e.kind() == Notebook.Kind.FINDING || e.kind() == Notebook.Kind.DECISION) {
                out.append("- ").append(e.kind().name().toLowerCase(Locale.ROOT)).append(": ").append(e.title()).append('\n');
            }
        }
        lab.best(objective, fullSeeds).ifPresent(b -> out.append(String.format(Locale.ROOT,
                "- best so far: %s with %s = %.3f (%s)%n", b.candidate().label(), objective.metric(),
                b.mean(objective.metric()), b.runId())));
        return out.toString();
    }
}
