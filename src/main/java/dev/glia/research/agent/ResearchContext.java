package dev.glia.research.agent;

import dev.glia.research.BudgetExhausted;
import dev.glia.research.Lab;
import dev.glia.research.Notebook;
import dev.glia.research.Objective;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One Researcher context (the paper's single-context Glia): a conversation in which the
 * Researcher uses its tools, and the Supervisor speaks every few steps, when progress stalls, and
 * when the Researcher wants to stop while budget is left and the baseline is not clearly beaten.
 */
final class ResearchContext {
    /** How a context ended, and the policy it chose (if it chose one). */
    record Result(String name, ResearchTools.Finish finish, String ending, int steps) {
    }

    /** Limits of one context. */
    record Limits(int maxSteps, int supervisorEvery, int stallAfter, int maxToolResultChars) {
        static final Limits DEFAULT = new Limits(60, 6, 3, 6000);
    }

    private final String name;
    private final ChatClient researcher;
    private final ChatClient supervisor;
    private final Workspace workspace;
    private final Lab lab;
    private final Objective objective;
    private final Notebook notebook;
    private final Lab.Evaluation baseline;
    private final int fullSeeds;
    private final String task;
    private final String digest;
    private final Limits limits;
    private final List<String> trail = new ArrayList<>();

    ResearchContext(String name, ChatClient researcher, ChatClient supervisor, Workspace workspace, Lab lab,
                    Objective objective, Notebook notebook, Lab.Evaluation baseline, int fullSeeds, String task,
                    String digest, Limits limits) {
        this.name = name;
        this.researcher = researcher;
        this.supervisor = supervisor;
        this.workspace = workspace;
        this.lab = lab;
        this.objective = objective;
        this.notebook = notebook;
        this.baseline = baseline;
        this.fullSeeds = fullSeeds;
        this.task = task;
        this.digest = digest;
        this.limits = limits;
    }

    Result run() {
        ResearchTools tools = new ResearchTools(workspace, lab, objective, notebook, baseline, fullSeeds, name);
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(SystemMessage.from(Prompts.RESEARCHER));
        messages.add(UserMessage.from(task + (digest == null || digest.isBlank() ? ""
                : "\n\n## What earlier research contexts found\n\n" + digest)));
        int steps = 0;
        int sinceSupervisor = 0;
        int stall = 0;
        int idleTurns = 0;
        boolean earlyStopQuestioned = false;
        double bestLoss = objective.loss(baseline.figures());
        try {
            while (steps < limits.maxSteps()) {
                steps++;
                sinceSupervisor++;
                AiMessage ai = researcher.chat(messages, ResearchTools.specifications()).aiMessage();
                messages.add(ai);
                if (ai.text() != null && !ai.text().isBlank()) {
                    notebook.add(Notebook.Kind.RESEARCHER, name + ": " + ResearchTools.firstLine(ai.text()), ai.text());
                    trail.add("Researcher: " + ai.text().strip());
                }
                if (ai.hasToolExecutionRequests()) {
                    idleTurns = 0;
                    for (ToolExecutionRequest call : ai.toolExecutionRequests()) {
                        String result = tools.execute(call);
                        String shown = result.length() > limits.maxToolResultChars()
                                ? result.substring(0, limits.maxToolResultChars()) + "\n... (truncated)" : result;
                        messages.add(ToolExecutionResultMessage.from(call, shown));
                        String summary = call.name() + "(" + ResearchTools.firstLine(String.valueOf(call.arguments()))
                                + ") -> " + ResearchTools.firstLine(result);
                        notebook.add(Notebook.Kind.TOOL, name + ": " + summary, shown,
                                Map.of("tool", String.valueOf(call.name()), "arguments", String.valueOf(call.arguments())));
                        trail.add("tool " + summary);
                        if ("run_experiment".equals(call.name())) {
                            Lab.Evaluation last = lab.history().get(lab.history().size() - 1);
                            if (!last.failed() && objective.loss(last.figures()) < bestLoss - 1e-9) {
                                bestLoss = objective.loss(last.figures());
                                stall = 0;
                            } else {
                                stall++;
                            }
                        }
                    }
                } else if (++idleTurns >= 2) {
                    messages.add(UserMessage.from("Use the tools to make progress (run_experiment, query_runs, ...), "
                            + "or call finish with your chosen policy."));
                    idleTurns = 0;
                }
                if (tools.finish() != null) {
                    boolean budgetLeft = lab.spend().simulationsLeft() > 0.4 * lab.spend().budget().simulations();
                    boolean clearlyBetter = lab.best(objective, fullSeeds)
                            .filter(b -> b != baseline && objective.clearlyBetter(b.figures(), baseline.figures()))
                            .isPresent();
                    if (budgetLeft && !clearlyBetter && !earlyStopQuestioned) {
                        earlyStopQuestioned = true;
                        intervene(messages, "The Researcher wants to stop with budget left and without a result "
                                + "clearly better than the baseline.");
                        tools.clearFinish();
                        sinceSupervisor = 0;
                        continue;
                    }
                    ResearchTools.Finish f = tools.finish();
                    notebook.add(Notebook.Kind.DECISION, name + ": finish with " + Lab.Candidate.of(f.policy(), f.parameters()).label(),
                            f.rationale());
                    confirm(f);
                    return new Result(name, f, "finished", steps);
                }
                if (stall >= limits.stallAfter()) {
                    intervene(messages, "Progress has stalled: " + stall + " experiments without improvement.");
                    stall = 0;
                    sinceSupervisor = 0;
                } else if (sinceSupervisor >= limits.supervisorEvery()) {
                    intervene(messages, "Regular check-in after " + steps + " steps.");
                    sinceSupervisor = 0;
                }
            }
            notebook.add(Notebook.Kind.DECISION, name + ": step limit reached", limits.maxSteps() + " steps");
            return new Result(name, null, "step limit", steps);
        } catch (BudgetExhausted e) {
            notebook.add(Notebook.Kind.DECISION, name + ": budget exhausted", e.getMessage());
            throw e;
        } catch (ChatClient.LlmUnavailable e) {
            notebook.add(Notebook.Kind.ERROR, name + ": the model is unavailable; this context ends", e.getMessage());
            return new Result(name, null, "llm: " + e.getMessage(), steps);
        }
    }

    /** The Supervisor reads the task and the recent trail (no workspace) and speaks to the Researcher. */
    private void intervene(List<ChatMessage> messages, String reason) {
        List<String> recent = trail.subList(Math.max(0, trail.size() - 24), trail.size());
        String brief = String.format(Locale.ROOT, "%s%n%n## Recent work of the Researcher%n%n%s%n%n## Why you are "
                        + "asked now%n%n%s Simulations left: %d of %d.", task, String.join("\n", recent), reason,
                lab.spend().simulationsLeft(), lab.spend().budget().simulations());
        String said = supervisor.chat(List.of(SystemMessage.from(Prompts.SUPERVISOR), UserMessage.from(brief)), List.of())
                .aiMessage().text();
        if (said == null || said.isBlank()) {
            return;
        }
        notebook.add(Notebook.Kind.SUPERVISOR, name + ": " + ResearchTools.firstLine(said), said, Map.of("reason", reason));
        trail.add("Supervisor: " + said.strip());
        messages.add(UserMessage.from("[Supervisor] " + said.strip()));
    }

    /** The chosen policy is judged on all seeds, so the session can compare it with the baseline. */
    private void confirm(ResearchTools.Finish f) {
        Lab.Evaluation e = lab.evaluate(Lab.Candidate.of(f.policy(), f.parameters()), fullSeeds);
        if (e.failed()) {
            notebook.add(Notebook.Kind.ERROR, name + ": the chosen policy failed on all seeds", e.failure());
        }
    }
}
