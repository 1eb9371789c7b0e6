package dev.glia.research.agent;

import dev.glia.research.BudgetExhausted;
import dev.glia.research.Lab;
import dev.glia.research.Notebook;
import dev.glia.research.Objective;
import dev.glia.research.Stop;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One Researcher context (the paper's single-context Glia): a conversation in which the
 * Researcher uses its tools, and the Supervisor speaks only when this context's Researcher stalls
 * (experiments without improving on its own best), loses focus (steps without an experiment), or
 * wants to stop while budget is left and the baseline is not clearly beaten. The conversation is
 * kept fit to send (see {@link Conversation}); an empty reply or a context-length error does not
 * end the context.
 */
final class ResearchContext {
    /** How a context ended, and the policy it chose (if it chose one). */
    record Result(String name, ResearchTools.Finish finish, Stop stop, int steps) {
    }

    /**
     * Limits of one context.
     *
     * @param stallAfter      experiments without improvement before the Supervisor is called
     * @param lostFocusAfter  steps without an experiment before the Supervisor is called
     * @param maxContextChars size past which older turns are summarised
     */
    record Limits(int maxSteps, int stallAfter, int lostFocusAfter, int maxToolResultChars, int maxContextChars) {
        static final Limits DEFAULT = new Limits(60, 3, 8, 6000, 240_000);

        Limits withMaxSteps(int steps) {
            return new Limits(steps, stallAfter, lostFocusAfter, maxToolResultChars, maxContextChars);
        }
    }

    /** Empty replies in a row after which the model is taken to be unable to work. */
    private static final int MAX_EMPTY_REPLIES = 5;

    private final String name;
    private final ChatClient researcher;
    private final Supervisor supervisor;
    private final Lab lab;
    private final Objective objective;
    private final Notebook notebook;
    private final Lab.Evaluation baseline;
    private final int fullSeeds;
    private final String task;
    private final String digest;
    private final Limits limits;
    private final ResearchTools tools;
    private final List<String> trail = new ArrayList<>();

    ResearchContext(String name, ChatClient researcher, Supervisor supervisor, Workspace workspace, Lab lab,
                    Objective objective, Notebook notebook, Lab.Evaluation baseline, int fullSeeds, String task,
                    String digest, Limits limits, boolean library) {
        this.name = name;
        this.researcher = researcher;
        this.supervisor = supervisor;
        this.lab = lab;
        this.objective = objective;
        this.notebook = notebook;
        this.baseline = baseline;
        this.fullSeeds = fullSeeds;
        this.task = task;
        this.digest = digest;
        this.limits = limits;
        this.tools = new ResearchTools(workspace, lab, objective, notebook, baseline, fullSeeds, name, library);
    }

    Result run() {
        Conversation conversation = new Conversation(Prompts.RESEARCHER, task + (digest == null || digest.isBlank() ? ""
                : "\n\n## What earlier research contexts found\n\n" + digest), limits.maxContextChars(), this::summary);
        int steps = 0;
        int stall = 0;
        int sinceExperiment = 0;
        int idle = 0;
        int empty = 0;
        int seen = 0;
        boolean earlyStopQuestioned = false;
        boolean warned = false;
        double bestLoss = objective.loss(baseline.figures());
        try {
            while (steps < limits.maxSteps()) {
                steps++;
                int left = limits.maxSteps() - steps + 1;
                if (left == 3 && !warned) {
                    warned = true;
                    conversation.addUser("[Glia] 3 steps left, this one included. Call finish with your best policy "
                            + "before they run out; otherwise the session judges your best screened result itself.");
                }
                conversation.fit();
                AiMessage ai;
                try {
                    ai = researcher.chat(conversation.messages(), tools.specifications()).aiMessage();
                } catch (ChatClient.ContextTooLong e) {
                    steps--; // the model never saw this step
                    boolean compacted = conversation.compact();
                    notebook.add(Notebook.Kind.ERROR, name + ": the conversation is too long for the model; "
                            + (compacted ? "older turns summarised" : "nothing left to summarise"), e.getMessage());
                    if (!compacted) {
                        return new Result(name, null, Stop.of(Stop.Reason.MODEL_UNAVAILABLE,
                                "the conversation cannot be made short enough for the model: " + e.getMessage()), steps);
                    }
                    continue;
                }
                if (!conversation.addReply(ai)) {
                    notebook.add(Notebook.Kind.ERROR, name + ": the model sent an empty reply", "");
                    if (++empty >= MAX_EMPTY_REPLIES) {
                        return new Result(name, null, Stop.of(Stop.Reason.MODEL_UNPRODUCTIVE,
                                MAX_EMPTY_REPLIES + " empty replies in a row"), steps);
                    }
                    conversation.addUser("Your last reply was empty. Use a tool (run_experiment, query_runs, ...) or "
                            + "call finish with your chosen policy.");
                    continue;
                }
                empty = 0;
                if (ai.text() != null && !ai.text().isBlank()) {
                    notebook.add(Notebook.Kind.RESEARCHER, name + ": " + ResearchTools.firstLine(ai.text()), ai.text());
                    trail.add("Researcher: " + Notebook.clip(ai.text().strip(), 1500));
                }
                if (ai.hasToolExecutionRequests()) {
                    idle = 0;
                    for (ToolExecutionRequest call : ai.toolExecutionRequests()) {
                        String result = tools.execute(call);
                        String shown = Notebook.clip(result, limits.maxToolResultChars());
                        conversation.addToolResult(ToolExecutionResultMessage.from(call, shown));
                        String summary = call.name() + "(" + ResearchTools.firstLine(String.valueOf(call.arguments())) + ")";
                        notebook.add(Notebook.Kind.TOOL, name + ": " + summary + " -> " + ResearchTools.firstLine(result),
                                shown, Map.of("tool", String.valueOf(call.name()), "arguments", String.valueOf(call.arguments())));
                        trail.add("tool " + summary + " -> " + Notebook.clip(result, 1500));
                    }
                } else if (++idle >= 2) {
                    conversation.addUser("Use the tools to make progress (run_experiment, query_runs, ...), "
                            + "or call finish with your chosen policy.");
                    idle = 0;
                }
                // stall is this context's own: only its experiments, against its own best
                List<Lab.Evaluation> runs = tools.runs();
                sinceExperiment = runs.size() > seen ? 0 : sinceExperiment + 1;
                for (Lab.Evaluation e : runs.subList(seen, runs.size())) {
                    if (!e.failed() && objective.loss(e.figures()) < bestLoss - 1e-9) {
                        bestLoss = objective.loss(e.figures());
                        stall = 0;
                    } else {
                        stall++;
                    }
                }
                seen = runs.size();
                if (tools.finish() != null) {
                    boolean budgetLeft = lab.spend().simulationsLeft() > 0.4 * lab.spend().budget().simulations();
                    boolean clearlyBetter = lab.best(objective, fullSeeds)
                            .filter(b -> b != baseline && objective.clearlyBetter(b.figures(), baseline.figures()))
                            .isPresent();
                    if (budgetLeft && !clearlyBetter && !earlyStopQuestioned) {
                        earlyStopQuestioned = true;
                        intervene(conversation, "The Researcher wants to stop with budget left and without a result "
                                + "clearly better than the baseline.", left - 1);
                        tools.clearFinish();
                        continue;
                    }
                    ResearchTools.Finish f = tools.finish();
                    notebook.add(Notebook.Kind.DECISION, name + ": finish with "
                            + Lab.Candidate.of(f.policy(), f.parameters()).label(), f.rationale());
                    confirm(f);
                    return new Result(name, f, Stop.of(Stop.Reason.FINISHED, name + " called finish"), steps);
                }
                if (stall >= limits.stallAfter()) {
                    intervene(conversation, String.format(Locale.ROOT, "Progress has stalled: %d experiments of this "
                            + "context without improving on its best.", stall), left - 1);
                    stall = 0;
                    sinceExperiment = 0;
                } else if (sinceExperiment >= limits.lostFocusAfter()) {
                    intervene(conversation, String.format(Locale.ROOT, "The Researcher may have lost focus: %d steps "
                            + "without an experiment.", sinceExperiment), left - 1);
                    sinceExperiment = 0;
                }
            }
            notebook.add(Notebook.Kind.DECISION, name + ": step limit reached", limits.maxSteps() + " steps");
            return new Result(name, null, Stop.of(Stop.Reason.STEPS, name + " used its " + limits.maxSteps() + " steps"),
                    steps);
        } catch (BudgetExhausted e) {
            notebook.add(Notebook.Kind.DECISION, name + ": " + e.stop().code(), e.getMessage());
            throw e;
        } catch (ChatClient.LlmUnavailable e) {
            notebook.add(Notebook.Kind.ERROR, name + ": the model is unavailable; this context ends", e.getMessage());
            if (e.stop().reason() == Stop.Reason.AUTH_FAILED) {
                throw e; // no context can work with a refused key
            }
            return new Result(name, null, e.stop(), steps);
        }
    }

    private void intervene(Conversation conversation, String reason, int stepsLeft) {
        String said = supervisor.intervene(reason, tools.runs(), trail, stepsLeft);
        if (said != null) {
            trail.add("Supervisor: " + said);
            conversation.addUser("[Supervisor] " + said);
        }
    }

    /** What this context has established, for a compacted conversation: experiments, notes, files. */
    private String summary() {
        StringBuilder out = new StringBuilder("Experiments (run id, policy, seeds, figures):\n");
        List<Lab.Evaluation> runs = tools.runs();
        if (runs.isEmpty()) {
            out.append("- none yet\n");
        }
        for (Lab.Evaluation e : runs) {
            out.append("- ").append(e.runId()).append(' ').append(e.candidate().label()).append(", ").append(e.seeds())
                    .append(" seeds: ");
            if (e.failed()) {
                out.append("failed: ").append(Notebook.clip(e.failure().lines().findFirst().orElse(""), 300));
            } else {
                var m = e.figures().get(objective.metric());
                out.append(String.format(Locale.ROOT, "%s %.3f [%.3f, %.3f], e2e p99 %.2f s, restarted %.1f%%",
                        objective.metric(), m.mean(), m.lo(), m.hi(), e.mean("e2e.p99"), 100 * e.mean("restartedFraction")));
            }
            out.append('\n');
        }
        out.append("\nYour notes and the Supervisor's words:\n");
        for (Notebook.Entry e : notebook.entries()) {
            boolean mine = e.title().startsWith(name + ": ");
            if (mine && (e.kind() == Notebook.Kind.HYPOTHESIS || e.kind() == Notebook.Kind.FINDING
                    || e.kind() == Notebook.Kind.OBSERVATION || e.kind() == Notebook.Kind.DECISION
                    || e.kind() == Notebook.Kind.SUPERVISOR)) {
                out.append("- ").append(e.kind().name().toLowerCase(Locale.ROOT)).append(": ")
                        .append(Notebook.clip(e.text().strip(), 800)).append('\n');
            }
        }
        out.append("\nFiles you wrote: ").append(tools.written().isEmpty() ? "none" : String.join(", ", tools.written()))
                .append(" (read_file shows them as they are now).\n");
        return out.toString();
    }

    /** The chosen policy is judged on all the search's seeds, so the session can compare it with the baseline. */
    private void confirm(ResearchTools.Finish f) {
        Lab.Evaluation e = lab.evaluate(Lab.Candidate.of(f.policy(), f.parameters()), fullSeeds, name);
        if (e.failed()) {
            notebook.add(Notebook.Kind.ERROR, name + ": the chosen policy failed on all seeds", e.failure());
        }
    }
}
