package dev.glia.research.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glia.catalog.PolicyCatalog;
import dev.glia.policy.sandbox.PolicyRejected;
import dev.glia.policy.sandbox.PolicySource;
import dev.glia.research.BudgetExhausted;
import dev.glia.research.Lab;
import dev.glia.research.Notebook;
import dev.glia.research.Objective;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Researcher's tools, confined to its workspace and its lab. Every failure comes back as a
 * message the agent can act on; only an exhausted budget ends the context. Policies run are the
 * workspace's files, the baseline and the built-ins; reference policies only with the library.
 */
final class ResearchTools {
    /** What finish() asked for. */
    record Finish(String policy, Map<String, Double> parameters, String rationale) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Workspace workspace;
    private final Lab lab;
    private final Objective objective;
    private final Notebook notebook;
    private final Lab.Evaluation baseline;
    private final int fullSeeds;
    private final String context;
    private final boolean library;
    private final List<Lab.Evaluation> runs = new ArrayList<>();
    private final Set<String> written = new TreeSet<>();
    private Finish finish;

    ResearchTools(Workspace workspace, Lab lab, Objective objective, Notebook notebook, Lab.Evaluation baseline,
                  int fullSeeds, String context, boolean library) {
        this.workspace = workspace;
        this.lab = lab;
        this.objective = objective;
        this.notebook = notebook;
        this.baseline = baseline;
        this.fullSeeds = fullSeeds;
        this.context = context;
        this.library = library;
    }

    /** The experiments this context ran, in order. */
    List<Lab.Evaluation> runs() {
        return List.copyOf(runs);
    }

    /** The workspace files this context wrote. */
    Set<String> written() {
        return Set.copyOf(written);
    }

    /** The names run_experiment accepts besides workspace files. */
    List<String> names() {
        List<String> out = new ArrayList<>();
        for (String n : PolicyCatalog.names(lab.component())) {
            if (library || !PolicyCatalog.references().containsKey(n) || n.equals(baseline.candidate().policy())) {
                out.add(n);
            }
        }
        return out;
    }

    List<ToolSpecification> specifications() {
        return List.of(
                tool("list_files", "List the files of the workspace (or of one folder of it).",
                        JsonObjectSchema.builder().addStringProperty("path", "folder relative to the workspace; omit for all").build()),
                tool("read_file", "Read a text file of the workspace.",
                        JsonObjectSchema.builder().addStringProperty("path", "file relative to the workspace").required("path").build()),
                tool("write_file", "Create or replace a file of the workspace (policies go under policies/).",
                        JsonObjectSchema.builder().addStringProperty("path", "file relative to the workspace")
                                .addStringProperty("content", "the whole new content").required("path", "content").build()),
                tool("diff_files", "Show the line differences between two files of the workspace.",
                        JsonObjectSchema.builder().addStringProperty("a", "first file").addStringProperty("b", "second file")
                                .required("a", "b").build()),
                tool("compile_policy", "Compile a policy file and check it against the sandbox: its kind and parameters, or every error with line and column.",
                        JsonObjectSchema.builder().addStringProperty("path", "policy file, e.g. policies/MyRouter.java").required("path").build()),
                tool("run_experiment", "Run a policy on the scenario for the component under study. Costs one "
                                + "simulation per seed; code that does not compile costs nothing. Returns the figures "
                                + "(mean over seeds with 90% CI, latencies in seconds) and a run id.",
                        JsonObjectSchema.builder().addStringProperty("policy", "a policy file in the workspace (e.g. "
                                        + "policies/MyRouter.java) or one of: " + String.join(", ", names()))
                                .addProperty("parameters", JsonObjectSchema.builder().description("values for the policy's @Param knobs, by name").build())
                                .addIntegerProperty("seeds", "seeds to run, 1 to " + fullSeeds + " (default " + fullSeeds
                                        + "; 2-3 screen an idea cheaply)")
                                .required("policy").build()),
                tool("query_runs", "SQL (SELECT only, H2 dialect) over one run's logs: request_metrics, reqs_log, "
                                + "gs_log, batch_log of its first seed, and runs (every experiment so far). Columns and "
                                + "units:\n" + RunDatabase.SCHEMA,
                        JsonObjectSchema.builder().addStringProperty("run_id", "e.g. run-001").addStringProperty("sql", "a SELECT query")
                                .required("run_id", "sql").build()),
                tool("describe_system", "The task, the cluster and workload, the objective, the baseline's figures and the budget left.",
                        JsonObjectSchema.builder().build()),
                tool("notebook", "Record a hypothesis (with the evidence you expect), an observation, a finding or a decision.",
                        JsonObjectSchema.builder().addEnumProperty("kind", List.of("hypothesis", "observation", "finding", "decision"))
                                .addStringProperty("text", "what to record").required("kind", "text").build()),
                tool("finish", "End the research with the chosen policy and why it works. The policy is then "
                                + "judged on all " + fullSeeds + " seeds (" + fullSeeds + " simulations unless it "
                                + "already ran on them).",
                        JsonObjectSchema.builder().addStringProperty("policy", "the chosen policy file or reference name")
                                .addProperty("parameters", JsonObjectSchema.builder().description("its knob values").build())
                                .addStringProperty("rationale", "why it works, with the evidence").required("policy", "rationale").build()));
    }

