package dev.glia.research.agent;

import dev.glia.research.Lab;
import dev.glia.research.Notebook;
import dev.glia.research.Objective;
import dev.glia.research.Stop;
import dev.glia.research.Strategy;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The black-box evolutionary comparison (OpenEvolve-style, paper §5): island populations seeded
 * with the baseline program; each generation shows the LLM a parent from the island's top-k and
 * diverse programs from other islands, with their scores only (no logs, no analysis), and asks
 * for an improved program; children join their island; islands exchange their best every few
 * generations. Runs until the budget is spent, or until the model gives nothing that runs
 * {@value #MAX_BARREN} times in a row (no code, code that does not compile, or a program already
 * judged: all are free, so a model that cannot write programs would otherwise loop on the dollar
 * budget alone).
 */
public final class Evolve implements Strategy {
    private record Program(String name, String code, double loss, String score) {
    }

    private static final int MAX_BARREN = 8;

    private final Agents agents;
    private final int islands;
    private final int topK;
    private final int migrateEvery;
    private final int fullSeeds;
    private final long seed;

    public Evolve(Agents agents, int islands, int topK, int migrateEvery, int fullSeeds, long seed) {
        this.agents = agents;
        this.islands = islands;
        this.topK = topK;
        this.migrateEvery = migrateEvery;
        this.fullSeeds = fullSeeds;
        this.seed = seed;
    }

    @Override
    public String name() {
        return "evolve";
    }

    @Override
    public boolean library() {
        return agents.library();
    }

    @Override
    public Stop search(Lab lab, Objective objective, Lab.Evaluation baseline, Notebook notebook) {
        String task = agents.task(lab, objective, baseline, fullSeeds);
        Workspace workspace = agents.workspace(lab, "evolve", task);
        ChatClient generator = agents.client("generator", lab, notebook);
        SplittableRandom random = new SplittableRandom(seed);
        List<List<Program>> population = new ArrayList<>();
        Program initial = new Program("initial", Programs.initialSource(lab), objective.loss(baseline.figures()),
                Programs.score(baseline, objective));
        for (int i = 0; i < islands; i++) {
            population.add(new ArrayList<>(List.of(initial)));
        }
        int barren = 0;
        for (int generation = 1; lab.spend().simulationsLeft() >= fullSeeds; generation++) {
            List<Program> island = population.get(generation % islands);
            island.sort(Comparator.comparingDouble(Program::loss));
            Program parent = island.get(random.nextInt(Math.min(topK, island.size())));
            List<Program> inspirations = new ArrayList<>();
            for (int j = 0; j < islands; j++) {
                List<Program> other = population.get(j);
                if (other != island && !other.isEmpty()) {
                    inspirations.add(other.get(random.nextInt(other.size())));
                }
            }
            StringBuilder prompt = new StringBuilder(task).append("\n\n## Current program (").append(parent.score())
                    .append(")\n\n```java\n").append(parent.code()).append("```\n");
            for (Program p : inspirations) {
                prompt.append("\n## Another program (").append(p.score()).append(")\n\n```java\n").append(p.code()).append("```\n");
            }
            prompt.append("\nRewrite the current program to improve its score. Reply with the complete program in one ```java block.");
            String reply = generator.chat(List.of(SystemMessage.from("You improve programs by evolution. You see only "
                    + "programs and their scores.\n\n" + Prompts.POLICY_API), UserMessage.from(prompt.toString())),
                    List.of()).aiMessage().text();
            int spent = lab.spend().simulationsUsed();
            Lab.Evaluation e = Programs.evaluate(lab, workspace, "Gen" + generation, reply, fullSeeds, notebook, "evolve");
            barren = lab.spend().simulationsUsed() > spent ? 0 : barren + 1;
            if (barren >= MAX_BARREN) {
                return Stop.of(Stop.Reason.MODEL_UNPRODUCTIVE, MAX_BARREN + " replies in a row without a program that ran");
            }
            if (e != null && !e.failed()) {
                island.add(new Program("Gen" + generation, Programs.extract(reply), objective.loss(e.figures()),
                        Programs.score(e, objective)));
                island.sort(Comparator.comparingDouble(Program::loss));
                while (island.size() > 2 * topK) {
                    island.remove(island.size() - 1);
                }
            }
            notebook.add(Notebook.Kind.EXPERIMENT, "generation " + generation + " on island " + (generation % islands)
                    + ": " + Programs.score(e, objective), "");
            if (generation % migrateEvery == 0) {
                for (int j = 0; j < islands; j++) {
                    Program best = population.get(j).stream().min(Comparator.comparingDouble(Program::loss)).orElseThrow();
                    List<Program> next = population.get((j + 1) % islands);
                    if (!next.contains(best)) {
                        next.add(best);
                    }
                }
            }
        }
        return Stop.of(Stop.Reason.BUDGET_SIMULATIONS, "no budget for another generation");
    }
}
