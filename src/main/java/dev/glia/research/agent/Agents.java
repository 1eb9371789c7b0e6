package dev.glia.research.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.glia.catalog.PolicyCatalog;
import dev.glia.catalog.Resources;
import dev.glia.research.Lab;
import dev.glia.research.Notebook;
import dev.glia.research.Objective;
import dev.langchain4j.model.chat.ChatModel;
import java.util.Locale;
import java.util.function.Function;

/**
 * What the LLM strategies share: the models (one per role), their settings and prices, whether
 * the agents may see the bundled reference policies, the target they are told, and the task as
 * the agents read it.
 *
 * @param models     makes the chat model for a role: "researcher:ctx-1", "supervisor:ctx-1", "generator"
 * @param backoffMs  first retry delay after a transient LLM failure (doubles each attempt)
 * @param library    offer the reference policies (their files and names) to the agents
 * @param target     the objective's value the session hopes for (the paper's expected improvement), or null
 */
public record Agents(Function<String, ChatModel> models, LlmSettings settings, long backoffMs, boolean library,
                     Double target) {

    ChatClient client(String role, Lab lab, Notebook notebook) {
        return new ChatClient(models.apply(role), settings, lab.spend(), backoffMs,
                message -> notebook.add(Notebook.Kind.ERROR, role + ": " + message, ""));
    }

    /** The task without tools: for strategies that only generate programs. */
    String task(Lab lab, Objective objective, Lab.Evaluation baseline, int fullSeeds) {
        String base = String.format(Locale.ROOT, "%s with %s = %.3f [%.3f, %.3f] over %d seeds",
                baseline.candidate().label(), objective.metric(), baseline.mean(objective.metric()),
                baseline.figures().get(objective.metric()).lo(), baseline.figures().get(objective.metric()).hi(), fullSeeds);
        String budget = String.format(Locale.ROOT, "%d simulations (one seed each; %d left for the search), $%.2f of "
                + "LLM usage", lab.spend().budget().simulations(), lab.spend().simulationsLeft(), lab.spend().budget().usd());
        String goal = target == null ? null : objective.metric() + (objective.maximize() ? " >= " : " <= ") + target;
        return Prompts.task(lab.component(), objective.toString(), goal, base, budget, scenarioYaml(lab));
    }

    /** The Researcher's task: the task, its workspace, tools, log tables and limits. */
    String researcherTask(Lab lab, Objective objective, Lab.Evaluation baseline, int fullSeeds, int maxSteps) {
        return task(lab, objective, baseline, fullSeeds) + Prompts.tools(lab.scenario().name(), baselineSource(lab),
                library, fullSeeds, maxSteps, RunDatabase.SCHEMA);
    }

    Workspace workspace(Lab lab, String context, String task) {
        return Workspace.create(lab.workspace().resolve("contexts").resolve(context), task, lab.scenario().name(),
                scenarioYaml(lab), baselineSource(lab), library);
    }

    /** The scenario as the agents read it: its settings, without the comments of the bundled file. */
    static String scenarioYaml(Lab lab) {
        try {
            return Resources.YAML.writeValueAsString(lab.scenario()).replaceFirst("^---\n", "");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the scenario as YAML: " + e.getMessage(), e);
        }
    }

    /** The file of the baseline's source: its reference's, or the source twin of a built-in ({@code llq-source}). */
    static String baselineSource(Lab lab) {
        String name = lab.baselineCandidate().policy();
        if (name.endsWith(".java")) {
            return null;
        }
        PolicyCatalog.Reference ref = PolicyCatalog.references().getOrDefault(name,
                PolicyCatalog.references().get(name + "-source"));
        return ref == null ? null : ref.source();
    }
}
