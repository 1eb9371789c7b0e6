package dev.glia.research.agent;

import dev.glia.research.Lab;
import dev.glia.research.Notebook;
import dev.glia.research.Objective;
import dev.glia.sim.io.Resources;
import dev.langchain4j.model.chat.ChatModel;
import java.util.Locale;
import java.util.function.Function;

/**
 * What the LLM strategies share: the models (one per role), their settings and prices, and the
 * task as the agents read it.
 *
 * @param models     makes the chat model for a role: "researcher:ctx-1", "supervisor:ctx-1", "generator"
 * @param backoffMs  first retry delay after a transient LLM failure (doubles each attempt)
 */
public record Agents(Function<String, ChatModel> models, LlmSettings settings, long backoffMs) {

    ChatClient client(String role, Lab lab, Notebook notebook) {
        return new ChatClient(models.apply(role), settings, lab.spend(), backoffMs,
                message -> notebook.add(Notebook.Kind.ERROR, role + ": " + message, ""));
    }

    static String task(Lab lab, Objective objective, Lab.Evaluation baseline, int fullSeeds) {
        String scenarioYaml = Resources.exists("scenarios/" + lab.scenario().name() + ".yaml")
                ? Resources.read("scenarios/" + lab.scenario().name() + ".yaml") : lab.scenario().toString();
        String base = String.format(Locale.ROOT, "%s with %s = %.3f [%.3f, %.3f] over %d seeds (%s)",
                baseline.candidate().label(), objective.metric(), baseline.mean(objective.metric()),
                baseline.figures().get(objective.metric()).lo(), baseline.figures().get(objective.metric()).hi(), fullSeeds,
                baseline.runId());
        String budget = String.format(Locale.ROOT, "%d simulations (one seed each; %d left), $%.2f of LLM usage",
                lab.spend().budget().simulations(), lab.spend().simulationsLeft(), lab.spend().budget().usd());
        return Prompts.task(lab.scenario().name(), scenarioYaml, lab.component(), objective.toString(), base, budget);
    }

    static Workspace workspace(Lab lab, String context, String task) {
        return Workspace.create(lab.workspace().resolve("contexts").resolve(context), task);
    }

}
