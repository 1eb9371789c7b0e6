package dev.glia.research.agent;

import dev.glia.research.Lab;
import dev.glia.research.Notebook;
import dev.glia.research.Objective;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Supervisor of one research context (paper §4): called only when the Researcher stalls,
 * loses focus or wants to stop, it reads the task, the findings of the whole session (every
 * context's hypotheses, findings and decisions, from the notebook), the context's experiments with
 * their figures, the best so far and the recent trail, and speaks to the Researcher. It has no
 * tools and no workspace.
 */
final class Supervisor {
    private static final int MAX_FINDINGS = 40;
    private static final int MAX_TRAIL = 16;

    private final String context;
    private final ChatClient client;
    private final Lab lab;
    private final Objective objective;
    private final Notebook notebook;
    private final Lab.Evaluation baseline;
    private final int fullSeeds;
    private final String task;

    Supervisor(String context, ChatClient client, Lab lab, Objective objective, Notebook notebook,
               Lab.Evaluation baseline, int fullSeeds, String task) {
        this.context = context;
        this.client = client;
        this.lab = lab;
        this.objective = objective;
        this.notebook = notebook;
        this.baseline = baseline;
        this.fullSeeds = fullSeeds;
        this.task = task;
    }

    /**
     * What the Supervisor says, or null if it had nothing to say. A brief too long for the model is
     * sent again without the trail and with the latest findings only.
     */
    String intervene(String reason, List<Lab.Evaluation> runs, List<String> trail, int stepsLeft) {
        String said;
        try {
            said = ask(brief(reason, runs, trail, stepsLeft, MAX_FINDINGS));
        } catch (ChatClient.ContextTooLong e) {
            try {
                said = ask(brief(reason, runs, List.of(), stepsLeft, 5));
            } catch (ChatClient.ContextTooLong again) {
                notebook.add(Notebook.Kind.ERROR, context + ": the Supervisor's brief is too long for the model",
                        again.getMessage());
                return null;
            }
        }
        if (said == null || said.isBlank()) {
            return null;
        }
        notebook.add(Notebook.Kind.SUPERVISOR, context + ": " + ResearchTools.firstLine(said), said, Map.of("reason", reason));
        return said.strip();
    }

    private String ask(String brief) {
        return client.chat(List.of(SystemMessage.from(Prompts.SUPERVISOR), UserMessage.from(brief)), List.of())
                .aiMessage().text();
    }

    String brief(String reason, List<Lab.Evaluation> runs, List<String> trail, int stepsLeft, int maxFindings) {
        StringBuilder out = new StringBuilder(task).append("\n\n## Findings of the whole session\n\n");
        List<Notebook.Entry> findings = notebook.entries().stream().filter(e -> e.kind() == Notebook.Kind.HYPOTHESIS
                || e.kind() == Notebook.Kind.FINDING || e.kind() == Notebook.Kind.OBSERVATION
                || e.kind() == Notebook.Kind.SUPERVISOR).toList();
        if (findings.isEmpty()) {
            out.append("(none recorded yet)\n");
        }
        for (Notebook.Entry e : findings.subList(Math.max(0, findings.size() - maxFindings), findings.size())) {
            out.append("- ").append(e.kind().name().toLowerCase(Locale.ROOT)).append(", ")
                    .append(Notebook.clip(e.text().isBlank() ? e.title() : e.title().replaceFirst(":.*", "") + ": "
                            + e.text().strip(), 600).replace('\n', ' ')).append('\n');
        }
        out.append("\n## Experiments of this context (").append(context).append(")\n\n");
        if (runs.isEmpty()) {
            out.append("(none yet)\n");
        }
        runs.forEach(e -> out.append("- ").append(line(e)).append('\n'));
        out.append("\n## Best so far\n\n- baseline: ").append(line(baseline)).append('\n');
        lab.best(objective, fullSeeds).filter(b -> b != baseline)
                .ifPresent(b -> out.append("- session, on all seeds: ").append(line(b)).append('\n'));
        runs.stream().filter(e -> !e.failed()).min((a, b) -> Double.compare(objective.loss(a.figures()),
                objective.loss(b.figures()))).ifPresent(b -> out.append("- this context: ").append(line(b)).append('\n'));
        out.append("\n## Recent work of the Researcher\n\n");
        trail.subList(Math.max(0, trail.size() - MAX_TRAIL), trail.size())
                .forEach(t -> out.append(Notebook.clip(t, 1500)).append('\n'));
        out.append(String.format(Locale.ROOT, "%n## Why you are asked now%n%n%s Simulations left: %d of %d. Steps left: %d.",
                reason, lab.spend().simulationsLeft(), lab.spend().budget().simulations(), stepsLeft));
        return out.toString();
    }

    /** One experiment in one line: what ran, on how many seeds, and its figures. */
    private String line(Lab.Evaluation e) {
        if (e.failed()) {
            return e.runId() + " " + e.candidate().label() + ": failed: "
                    + Notebook.clip(e.failure().lines().findFirst().orElse(""), 300);
        }
        var m = e.figures().get(objective.metric());
        return String.format(Locale.ROOT, "%s %s, %d seed%s: %s %.3f [%.3f, %.3f]; e2e p50/p99 %.2f/%.2f s; "
                        + "ttft p99 %.2f s; queueing %.2f s; restarted %.1f%%", e.runId(), e.candidate().label(),
                e.seeds(), e.seeds() == 1 ? "" : "s", objective.metric(), m.mean(), m.lo(), m.hi(), e.mean("e2e.p50"),
                e.mean("e2e.p99"), e.mean("ttft.p99"), e.mean("queueDelay.mean"), 100 * e.mean("restartedFraction"));
    }
}
