package dev.glia.metrics.fit;

import dev.glia.catalog.Resources;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;

/**
 * Metrics of a window → a scenario: arrivals from the gap histogram ({@link ArrivalFit}), lengths as quantile
 * tables ({@link LengthFit}), the engines from their cache configuration ({@link EngineFit}), the hardware and
 * model from options. Refuses windows with fewer than {@link FitOptions#minRequests()} requests.
 */
public final class WorkloadFit {
    /** The scenario (a normal one, validated by {@link ScenarioLoader}) and the report of how it was fitted. */
    public record Fitted(Scenario scenario, FitReport report) {
        /** The scenario file: the report as a comment, then the scenario. */
        public String yaml() {
            StringBuilder b = new StringBuilder();
            report.text().lines().forEach(l -> b.append("# ").append(l).append('\n'));
            try {
                String body = Resources.YAML.writeValueAsString(scenario);
                b.append(flowQuantiles(body.startsWith("---\n") ? body.substring(4) : body));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            return b.toString();
        }
    }

    private WorkloadFit() {
    }

    public static Fitted fit(Observations o, FitOptions options) {
        double window = o.window().toMillis() / 1000.0;
        String windowText = o.window().toString().substring(2).toLowerCase(Locale.ROOT);
        long prompts = Math.round(o.prompt() == null ? 0 : o.prompt().count().orElse(0));
        long outputs = Math.round(o.output() == null ? 0 : o.output().count().orElse(0));
        long gaps = Math.round(o.gaps() == null ? 0 : o.gaps().count().orElse(0));
        if (o.gaps() == null || o.gaps().buckets().isEmpty()) {
            throw new TooFewRequestsException("no glia_router_request_interarrival_seconds series in the " + windowText
                    + " ending " + o.end() + ": fitting needs a Glia router's metrics (this version or later) in this"
                    + " Prometheus. Check that Prometheus scrapes the router's /metrics and that --router-match picks"
                    + " its series.");
        }
        long requests = Math.min(prompts, gaps + 1);
        if (requests < options.minRequests() || outputs < options.minRequests()) {
            throw new TooFewRequestsException(String.format(Locale.ROOT, "only %d requests arrived and %d completed "
                    + "with a streamed output in the %s ending %s (%s): at least %d of each are needed to fit a "
                    + "workload. Widen --window, wait for more traffic, or lower --min-requests (the fit's "
                    + "quantiles and burstiness are then less certain; the report says by how much).", requests,
                    outputs, windowText, o.end(), o.promptMetric(), options.minRequests()));
        }
        ArrivalFit arrivals = ArrivalFit.fit(o.gaps(), options.timeScale());
        LengthFit prompt = LengthFit.of(o.promptMetric(), o.prompt());
        LengthFit output = LengthFit.of(o.outputMetric(), o.output());
        EngineFit engines = EngineFit.of(o.cacheConfigs());
        List<String> notes = new ArrayList<>(engines.notes());
        double windowRate = o.windowRate() / options.timeScale();
        DoubleSummaryStatistics overTime = o.rateOverTime().stream().filter(Double::isFinite)
                .mapToDouble(r -> r / options.timeScale()).summaryStatistics();
        if (overTime.getCount() > 0 && overTime.getMax() > 2 * Math.max(overTime.getMin(), 1e-9)) {
            notes.add(String.format(Locale.ROOT, "the rate varied from %.3g to %.3g/s over the window: the fitted "
                    + "process describes its gaps, not a trend (fit a shorter window for the current load)",
                    overTime.getMin(), overTime.getMax()));
        }
        if (!Double.isNaN(windowRate) && Math.abs(windowRate / arrivals.qps() - 1) > 0.2) {
            notes.add(String.format(Locale.ROOT, "the rate over the whole window (%.3g/s) differs from the rate between "
                    + "arrivals (%.3g/s): traffic started or stopped inside the window", windowRate, arrivals.qps()));
        }
        for (LengthFit side : List.of(prompt, output)) {
            LengthFit.Quantile p90 = side.check(0.9);
            if (p90.resolution() > 0.25) {
                notes.add(String.format(Locale.ROOT, "%s's buckets are coarse at p90 (%s, %s]: its quantiles are "
                        + "uncertain by up to %.0f%%", side.metric(), p90.bucketLow(), p90.bucketHigh(),
                        100 * p90.resolution()));
            }
        }
        if (engines.count() == 0) {
            notes.add("engine count unknown: the scenario has 1 replica");
        }

        Scenario.Arrivals a = switch (arrivals.process()) {
            case "lognormal" -> new Scenario.Arrivals("lognormal", round(arrivals.qps()), round(arrivals.parameter()),
                    null, null, null, null, null, null);
            case "gamma" -> new Scenario.Arrivals("gamma", round(arrivals.qps()), null, round(arrivals.parameter()),
                    null, null, null, null, null);
            default -> new Scenario.Arrivals("poisson", round(arrivals.qps()), null, null, null, null, null, null, null);
        };
        Scenario.Cluster cluster = new Scenario.Cluster(Math.max(1, engines.count()), options.gpu(), options.model(),
                null, null, engines.numBlocks(), engines.blockSize(), null, null, null, null, null, null);
        double duration = options.duration() != null ? options.duration() : window * options.timeScale();
        Scenario scenario = new Scenario(options.name(), String.format(Locale.ROOT,
                "Fitted by glia fit from %d requests over the %s ending %s.", requests, windowText, o.end()), 0L,
                duration, cluster, new Scenario.WorkloadSpec(a, new Scenario.Lengths(null,
                Scenario.Distribution.quantiles(prompt.table()), Scenario.Distribution.quantiles(output.table())),
                null, null), null, null);
        ScenarioLoader.complete(scenario, options.name(), Path.of("")); // the file must load as it is written
        FitReport report = new FitReport(window, o.end().toString(), options.timeScale(), arrivals, windowRate,
                overTime.getCount() > 0 ? overTime.getMin() : Double.NaN,
                overTime.getCount() > 0 ? overTime.getMax() : Double.NaN, prompt, output, engines, options.gpu(),
                options.model(), List.copyOf(notes));
        return new Fitted(scenario, report);
    }

    private static double round(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).doubleValue();
    }

    /** Writes each {@code quantiles:} block list on one line, {@code [1.0, 2.5, ...]}, so the file stays readable. */
    static String flowQuantiles(String yaml) {
        StringBuilder out = new StringBuilder();
        String[] lines = yaml.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            out.append(line);
            if (line.strip().equals("quantiles:")) {
                List<String> values = new ArrayList<>();
                while (i + 1 < lines.length && lines[i + 1].strip().startsWith("- ")) {
                    values.add(lines[++i].strip().substring(2));
                }
                out.append(" [").append(String.join(", ", values)).append(']');
            }
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }
}