    private static ToolSpecification tool(String name, String description, JsonObjectSchema parameters) {
        return ToolSpecification.builder().name(name).description(description).parameters(parameters).build();
    }

    Finish finish() {
        return finish;
    }

    void clearFinish() {
        finish = null;
    }

    /** Runs one tool call; the answer is what the agent reads next. */
    String execute(ToolExecutionRequest call) {
        JsonNode args;
        try {
            String raw = call.arguments() == null || call.arguments().isBlank() ? "{}" : call.arguments();
            args = JSON.readTree(raw);
            if (!args.isObject()) {
                return "error: arguments must be a JSON object, got " + raw;
            }
        } catch (JsonProcessingException e) {
            return "error: the arguments are not valid JSON (" + e.getOriginalMessage() + "); send a JSON object";
        }
        try {
            return switch (String.valueOf(call.name())) {
                case "list_files" -> String.join("\n", workspace.list(text(args, "path", false)));
                case "read_file" -> workspace.read(text(args, "path", true));
                case "write_file" -> {
                    workspace.write(text(args, "path", true), text(args, "content", true));
                    written.add(text(args, "path", true));
                    yield "wrote " + text(args, "path", true);
                }
                case "diff_files" -> workspace.diff(text(args, "a", true), text(args, "b", true));
                case "compile_policy" -> compile(text(args, "path", true));
                case "run_experiment" -> run(text(args, "policy", true), numbers(args.get("parameters")),
                        args.has("seeds") ? args.get("seeds").asInt(fullSeeds) : fullSeeds);
                case "query_runs" -> query(text(args, "run_id", true), text(args, "sql", true));
                case "describe_system" -> describe();
                case "notebook" -> {
                    String kind = text(args, "kind", true).toUpperCase(Locale.ROOT);
                    Notebook.Kind k = switch (kind) {
                        case "HYPOTHESIS", "OBSERVATION", "FINDING", "DECISION" -> Notebook.Kind.valueOf(kind);
                        default -> throw new ToolError("kind must be hypothesis, observation, finding or decision");
                    };
                    notebook.add(k, context + ": " + firstLine(text(args, "text", true)), text(args, "text", true));
                    yield "recorded";
                }
                case "finish" -> {
                    finish = new Finish(policyRef(text(args, "policy", true)), numbers(args.get("parameters")),
                            text(args, "rationale", true));
                    yield "finish requested";
                }
                default -> "error: unknown tool '" + call.name() + "'; tools: list_files, read_file, write_file, "
                        + "diff_files, compile_policy, run_experiment, query_runs, describe_system, notebook, finish";
            };
        } catch (ToolError e) {
            return "error: " + e.getMessage();
        } catch (BudgetExhausted e) {
            throw e;
        } catch (RuntimeException e) {
            return "error: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private String compile(String path) {
        try {
            PolicySource s = PolicySource.read(workspace.resolve(path));
            StringBuilder out = new StringBuilder("ok: " + s.kind().label() + " policy " + s.className() + "\n");
            for (PolicySource.Parameter p : s.parameters()) {
                out.append(String.format(Locale.ROOT, "  @Param %s %s = %s in [%s, %s] %s%n", p.type(), p.name(),
                        p.defaultValue(), p.min(), p.max(), p.description()));
            }
            return out.toString();
        } catch (PolicyRejected e) {
            return "error: " + e.getMessage();
        } catch (java.io.UncheckedIOException e) {
            throw new ToolError("no file '" + path + "'");
        }
    }

    /** A workspace file becomes an absolute path for the catalog; a name stays a name. */
    private String policyRef(String policy) {
        if (policy.endsWith(".java")) {
            Path file = workspace.resolve(policy);
            if (!Files.isRegularFile(file)) {
                throw new ToolError("no file '" + policy + "' in the workspace; write it under policies/ first");
            }
            return file.toString();
        }
        if (!names().contains(policy)) {
            throw new ToolError("no " + lab.component() + " named '" + policy + "'; you can run: "
                    + String.join(", ", names()) + ", or a .java file of the workspace");
        }
        return policy;
    }

    private String run(String policy, Map<String, Double> parameters, int seeds) {
        if (seeds < 1 || seeds > fullSeeds) {
            throw new ToolError("seeds must be between 1 and " + fullSeeds);
        }
        String ref = policyRef(policy);
        Lab.Evaluation e = lab.evaluate(Lab.Candidate.of(ref, parameters), seeds, context);
        runs.add(e);
        Map<String, Object> brief = Lab.brief(e, objective);
        brief.put("policy", policy); // as the agent named it, not the resolved path
        brief.put("simulationsLeft", lab.spend().simulationsLeft());
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(brief);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private String query(String runId, String sql) {
        Lab.Evaluation e = lab.run(runId).orElseThrow(() -> new ToolError("no run '" + runId + "'; runs so far: "
                + String.join(", ", lab.history().stream().map(Lab.Evaluation::runId).toList())));
        return RunDatabase.query(e, lab.history(), sql);
    }

    private String describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("task", "improve the " + lab.component() + " of scenario " + lab.scenario().name());
        d.put("objective", objective.toString());
        d.put("cluster", lab.scenario().cluster());
        d.put("workload", lab.scenario().workload());
        d.put("policies", lab.scenario().policies());
        d.put("baseline", Lab.brief(baseline, objective));
        d.put("judgedOnSeeds", fullSeeds);
        d.put("simulationsLeft", lab.spend().simulationsLeft());
        d.put("usdSpent", Math.round(lab.spend().usd() * 1e4) / 1e4);
        d.put("usdBudget", lab.spend().budget().usd());
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(d);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(JsonNode args, String field, boolean required) {
        JsonNode v = args.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new ToolError("missing argument '" + field + "'");
            }
            return null;
        }
        return v.isTextual() ? v.asText() : v.toString();
    }

    private static Map<String, Double> numbers(JsonNode node) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new ToolError("parameters must be an object of numbers, e.g. {\"safetyFraction\": 0.05}");
        }
        node.fields().forEachRemaining(f -> {
            JsonNode v = f.getValue();
            if (v.isNumber()) {
                out.put(f.getKey(), v.asDouble());
            } else if (v.isBoolean()) {
                out.put(f.getKey(), v.asBoolean() ? 1.0 : 0.0);
            } else {
                throw new ToolError("parameter " + f.getKey() + " must be a number, got " + v);
            }
        });
        return out;
    }

    static String firstLine(String text) {
        String line = text.lines().findFirst().orElse("").strip();
        return line.length() > 100 ? line.substring(0, 97) + "..." : line;
    }
}
