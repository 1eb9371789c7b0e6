package dev.glia.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glia.sim.Experiment;
import dev.glia.sim.PolicySet;
import dev.glia.sim.RunWriter;
import dev.glia.sim.metrics.Aggregate;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Simulate a scenario under a routing policy for K seeds; print mean ± 90%% CI and write the run directory.")
public class SimulateCommand implements Callable<Integer> {
    @Option(names = "--scenario", required = true, paramLabel = "NAME|FILE",
            description = "A bundled scenario (see `glia scenarios`) or a YAML file.")
    String scenario;

    @Option(names = "--router", paramLabel = "NAME|FILE",
            description = "Router: llq, lor, round-robin, random, least-kv, hra, hra-spf, or a .java policy (default: the scenario's).")
    String router;

    @Option(names = "--batch-priority", paramLabel = "NAME|FILE", description = "Batch priority: fcfs, spf, or a .java policy (default: the scenario's).")
    String batchPriority;

    @Option(names = "--autoscaler", paramLabel = "NAME|FILE", description = "Autoscaler (default: the scenario's).")
    String autoscaler;

    @Option(names = "--param", paramLabel = "NAME=VALUE", description = "Set a policy parameter (repeatable); see `glia policy check`.")
    Map<String, Double> parameters = new LinkedHashMap<>();

    @Option(names = "--seeds", defaultValue = "10", description = "Independent workload seeds (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--qps", description = "Override the arrival rate (requests/s).")
    Double qps;

    @Option(names = "--duration", paramLabel = "S", description = "Override the seconds of arrivals.")
    Double duration;

