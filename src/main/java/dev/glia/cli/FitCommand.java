package dev.glia.cli;

import dev.glia.metrics.fit.FitOptions;
import dev.glia.metrics.fit.Observations;
import dev.glia.metrics.fit.TooFewRequestsException;
import dev.glia.metrics.fit.WorkloadFit;
import dev.glia.metrics.prometheus.PromQlException;
import dev.glia.metrics.prometheus.PrometheusClient;
import dev.glia.metrics.prometheus.WorkloadQueries;
import dev.glia.sim.RunWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "fit", mixinStandardHelpOptions = true,
        description = "Fit a scenario to live metrics: arrival rate and burstiness, prompt and output lengths, the "
                + "engines' KV capacity and count, read from Prometheus (the Glia router's and vLLM's series). Writes "
                + "a normal scenario file, replayable with glia simulate and glia load, and reports the fit's "
                + "uncertainty. See docs/fitting.md.")
public class FitCommand implements Callable<Integer> {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

    @Option(names = "--prometheus", required = true, paramLabel = "URL",
            description = "Prometheus' base URL, e.g. http://prometheus:9090.")
    URI prometheus;

    @Option(names = "--window", defaultValue = "1h", paramLabel = "DURATION",
            description = "How much history to fit, as PromQL writes durations: 90s, 30m, 1h, 1h30m (default: ${DEFAULT-VALUE}).")
    String window;

    @Option(names = "--end", paramLabel = "TIME",
            description = "The window's end, RFC 3339 (2026-01-31T12:00:00Z) or Unix seconds (default: now).")
    String end;

    @Option(names = "--gpu", defaultValue = "a10", description = "The engines' GPU: Prometheus does not say (default: ${DEFAULT-VALUE}).")
    String gpu;

    @Option(names = "--model", defaultValue = "llama-3-8b",
            description = "The served model, as the hardware catalog names it (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--name", defaultValue = "fitted", description = "The scenario's name (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the scenario (default: <name>.yaml).")
    Path out;

    @Option(names = "--router-match", defaultValue = "", paramLabel = "MATCHERS",
            description = "Label matchers for the router's series, as inside PromQL braces: job=\"glia-router\" (default: all).")
    String routerMatch;

    @Option(names = "--engine-match", defaultValue = "", paramLabel = "MATCHERS",
            description = "Label matchers for the engines' series: namespace=\"serving\",job=\"vllm\" (default: all).")
    String engineMatch;

    @Option(names = "--time-scale", defaultValue = "1", paramLabel = "X",
            description = "Engines X times faster than the wall clock (glia engine --time-scale); 1 for vLLM (default: ${DEFAULT-VALUE}).")
    double timeScale;

    @Option(names = "--min-requests", defaultValue = "" + FitOptions.DEFAULT_MIN_REQUESTS, paramLabel = "N",
            description = "Refuse to fit from fewer requests (default: ${DEFAULT-VALUE}).")
    int minRequests;

    @Option(names = "--duration", paramLabel = "S",
            description = "The scenario's duration in seconds of model time (default: the window's).")
    Double duration;

    @Option(names = "--timeout", defaultValue = "30", paramLabel = "S",
            description = "Seconds each query may take (default: ${DEFAULT-VALUE}).")
    double timeout;

    @Option(names = "--json", description = "Print the report as JSON instead of text.")
    boolean json;

    @Override
    public Integer call() {
        return Cli.guard(() -> {
            Duration w = duration(window);
            Instant at = end == null ? Instant.now() : instant(end);
            FitOptions options = new FitOptions(name, gpu, model, timeScale, minRequests, duration);
            PrometheusClient client = new PrometheusClient(prometheus, Duration.ofMillis((long) (timeout * 1000)));
            WorkloadFit.Fitted fitted;
            try {
                Observations observed = new WorkloadQueries(client, routerMatch, engineMatch).observe(at, w);
                fitted = WorkloadFit.fit(observed, options);
            } catch (PromQlException | TooFewRequestsException e) {
                System.err.println("error: " + e.getMessage());
                return 2;
            }
            Path file = out != null ? out : Path.of(name + ".yaml");
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            Files.writeString(file, fitted.yaml());
            if (json) {
                System.out.println(RunWriter.JSON.writeValueAsString(fitted.report()));
            } else {
                System.out.print(fitted.report().text());
                System.out.println("wrote " + file + "; replay it with: glia simulate --scenario " + file
                        + "  or  glia load --scenario " + file + " --url URL");
            }
            return 0;
        });
    }

    /** A PromQL duration (1h30m, 90s, 500ms), positive. */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.strip());
        Duration total = Duration.ZERO;
        int consumed = 0;
        while (m.find() && m.start() == consumed) {
            double v = Double.parseDouble(m.group(1));
            long unitMillis = switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> 86_400_000;
            };
            total = total.plusMillis(Math.round(v * unitMillis));
            consumed = m.end();
        }
        if (consumed == 0 || consumed != text.strip().length() || total.isZero()) {
            throw new IllegalArgumentException("--window must be a positive duration such as 90s, 30m, 1h or 1h30m, got '"
                    + text + "'");
        }
        return total;
    }

    static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                double seconds = Double.parseDouble(text);
                return Instant.ofEpochMilli(Math.round(seconds * 1000));
            } catch (NumberFormatException f) {
                throw new IllegalArgumentException("--end must be RFC 3339 (2026-01-31T12:00:00Z) or Unix seconds, got '"
                        + text + "'");
            }
        }
    }
}
