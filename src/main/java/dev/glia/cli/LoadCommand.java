package dev.glia.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glia.load.Endpoint;
import dev.glia.load.ErrorKind;
import dev.glia.load.LoadGenerator;
import dev.glia.load.LoadOptions;
import dev.glia.load.LoadRun;
import dev.glia.load.LoadRunWriter;
import dev.glia.load.RequestPlan;
import dev.glia.sim.Experiment;
import dev.glia.sim.RunWriter;
import dev.glia.sim.engine.ClusterConfig;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Replay a scenario's workload (one seed) against an OpenAI-compatible server (vLLM, the Glia "
                + "router, glia engine) and write the same run directory as glia simulate, measured client-side.")
public class LoadCommand implements Callable<Integer> {
    @Option(names = "--scenario", required = true, paramLabel = "NAME|FILE",
            description = "A bundled scenario (see `glia scenarios`) or a YAML file.")
    String scenario;

    @Option(names = "--seed", description = "Workload seed (default: the scenario's, i.e. seed-<s> of glia simulate).")
    Long seed;

    @Option(names = "--url", required = true, split = ",", paramLabel = "URL",
            description = "Base URL of the server, e.g. http://localhost:8000. Repeat it (or separate with commas) to"
                    + " spread the load over several servers: each request goes to the one with the fewest requests"
                    + " in flight from this client.")
    List<URI> urls;

    @Option(names = "--model", description = "Model to ask for (default: the first of GET /v1/models).")
    String model;

    @Option(names = "--endpoint", defaultValue = "completions", paramLabel = "completions|chat",
            description = "completions (token-ID prompts, exact lengths) or chat (filler text, approximate prompt "
                    + "lengths) (default: ${DEFAULT-VALUE}).")
    String endpoint;

    @Option(names = "--time-scale", defaultValue = "1", paramLabel = "X",
            description = "Send arrivals X times faster (gaps / X) and report latencies × X, for a server whose model "
                    + "time runs X times faster than the wall clock (default: ${DEFAULT-VALUE}).")
    double timeScale;

    @Option(names = "--requests", paramLabel = "N", description = "Send only the first N requests of the plan.")
    Integer requests;

    @Option(names = "--duration", paramLabel = "S", description = "Override the scenario's seconds of arrivals (model time).")
    Double duration;

    @Option(names = "--max-concurrency", defaultValue = "1024", paramLabel = "N",
            description = "Requests in flight at most; later sends wait (default: ${DEFAULT-VALUE}).")
    int maxConcurrency;