    @Option(names = "--scrape-interval", paramLabel = "S",
            description = {"Override cluster.scrapeInterval: seconds of model time between a live router's scrapes of "
                    + "each engine's /metrics, so policies see what `glia router` will see (0: exact views).",
                    "A router scraping every 50 ms of wall clock in front of engines at --time-scale 10 sees a scrape "
                            + "every 0.5 s of model time: --scrape-interval 0.5."})
    Double scrapeInterval;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/<scenario>-<router>).")
    Path out;

    @Option(names = "--threads", description = "Seeds simulated at once (default: all cores).")
    Integer threads;

    @Option(names = "--json", description = "Print one JSON object instead of the readable summary.")
    boolean json;

    @Option(names = "--isolate", description = "Run in a child JVM with a heap limit, a wall-clock limit and an empty environment.")
    boolean isolate;

    @Option(names = "--isolate-heap", defaultValue = "2g", description = "Heap of the isolated JVM (default: ${DEFAULT-VALUE}).")
    String isolateHeap;

    @Option(names = "--isolate-timeout", defaultValue = "600", paramLabel = "S",
            description = "Wall-clock limit of the isolated run in seconds (default: ${DEFAULT-VALUE}).")
    long isolateTimeout;

    @Option(names = "--isolate-cpu", defaultValue = "1800", paramLabel = "S",
            description = "CPU-time limit of the isolated run in seconds, all threads together (default: ${DEFAULT-VALUE}).")
    long isolateCpu;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return Cli.guard(() -> {
            if (isolate) {
                return Isolation.run(childArguments(), isolateHeap, isolateTimeout, isolateCpu);
            }
            if (seeds < 1) {
                throw new IllegalArgumentException("--seeds must be at least 1, got " + seeds);
            }
            Scenario s = ScenarioLoader.overrideScrapeInterval(ScenarioLoader.override(ScenarioLoader.load(scenario),
                    qps, duration, router, batchPriority, autoscaler), scrapeInterval);
            PolicySet policies = PolicySet.of(s, parameters);
            Experiment.Result result;
            try (Progress progress = new Progress("simulating " + s.name(), seeds)) {
                result = new Experiment(s).run(seeds, policies.factories(),
                        threads != null ? threads : Runtime.getRuntime().availableProcessors(), progress::done);
            }
            Map<String, String> names = new LinkedHashMap<>();
            names.put("router", policies.router().name());
            names.put("batchPriority", policies.batchPriority().name());
            if (policies.autoscaler() != null) {
                names.put("autoscaler", policies.autoscaler().name());
            }
            Path dir = out != null ? out : Path.of("runs", s.name() + "-" + fileSafe(policies.router().name()));
            RunWriter.write(dir, result, policies.describe());
            if (json) {
                System.out.println(RunWriter.JSON.writeValueAsString(jsonSummary(result, names, dir)));
            } else {
                print(result, names, dir);
            }
            return 0;
        });
    }

    static ObjectNode jsonSummary(Experiment.Result r, Map<String, String> policies, Path dir) {
        Map<String, Aggregate.Stat> a = r.aggregate();
        ObjectNode o = RunWriter.JSON.createObjectNode();
        o.put("scenario", r.scenario().name());
        policies.forEach(o::put);
        o.put("seeds", r.runs().size());
        o.put("requests", Math.round(sum(r, "requests")));
        o.put("completed", Math.round(sum(r, "completed")));
        for (String latency : new String[] {"e2e", "ttft", "tpot", "queueDelay", "slowdown"}) {
            ObjectNode m = o.putObject(latency);
            for (String stat : new String[] {"mean", "p50", "p90", "p95", "p99"}) {
                m.put(stat, round(a.get(latency + "." + stat).mean()));
            }
            Aggregate.Stat mean = a.get(latency + ".mean");
            m.putArray("ci90").add(round(mean.lo())).add(round(mean.hi()));
        }
        o.put("restartedFraction", round(a.get("restartedFraction").mean()));
        o.put("restartsPerRequest", round(a.get("restartsPerRequest").mean()));
        o.put("throughput", round(a.get("throughput").mean()));
        o.put("gpuHours", round(sum(r, "gpuHours")));
        o.put("wallSeconds", round(r.wallSeconds()));
        o.put("out", dir.toString());
        return o;
    }

    private static double sum(Experiment.Result r, String key) {
        return r.runs().stream().mapToDouble(run -> run.summary().get(key)).sum();
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v;
    }

    private static void print(Experiment.Result r, Map<String, String> policies, Path dir) {
        Map<String, Aggregate.Stat> a = r.aggregate();
        long requests = Math.round(sum(r, "requests"));
        long completed = Math.round(sum(r, "completed"));
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%s · router %s%s · %d seed%s · %,d requests%s · %.2f s wall%n",
                r.scenario().name(), policies.get("router"),
                policies.containsKey("autoscaler") ? " · autoscaler " + policies.get("autoscaler") : "",
                r.runs().size(), r.runs().size() == 1 ? "" : "s", requests,
                completed == requests ? " (all completed)" : String.format(Locale.ROOT, " (%,d NOT completed)", requests - completed),
                r.wallSeconds()));
        out.append(String.format(Locale.ROOT, "%n  %-16s %9s  %-19s %9s %9s %9s%n", "", "mean", "90% CI", "p50", "p90", "p99"));
        row(out, a, "e2e (s)", "e2e", 1);
        row(out, a, "ttft (s)", "ttft", 1);
        row(out, a, "tpot (ms)", "tpot", 1000);
        row(out, a, "queue delay (s)", "queueDelay", 1);
        row(out, a, "slowdown (x)", "slowdown", 1);
        out.append(String.format(Locale.ROOT, "%n  restarts         %.1f%% of requests restarted, %.2f restarts per request%n",
                100 * a.get("restartedFraction").mean(), a.get("restartsPerRequest").mean()));
        if (a.get("e2eRestarted.mean").perSeed().length > 0 && !Double.isNaN(a.get("e2eRestarted.mean").mean())) {
            out.append(String.format(Locale.ROOT, "  e2e restarted    %.2f s vs %.2f s for requests never restarted%n",
                    a.get("e2eRestarted.mean").mean(), a.get("e2eNotRestarted.mean").mean()));
        }
        out.append(String.format(Locale.ROOT, "  queueing         %.0f%% of mean e2e%n",
                100 * a.get("queueDelay.mean").mean() / a.get("e2e.mean").mean()));
        out.append(String.format(Locale.ROOT, "  throughput       %.2f req/s, %.0f output tokens/s; %.2f GPU-hours in all%n",
                a.get("throughput").mean(), a.get("outputTokensPerSecond").mean(), sum(r, "gpuHours")));
        out.append(String.format(Locale.ROOT, "%n  run directory    %s (config.json, summary.json, seed-*/request_metrics.csv, "
                + "reqs_log.csv, gs_log.csv, batch_log.csv)%n", dir));
        System.out.print(out);
    }

    private static void row(StringBuilder out, Map<String, Aggregate.Stat> a, String label, String key, double scale) {
        Aggregate.Stat mean = a.get(key + ".mean");
        out.append(String.format(Locale.ROOT, "  %-16s %9.2f  [%7.2f, %8.2f] %9.2f %9.2f %9.2f%n", label,
                mean.mean() * scale, mean.lo() * scale, mean.hi() * scale,
                a.get(key + ".p50").mean() * scale, a.get(key + ".p90").mean() * scale, a.get(key + ".p99").mean() * scale));
    }

    /** This command line without the isolation options, for the child. */
    private java.util.List<String> childArguments() {
        java.util.List<String> args = new java.util.ArrayList<>();
        java.util.List<String> original = spec.commandLine().getParseResult().originalArgs();
        for (int i = 0; i < original.size(); i++) {
            String a = original.get(i);
            if (a.equals("--isolate-heap") || a.equals("--isolate-timeout") || a.equals("--isolate-cpu")) {
                i++; // and its value
            } else if (!a.startsWith("--isolate")) {
                args.add(a);
            }
        }
        return args;
    }

    private static String fileSafe(String policy) {
        return Path.of(policy).getFileName().toString().replaceFirst("\\.java$", "");
    }
}
