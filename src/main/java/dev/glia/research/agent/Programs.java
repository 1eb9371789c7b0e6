package dev.glia.research.agent;

import dev.glia.catalog.Resources;
import dev.glia.research.Lab;
import dev.glia.research.Notebook;
import dev.glia.research.Objective;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Helpers of the black-box strategies: starting programs, code extraction, evaluation of a sample. */
final class Programs {
    private static final Pattern CODE = Pattern.compile("```(?:java)?\\s*\\n(.*?)```", Pattern.DOTALL);

    private Programs() {
    }

    /** The program a black-box search starts from: the baseline's source, or a plain policy of the component. */
    static String initialSource(Lab lab) {
        String file = Agents.baselineSource(lab);
        if (file == null) {
            file = switch (lab.component()) {
                case "router" -> "LeastLoadedRouter.java";
                case "batchPriority" -> "FirstComeFirstServed.java";
                default -> "ThroughputAutoscaler.java";
            };
        }
        return Resources.read("policies/" + file);
    }

    /** The Java source in a model's reply: its first ```java block, or the whole reply if it is bare code. */
    static String extract(String reply) {
        if (reply == null) {
            return null;
        }
        Matcher m = CODE.matcher(reply);
        if (m.find()) {
            return m.group(1);
        }
        return reply.contains("class ") ? reply : null;
    }

    /** Writes a sample into the workspace and judges it; garbage and failures are recorded, not thrown. */
    static Lab.Evaluation evaluate(Lab lab, Workspace workspace, String name, String reply, int seeds, Notebook notebook,
                                   String by) {
        String code = extract(reply);
        if (code == null) {
            notebook.add(Notebook.Kind.ERROR, name + ": the reply holds no Java code", String.valueOf(reply));
            return null;
        }
        String file = "candidates/" + name + ".java";
        workspace.write(file, code);
        Lab.Evaluation e = lab.evaluate(new Lab.Candidate(name, workspace.resolve(file).toString(), java.util.Map.of()),
                seeds, by);
        if (e.failed()) {
            notebook.add(Notebook.Kind.ERROR, name + " failed", e.failure());
        }
        return e;
    }

    static String score(Lab.Evaluation e, Objective objective) {
        return e == null || e.failed() ? "failed" : String.format(Locale.ROOT, "%s = %.4f%s", objective.metric(),
                e.mean(objective.metric()), objective.feasible(e.figures()) ? "" : " (violates a constraint)");
    }
}