    @Option(names = "--retries", defaultValue = "0", paramLabel = "N",
            description = "Retries of a request refused or lost before its first token (429, 503, 5xx, connection), "
                    + "after Retry-After or an exponential back-off from 0.5 s (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--timeout", defaultValue = "600", paramLabel = "S",
            description = "Wall seconds an attempt may take to its last token (default: ${DEFAULT-VALUE}).")
    double timeout;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/<scenario>-load).")
    Path out;

    @Option(names = "--warmup", defaultValue = "0", paramLabel = "N",
            description = "Send N short requests at once before the plan, unmeasured: connections open and a cold"
                    + " server's first requests out of the figures (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--progress", description = "Show sent/completed/failed/in-flight on stderr while running.")
    boolean progress;

    @Option(names = "--json", description = "Print one JSON object instead of the readable summary.")
    boolean json;

    @Override
    public Integer call() {
        return Cli.guard(() -> {
            Endpoint api = switch (endpoint) {
                case "completions" -> Endpoint.COMPLETIONS;
                case "chat" -> Endpoint.CHAT;
                default -> throw new IllegalArgumentException("--endpoint must be completions or chat, got " + endpoint);
            };
            if (warmup < 0) {
                throw new IllegalArgumentException("--warmup must be 0 or more requests, got " + warmup);
            }
            if (requests != null && requests < 1) {
                throw new IllegalArgumentException("--requests must be at least 1, got " + requests);
            }
            Scenario s = ScenarioLoader.override(ScenarioLoader.load(scenario), null, duration, null, null, null);
            long workloadSeed = seed != null ? seed : s.seed();
            LoadOptions options = new LoadOptions(urls, model, api, timeScale, maxConcurrency, retries, timeout);
            RequestPlan plan = RequestPlan.of(s, workloadSeed, requests != null ? requests : Integer.MAX_VALUE);
            LoadRun run;
            String target;
            try (LoadGenerator generator = new LoadGenerator(options)) {
                target = model != null ? model : generator.firstModel();
                generator.warmUp(warmup, target);
                try (Progress p = progress ? new Progress("load " + s.name(), () -> status(generator)) : null) {
                    run = generator.run(plan, target);
                }
            }
            ClusterConfig engine = Experiment.engineConfig(s);
            Path dir = out != null ? out : Path.of("runs", s.name() + "-load");
            Map<String, Double> summary = LoadRunWriter.write(dir, s, workloadSeed, engine, describe(options, target),
                    run);
            if (json) {
                System.out.println(RunWriter.JSON.writeValueAsString(json(s, workloadSeed, summary, run, dir)));
            } else {
                print(s, workloadSeed, target, summary, run, dir);
            }
            return 0;
        });
    }

    private static String status(LoadGenerator g) {
        double elapsed = g.elapsedSeconds();
        return String.format(Locale.ROOT, "%d sent, %d completed, %d failed, %d in flight, %.2f req/s", g.sent(),
                g.completed(), g.failed(), g.inFlight(), elapsed > 0 ? g.sent() / elapsed : 0.0);
    }

    private Map<String, Object> describe(LoadOptions o, String target) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("url", o.urls().size() == 1 ? o.url().toString() : o.urls().stream().map(URI::toString).toList());
        d.put("model", target);
        d.put("endpoint", endpoint);
        d.put("timeScale", o.timeScale());
        d.put("requests", requests);
        d.put("maxConcurrency", o.maxConcurrency());
        d.put("retries", o.retries());
        d.put("timeoutSeconds", o.timeoutSeconds());
        return d;
    }

    private static ObjectNode json(Scenario s, long seed, Map<String, Double> summary, LoadRun run, Path dir) {
        ObjectNode o = RunWriter.JSON.createObjectNode();
        o.put("scenario", s.name());
        o.put("seed", seed);
        o.put("requests", Math.round(summary.get("requests")));
        o.put("completed", Math.round(summary.get("completed")));
        o.put("failed", Math.round(summary.get("failed")));
        o.put("retries", run.retries());
        o.put("shortOutputs", Math.round(summary.get("shortOutputs")));
        for (String latency : new String[] {"e2e", "ttft", "tpot", "itl"}) {
            ObjectNode m = o.putObject(latency);
            summary.forEach((k, v) -> {
                if (k.startsWith(latency + ".")) {
                    m.put(k.substring(latency.length() + 1), v);
                }
            });
        }
        ObjectNode errors = o.putObject("errorsByKind");
        for (ErrorKind kind : ErrorKind.values()) {
            errors.put(kind.key(), run.errors().getOrDefault(kind, 0));
        }
        o.put("achievedRate", summary.get("achievedRate"));
        o.put("throughput", summary.get("throughput"));
        o.put("wallSeconds", run.wallSeconds());
        o.put("out", dir.toString());
        return o;
    }

    private static void print(Scenario s, long seed, String model, Map<String, Double> a, LoadRun run, Path dir) {
        StringBuilder out = new StringBuilder();
        long requests = Math.round(a.get("requests"));
        long failed = Math.round(a.get("failed"));
        out.append(String.format(Locale.ROOT, "%s · seed %d · model %s · %,d requests%s · %.2f s wall%s%n", s.name(), seed,
                model, requests, failed == 0 ? " (all completed)" : String.format(Locale.ROOT, " (%,d FAILED)", failed),
                run.wallSeconds(), run.timeScale() == 1 ? "" : " · time scale " + run.timeScale() + "x"));
        out.append(String.format(Locale.ROOT, "%n  %-16s %9s %9s %9s %9s%n", "", "mean", "p50", "p90", "p99"));
        row(out, a, "e2e (s)", "e2e", 1);
        row(out, a, "ttft (s)", "ttft", 1);
        row(out, a, "tpot (ms)", "tpot", 1000);
        out.append(String.format(Locale.ROOT, "  %-16s %9.2f %9.2f %9s %9.2f%n", "itl (ms)", a.get("itl.mean") * 1000,
                a.get("itl.p50") * 1000, "", a.get("itl.p99") * 1000));
        row(out, a, "slowdown (x)", "slowdown", 1);
        StringBuilder errors = new StringBuilder();
        run.errors().forEach((kind, n) -> errors.append(errors.length() == 0 ? "" : ", ").append(n).append(' ')
                .append(kind.key()));
        out.append(String.format(Locale.ROOT, "%n  errors           %s%s%n", errors.length() == 0 ? "none" : errors,
                run.retries() == 0 ? "" : " (" + run.retries() + " retries)"));
        long shortOutputs = Math.round(a.get("shortOutputs"));
        if (shortOutputs > 0) {
            out.append(String.format(Locale.ROOT, "  WARNING          %,d completed requests got fewer tokens than planned: does the"
                    + " server honour ignore_eos, and is its max_model_len the scenario's?%n", shortOutputs));
        }
        out.append(String.format(Locale.ROOT, "  rate             %.2f req/s sent, %.2f req/s completed, %.0f output tokens/s;"
                + " sends %.3f s late at p99%n", a.get("achievedRate"), a.get("throughput"), a.get("outputTokensPerSecond"),
                a.get("sendLag.p99")));
        out.append(String.format(Locale.ROOT, "%n  run directory    %s (config.json, summary.json, seed-%d/request_metrics.csv, "
                + "load_log.csv)%n", dir, seed));
        System.out.print(out);
    }

    private static void row(StringBuilder out, Map<String, Double> a, String label, String key, double scale) {
        out.append(String.format(Locale.ROOT, "  %-16s %9.2f %9.2f %9.2f %9.2f%n", label, a.get(key + ".mean") * scale,
                a.get(key + ".p50") * scale, a.get(key + ".p90") * scale, a.get(key + ".p99") * scale));
    }
}
