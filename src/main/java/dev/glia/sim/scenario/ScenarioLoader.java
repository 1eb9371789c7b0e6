package dev.glia.sim.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.glia.catalog.PolicyCatalog;
import dev.glia.catalog.Resources;
import dev.glia.vllm.BatchFormation;
import dev.glia.vllm.exec.Hardware;
import dev.glia.sim.scenario.Scenario.Arrivals;
import dev.glia.sim.scenario.Scenario.Autoscaling;
import dev.glia.sim.scenario.Scenario.Cluster;
import dev.glia.sim.scenario.Scenario.Distribution;
import dev.glia.sim.scenario.Scenario.Inflation;
import dev.glia.sim.scenario.Scenario.Lengths;
import dev.glia.sim.scenario.Scenario.Policies;
import dev.glia.sim.scenario.Scenario.Trace;
import dev.glia.sim.scenario.Scenario.WorkloadSpec;
import dev.glia.sim.workload.LengthTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/** Finds, parses, completes and validates scenarios; every problem is reported by field path. */
public final class ScenarioLoader {
    static final Set<String> PROCESSES = Set.of("poisson", "gamma", "lognormal", "sinusoid", "closed-loop");
    static final Set<String> DISTRIBUTIONS = Set.of("empirical", "lognormal", "fixed", "uniform", "quantiles");

    private ScenarioLoader() {
    }

