package dev.glia.research.agent;

import dev.glia.research.Lab;
import dev.glia.research.Notebook;
import dev.glia.research.Objective;
import dev.glia.research.Strategy;
import dev.langchain4j.data.message.UserMessage;
import java.util.List;

/**
 * The paper's simplest comparison: N independent samples of one prompt (the LLM used as-is, no
 * tools, no feedback); each sample is judged on all seeds and the best wins.
 */
public final class BestOfN implements Strategy {
    private final Agents agents;
    private final int samples;
    private final int fullSeeds;

    public BestOfN(Agents agents, int samples, int fullSeeds) {
        this.agents = agents;
        this.samples = samples;
        this.fullSeeds = fullSeeds;
    }

    @Override
    public String name() {
        return "best-of-" + samples;
    }

    @Override
    public void search(Lab lab, Objective objective, Lab.Evaluation baseline, Notebook notebook) {
        String task = Agents.task(lab, objective, baseline, fullSeeds);
        Workspace workspace = Agents.workspace(lab, "best-of-n", task);
        ChatClient generator = agents.client("generator", lab, notebook);
        String prompt = Prompts.oneShot(task, lab.component(), "```java\n" + Programs.initialSource(lab.component()) + "```\n\n"
                + Prompts.POLICY_API);
        for (int i = 1; i <= samples; i++) {
            if (lab.spend().simulationsLeft() < fullSeeds) {
                notebook.add(Notebook.Kind.DECISION, "Stop sampling: no budget for another evaluation", "");
                return;
            }
            String reply;
            try {
                reply = generator.chat(List.of(UserMessage.from(prompt)), List.of()).aiMessage().text();
            } catch (ChatClient.LlmUnavailable e) {
                notebook.add(Notebook.Kind.ERROR, "sample " + i + ": the model is unavailable", e.getMessage());
                continue;
            }
            Lab.Evaluation e = Programs.evaluate(lab, workspace, "Sample" + i, reply, fullSeeds, notebook);
            notebook.add(Notebook.Kind.EXPERIMENT, "sample " + i + ": " + Programs.score(e, objective), "");
        }
    }
}
