package dev.glia.research.agent;

import dev.glia.research.Lab;
import dev.glia.research.Notebook;
import dev.glia.research.Objective;
import dev.glia.research.Stop;
import dev.glia.research.Strategy;
import dev.langchain4j.data.message.UserMessage;
import java.util.List;

/**
 * The paper's simplest comparison: N independent samples of one prompt (the LLM used as-is, no
 * tools, no feedback); each sample is judged on all the search's seeds and the best wins.
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
    public boolean library() {
        return agents.library();
    }

    @Override
    public Stop search(Lab lab, Objective objective, Lab.Evaluation baseline, Notebook notebook) {
        String task = agents.task(lab, objective, baseline, fullSeeds);
        Workspace workspace = agents.workspace(lab, "best-of-n", task);
        ChatClient generator = agents.client("generator", lab, notebook);
        String prompt = Prompts.oneShot(task, lab.component(), "```java\n" + Programs.initialSource(lab) + "```\n\n"
                + Prompts.POLICY_API);
        for (int i = 1; i <= samples; i++) {
            if (lab.spend().simulationsLeft() < fullSeeds) {
                return Stop.of(Stop.Reason.BUDGET_SIMULATIONS, "no budget for sample " + i);
            }
            String reply = generator.chat(List.of(UserMessage.from(prompt)), List.of()).aiMessage().text();
            Lab.Evaluation e = Programs.evaluate(lab, workspace, "Sample" + i, reply, fullSeeds, notebook, "sample-" + i);
            notebook.add(Notebook.Kind.EXPERIMENT, "sample " + i + ": " + Programs.score(e, objective), "");
        }
        return Stop.of(Stop.Reason.FINISHED, samples + " samples judged");
    }
}