    /** Bundled scenario names, sorted. */
    public static List<String> bundled() {
        String index = Resources.read("scenarios/index.txt");
        return index.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).sorted()
                .collect(Collectors.toList());
    }

    /** A path to a YAML file, or the name of a bundled scenario. */
    public static Scenario load(String nameOrFile) {
        Path file = Path.of(nameOrFile);
        String text;
        String source;
        Path base;
        if (Files.isRegularFile(file)) {
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read scenario " + file + ": " + e.getMessage(), e);
            }
            source = file.toString();
            base = file.toAbsolutePath().getParent();
        } else if (Resources.exists("scenarios/" + nameOrFile + ".yaml")) {
            text = Resources.read("scenarios/" + nameOrFile + ".yaml");
            source = nameOrFile;
            base = Path.of("");
        } else {
            throw new ScenarioException(nameOrFile, List.of("no such file, and no bundled scenario of that name;"
                    + " bundled scenarios: " + String.join(", ", bundled()) + " (see `glia scenarios`)"));
        }
        Scenario parsed = parse(text, source);
        if (parsed.name() == null) {
            String fileName = file.getFileName().toString();
            parsed = parsed.withName(fileName.replaceFirst("\\.ya?ml$", ""));
        }
        return complete(parsed, source, base);
    }

    /** Applies command-line overrides to a loaded scenario and validates the result again. */
    public static Scenario override(Scenario s, Double qps, Double duration, String router, String batchPriority,
                                    String autoscaler) {
        Scenario out = s;
        if (duration != null) {
            out = out.withDuration(duration);
        }
        if (qps != null) {
            Scenario.WorkloadSpec w = out.workload();
            if (w.trace() != null) {
                Trace rescaled = new Trace(w.trace().path(), qps);
                // a scenario that replayed the whole trace keeps replaying all of it at the new rate
                if (out.duration() >= WorkloadFactory.traceSpan(w.trace())) {
                    out = out.withDuration(WorkloadFactory.traceSpan(rescaled) + 1e-9);
                }
                w = new WorkloadSpec(null, null, w.inflation(), rescaled);
            } else {
                Arrivals a = w.arrivals();
                Arrivals changed = switch (a.process()) {
                    case "closed-loop" -> throw new ScenarioException(s.name(), List.of(
                            "--qps: the workload is a closed loop of " + a.users() + " users; its rate follows from the "
                                    + "cluster's speed (change workload.arrivals.users instead)"));
                    case "sinusoid" -> new Arrivals(a.process(), null, null, null, a.minQps() * qps / mid(a),
                            a.maxQps() * qps / mid(a), a.period(), null, null);
                    default -> new Arrivals(a.process(), qps, a.sigma(), a.cv(), null, null, null, null, null);
                };
                w = new WorkloadSpec(changed, w.lengths(), w.inflation(), null);
            }
            out = out.withWorkload(w);
        }
        if (router != null || batchPriority != null || autoscaler != null) {
            Policies p = out.policies();
            out = out.withPolicies(new Policies(router != null ? router : p.router(),
                    batchPriority != null ? batchPriority : p.batchPriority(),
                    autoscaler != null ? autoscaler : p.autoscaler(), p.parameters()));
        }
        return out == s ? s : complete(out, s.name(), Path.of(""));
    }

    /**
     * Sets the seconds of model time between a live router's scrapes ({@code glia simulate
     * --scrape-interval}) and validates the result again; null keeps the scenario's.
     */
    public static Scenario overrideScrapeInterval(Scenario s, Double seconds) {
        if (seconds == null) {
            return s;
        }
        return complete(s.withCluster(s.cluster().withScrapeInterval(seconds)), s.name(), Path.of(""));
    }

    private static double mid(Arrivals a) {
        return (a.minQps() + a.maxQps()) / 2;
    }

    public static Scenario parse(String yaml, String source) {
        try {
            Scenario s = Resources.YAML.readValue(yaml, Scenario.class);
            if (s == null) {
                throw new ScenarioException(source, List.of("the file is empty"));
            }
            return s;
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : "; known fields here: "
                    + e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new ScenarioException(source, List.of(path(e) + ": unknown field" + known));
        } catch (InvalidFormatException e) {
            throw new ScenarioException(source, List.of(path(e) + ": '" + e.getValue() + "' is not "
                    + article(e.getTargetType())));
        } catch (MismatchedInputException e) {
            throw new ScenarioException(source, List.of(path(e) + ": expected " + article(e.getTargetType())));
        } catch (JsonProcessingException e) {
            long line = e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked
                    && marked.getProblemMark() != null ? marked.getProblemMark().getLine() + 1
                    : e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new ScenarioException(source, List.of("not valid YAML: " + e.getOriginalMessage()
                    + (line > 0 ? " (line " + line + ")" : "")));
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String article(Class<?> type) {
        if (type == null) {
            return "a value of the right type";
        }
        return switch (type.getSimpleName()) {
            case "Integer", "int", "Long", "long" -> "an integer";
            case "Double", "double" -> "a number";
            case "String" -> "a string";
            default -> "a mapping (" + type.getSimpleName() + ")";
        };
    }

    /** Fills defaults and validates; the result has no missing field the engine needs. */
    public static Scenario complete(Scenario s, String source, Path base) {
        List<String> problems = new ArrayList<>();
        Cluster c = s.cluster() == null ? new Cluster(null, null, null, null, null, null, null, null, null, null,
                null, null, null) : s.cluster();
        String gpu = or(c.gpu(), "a10");
        String model = or(c.model(), "llama-3-8b");
        int tp = or(c.tensorParallel(), 1);
        String dtype = or(c.dtype(), "bf16");
        int blockSize = or(c.blockSize(), 16);
        int maxNumBatchedTokens = or(c.maxNumBatchedTokens(), 8192);
        double utilisation = or(c.gpuMemoryUtilization(), 0.9);
        int maxModelLen = or(c.maxModelLen(), 8192);
        String scheduler = or(c.scheduler(), BatchFormation.CHUNKED_PREFILL.label());
        check(problems, or(c.replicas(), 1) >= 1, "cluster.replicas: must be at least 1, got " + c.replicas());
        check(problems, Hardware.gpus().containsKey(gpu), "cluster.gpu: unknown gpu '" + gpu + "'; known: "
                + String.join(", ", Hardware.gpus().keySet()));
        check(problems, Hardware.models().containsKey(model), "cluster.model: unknown model '" + model
                + "'; known: " + String.join(", ", Hardware.models().keySet()));
        check(problems, Set.of(1, 2, 4, 8).contains(tp), "cluster.tensorParallel: must be 1, 2, 4 or 8, got " + tp);
        check(problems, Set.of("bf16", "fp8").contains(dtype), "cluster.dtype: must be bf16 or fp8, got '" + dtype + "'");
        check(problems, Set.of(8, 16, 32).contains(blockSize), "cluster.blockSize: must be 8, 16 or 32 (vLLM's choices), got " + blockSize);
        check(problems, or(c.maxNumSeqs(), 128) >= 1, "cluster.maxNumSeqs: must be at least 1, got " + c.maxNumSeqs());
        BatchFormation formation = null;
        try {
            formation = BatchFormation.named(scheduler);
            scheduler = formation.label();
        } catch (IllegalArgumentException e) {
            problems.add("cluster.scheduler: must be one of " + BatchFormation.names() + ", got '" + scheduler + "'");
        }
        check(problems, maxNumBatchedTokens >= 1, "cluster.maxNumBatchedTokens: must be at least 1, got " + maxNumBatchedTokens);
        check(problems, utilisation > 0 && utilisation <= 1,
                "cluster.gpuMemoryUtilization: must be in (0, 1], got " + utilisation);
        check(problems, maxModelLen >= 2, "cluster.maxModelLen: must be at least 2, got " + maxModelLen);
        Double scrape = c.scrapeInterval();
        check(problems, scrape == null || (scrape >= 0 && Double.isFinite(scrape)), "cluster.scrapeInterval: must be "
                + "finite seconds of model time, at least 0 (0 or absent: policies see the engines exactly), got " + scrape);
        if (formation == BatchFormation.PREFILL_FIRST) {
            check(problems, maxNumBatchedTokens >= maxModelLen, "cluster.maxNumBatchedTokens: the prefill-first scheduler "
                    + "prefills whole prompts, so it must be at least maxModelLen (" + maxModelLen + "), got "
                    + maxNumBatchedTokens);
        }
        Integer numBlocks = c.numBlocks();
        if (numBlocks == null && problems.isEmpty()) {
            numBlocks = Hardware.kvBlocks(gpu, model, tp, dtype, utilisation, blockSize, maxNumBatchedTokens);
            if (numBlocks <= 0) {
                problems.add("cluster: " + model + " does not fit on " + tp + "x " + gpu + " at gpuMemoryUtilization "
                        + utilisation + "; raise tensorParallel, use fp8, or pick a larger GPU");
            }
        }
        if (numBlocks != null && numBlocks > 0) {
            int usable = numBlocks - (int) (0.01 * numBlocks);
            check(problems, (long) usable * blockSize >= maxModelLen, "cluster.numBlocks: " + numBlocks
                    + " blocks of " + blockSize + " tokens cannot hold one request of maxModelLen " + maxModelLen
                    + " tokens; raise numBlocks or lower maxModelLen");
        } else if (c.numBlocks() != null) {
            problems.add("cluster.numBlocks: must be at least 1, got " + numBlocks);
        }
        Cluster cluster = new Cluster(or(c.replicas(), 1), gpu, model, tp, dtype, numBlocks, blockSize,
                or(c.maxNumSeqs(), 128), scheduler, maxNumBatchedTokens, utilisation, maxModelLen, scrape);

        WorkloadSpec workload = completeWorkload(s.workload(), base, problems);
        double duration = or(s.duration(), 600.0);
        if (s.duration() == null && workload.trace() != null && problems.isEmpty()) {
            try {
                duration = WorkloadFactory.traceSpan(workload.trace()) + 1e-9;
            } catch (IllegalArgumentException e) {
                problems.add("workload.trace: " + e.getMessage());
            }
        }
        check(problems, duration > 0, "duration: must be positive seconds, got " + duration);

        Policies p = s.policies() == null ? new Policies(null, null, null) : s.policies();
        String router = or(p.router(), "llq");
        check(problems, PolicyCatalog.known("router", router), "policies.router: unknown router '"
                + router + "'; known: " + String.join(", ", PolicyCatalog.names("router")) + ", or a .java file");
        String priority = or(p.batchPriority(), "fcfs");
        check(problems, PolicyCatalog.known("batchPriority", priority), "policies.batchPriority: unknown batch priority '"
                + priority + "'; known: " + String.join(", ", PolicyCatalog.names("batchPriority")) + ", or a .java file");
        check(problems, p.autoscaler() == null || PolicyCatalog.known("autoscaler", p.autoscaler()),
                "policies.autoscaler: unknown autoscaler '" + p.autoscaler() + "'; known: "
                        + String.join(", ", PolicyCatalog.names("autoscaler")) + ", or a .java file");
        Policies policies = new Policies(policyPath(base, router), policyPath(base, priority),
                p.autoscaler() == null ? null : policyPath(base, p.autoscaler()), p.parameters());

        Autoscaling autoscaling = s.autoscaling();
        if (autoscaling != null || p.autoscaler() != null) {
            Autoscaling a = autoscaling == null ? new Autoscaling(null, null, null, null) : autoscaling;
            autoscaling = new Autoscaling(or(a.interval(), 30.0), or(a.coldStart(), 60.0), or(a.minReplicas(), 1),
                    or(a.maxReplicas(), Math.max(16, cluster.replicas())));
            check(problems, autoscaling.interval() > 0, "autoscaling.interval: must be positive seconds, got " + autoscaling.interval());
            check(problems, autoscaling.coldStart() >= 0, "autoscaling.coldStart: must not be negative, got " + autoscaling.coldStart());
            check(problems, autoscaling.minReplicas() >= 1, "autoscaling.minReplicas: must be at least 1, got " + autoscaling.minReplicas());
            check(problems, autoscaling.maxReplicas() >= autoscaling.minReplicas(), "autoscaling.maxReplicas: must be at least minReplicas ("
                    + autoscaling.minReplicas() + "), got " + autoscaling.maxReplicas());
        }
        if (!problems.isEmpty()) {
            throw new ScenarioException(source, problems);
        }
        return new Scenario(s.name(), s.description(), or(s.seed(), 0L), duration, cluster, workload, policies, autoscaling);
    }

    private static WorkloadSpec completeWorkload(WorkloadSpec w, Path base, List<String> problems) {
        if (w == null) {
            w = new WorkloadSpec(null, null, null, null);
        }
        if (w.trace() != null) {
            Trace t = w.trace();
            if (t.path() == null) {
                problems.add("workload.trace.path: required (a CSV with arrived_at,num_prefill_tokens,num_decode_tokens)");
                return w;
            }
            Path path = base.resolve(t.path()).normalize();
            check(problems, Files.isReadable(path), "workload.trace.path: cannot read " + path);
            check(problems, t.qps() == null || t.qps() > 0, "workload.trace.qps: must be positive, got " + t.qps());
            check(problems, w.arrivals() == null && w.lengths() == null,
                    "workload: a trace brings its own arrivals and lengths; remove arrivals/lengths or the trace");
            return new WorkloadSpec(null, null, completeInflation(w.inflation(), problems),
                    new Trace(path.toString(), t.qps()));
        }
        Arrivals a = w.arrivals() == null
                ? new Arrivals("poisson", 1.0, null, null, null, null, null, null, null) : w.arrivals();
        String process = or(a.process(), "poisson");
        Arrivals arrivals = a;
        switch (process) {
            case "poisson" -> {
                positive(problems, "workload.arrivals.qps", a.qps());
                arrivals = new Arrivals(process, a.qps(), null, null, null, null, null, null, null);
            }
            case "lognormal" -> {
                positive(problems, "workload.arrivals.qps", a.qps());
                positive(problems, "workload.arrivals.sigma", a.sigma());
                arrivals = new Arrivals(process, a.qps(), a.sigma(), null, null, null, null, null, null);
            }
            case "gamma" -> {
                positive(problems, "workload.arrivals.qps", a.qps());
                positive(problems, "workload.arrivals.cv", a.cv());
                arrivals = new Arrivals(process, a.qps(), null, a.cv(), null, null, null, null, null);
            }
            case "sinusoid" -> {
                positive(problems, "workload.arrivals.minQps", a.minQps());
                positive(problems, "workload.arrivals.maxQps", a.maxQps());
                positive(problems, "workload.arrivals.period", a.period());
                if (a.minQps() != null && a.maxQps() != null) {
                    check(problems, a.maxQps() >= a.minQps(), "workload.arrivals.maxQps: must be at least minQps ("
                            + a.minQps() + "), got " + a.maxQps());
                }
                arrivals = new Arrivals(process, null, null, null, a.minQps(), a.maxQps(), a.period(), null, null);
            }
            case "closed-loop" -> {
                check(problems, a.users() != null && a.users() >= 1, "workload.arrivals.users: a closed loop needs at least 1 user, got " + a.users());
                double think = or(a.thinkTime(), 0.0);
                check(problems, think >= 0, "workload.arrivals.thinkTime: must not be negative, got " + think);
                arrivals = new Arrivals(process, null, null, null, null, null, null, a.users(), think);
            }
            default -> problems.add("workload.arrivals.process: unknown process '" + process + "'; known: "
                    + String.join(", ", PROCESSES.stream().sorted().toList()));
        }
        Lengths l = w.lengths() == null ? new Lengths("sharegpt", null, null) : w.lengths();
        Lengths lengths;
        if (l.table() != null) {
            check(problems, LengthTables.exists(l.table()), "workload.lengths.table: unknown table '" + l.table()
                    + "'; bundled: " + String.join(", ", LengthTables.bundled()));
            check(problems, l.prompt() == null && l.output() == null,
                    "workload.lengths: give either a table or prompt/output distributions, not both");
            lengths = new Lengths(l.table(), null, null);
        } else {
            lengths = new Lengths(null, completeDistribution(l.prompt(), "workload.lengths.prompt", problems),
                    completeDistribution(l.output(), "workload.lengths.output", problems));
        }
        return new WorkloadSpec(arrivals, lengths, completeInflation(w.inflation(), problems), null);
    }

    /** A policy file named relative to the scenario's folder, made absolute so the run finds it anywhere. */
    private static String policyPath(Path base, String name) {
        if (!name.endsWith(".java")) {
            return name;
        }
        Path file = base.resolve(name);
        return Files.isRegularFile(file) ? file.toAbsolutePath().normalize().toString() : name;
    }

    private static Distribution completeDistribution(Distribution d, String field, List<String> problems) {
        if (d == null) {
            problems.add(field + ": required when no table is given");
            return null;
        }
        String kind = or(d.distribution(), "empirical");
        switch (kind) {
            case "empirical" -> check(problems, d.table() != null && LengthTables.exists(d.table()),
                    field + ".table: unknown or missing table '" + d.table() + "'; bundled: "
                            + String.join(", ", LengthTables.bundled()));
            case "lognormal" -> {
                positive(problems, field + ".median", d.median());
                positive(problems, field + ".sigma", d.sigma());
            }
            case "fixed" -> check(problems, d.value() != null && d.value() >= 1,
                    field + ".value: must be at least 1 token, got " + d.value());
            case "uniform" -> check(problems, d.min() != null && d.max() != null && d.min() >= 1 && d.max() >= d.min(),
                    field + ": uniform needs 1 <= min <= max, got min " + d.min() + ", max " + d.max());
            case "quantiles" -> checkQuantiles(d.quantiles(), field + ".quantiles", problems);
            default -> problems.add(field + ".distribution: unknown distribution '" + kind + "'; known: "
                    + String.join(", ", DISTRIBUTIONS.stream().sorted().toList()));
        }
        return new Distribution(kind, d.table(), d.median(), d.sigma(), d.value(), d.min(), d.max(), d.quantiles());
    }

    /** An inline table: at least two finite values, the first at least 1 token, none smaller than the one before. */
    private static void checkQuantiles(List<Double> q, String field, List<String> problems) {
        if (q == null || q.size() < 2) {
            problems.add(field + ": needs at least 2 values (tokens at probabilities 0, 1/(n-1), ..., 1), got "
                    + (q == null ? "none" : q.size()));
            return;
        }
        for (int i = 0; i < q.size(); i++) {
            Double v = q.get(i);
            if (v == null || !Double.isFinite(v) || v < 1) {
                problems.add(field + "[" + i + "]: must be a finite number of tokens, at least 1, got " + v);
                return;
            }
            if (i > 0 && v < q.get(i - 1)) {
                problems.add(field + "[" + i + "]: " + v + " is smaller than the value before it (" + q.get(i - 1)
                        + "); quantiles never decrease");
                return;
            }
        }
    }

    private static Inflation completeInflation(Inflation i, List<String> problems) {
        if (i == null) {
            return null;
        }
        Inflation full = new Inflation(or(i.promptFraction(), 0.0), or(i.outputFraction(), 0.0),
                or(i.factor(), 10.0), or(i.cap(), 4096));
        check(problems, full.promptFraction() >= 0 && full.promptFraction() <= 1,
                "workload.inflation.promptFraction: must be in [0, 1], got " + full.promptFraction());
        check(problems, full.outputFraction() >= 0 && full.outputFraction() <= 1,
                "workload.inflation.outputFraction: must be in [0, 1], got " + full.outputFraction());
        check(problems, full.factor() >= 1, "workload.inflation.factor: must be at least 1, got " + full.factor());
        check(problems, full.cap() >= 1, "workload.inflation.cap: must be at least 1 token, got " + full.cap());
        return full;
    }

    private static void positive(List<String> problems, String field, Double value) {
        check(problems, value != null && value > 0, field + ": must be a positive number, got " + value);
    }

    private static void check(List<String> problems, boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
        }
    }

    private static <T> T or(T value, T fallback) {
        return Objects.requireNonNullElse(value, fallback);
    }
}
