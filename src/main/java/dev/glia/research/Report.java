package dev.glia.research;

import dev.glia.catalog.PolicyCatalog;
import dev.glia.policy.sandbox.PolicySource;
import dev.glia.sim.Evidence;
import dev.glia.sim.metrics.Aggregate;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The session's report: what was asked, what won and by how much, pictures (latency CDF of
 * baseline and winner, best objective against simulations spent, where the time goes), the
 * winning design explained, and the hypothesis trail from the notebook.
 */
public final class Report {
    private static final Color BASELINE = LatencyCdf.GREY;
    private static final Color WINNER = LatencyCdf.BLUE;

    private Report() {
    }

    public static Path write(Path out, Optimization.Outcome outcome, Notebook notebook) {
        System.setProperty("java.awt.headless", "true");
        try {
            Files.createDirectories(out);
            Lab.Evaluation base = outcome.baseline();
            Lab.Evaluation best = outcome.best();
            cdf(out.resolve("latency-cdf.png"), base, best);
            progress(out.resolve("progress.png"), outcome);
            breakdown(out.resolve("breakdown.png"), base, best);
            Path report = out.resolve("report.md");
            Files.writeString(report, markdown(outcome, notebook));
            return report;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report in " + out + ": " + e.getMessage(), e);
        }
    }

    private static void cdf(Path file, Lab.Evaluation base, Lab.Evaluation best) throws IOException {
        LatencyCdf cdf = new LatencyCdf("End-to-end latency, all seeds", "end-to-end latency")
                .add("baseline: " + shortName(base), base.e2eSample(), BASELINE);
        if (best != base) {
            cdf.add("winner: " + shortName(best), best.e2eSample(), WINNER);
        }
        cdf.save(file);
    }

    /** The policy without its parameters, which the report's table lists. */
    private static String shortName(Lab.Evaluation e) {
        return e.candidate().label().replaceFirst("\\(.*", "");
    }

    private static void progress(Path file, Optimization.Outcome outcome) throws IOException {
        Objective objective = outcome.objective();
        XYChart chart = new XYChartBuilder().width(800).height(480).title("Best " + objective.metric() + " so far")
                .xAxisTitle("simulations used").yAxisTitle(objective.metric()).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        List<Double> tx = new ArrayList<>();
        List<Double> ty = new ArrayList<>();
        List<Double> bx = new ArrayList<>();
        List<Double> by = new ArrayList<>();
        double bestLoss = Double.POSITIVE_INFINITY;
        double bestValue = Double.NaN;
        for (Lab.Evaluation e : outcome.history()) {
            if (e.failed()) {
                continue;
            }
            double v = e.mean(objective.metric());
            tx.add((double) e.simulationsAfter());
            ty.add(v);
            if (!e.heldOut() && e.seeds() >= outcome.fullSeeds() && objective.loss(e.figures()) < bestLoss) {
                bestLoss = objective.loss(e.figures());
                bestValue = v;
            }
            if (!Double.isNaN(bestValue)) {
                if (!by.isEmpty() && by.get(by.size() - 1) != bestValue) {
                    bx.add((double) e.simulationsAfter()); // a step, not a slope
                    by.add(by.get(by.size() - 1));
                }
                bx.add((double) e.simulationsAfter());
                by.add(bestValue);
            }
        }
        if (tx.isEmpty()) {
            tx.add(0.0);
            ty.add(0.0);
        }
        XYSeries tried = chart.addSeries("each experiment", tx, ty);
        tried.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        tried.setMarkerColor(new Color(0xbbbbbb));
        if (!bx.isEmpty()) {
            XYSeries line = chart.addSeries("best on all the search's seeds", bx, by);
            line.setLineColor(WINNER);
            line.setMarker(SeriesMarkers.NONE);
            line.setLineStyle(new BasicStroke(2.5f));
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static void breakdown(Path file, Lab.Evaluation base, Lab.Evaluation best) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(800).height(480)
                .title("Where mean end-to-end latency goes").yAxisTitle("seconds").build();
        chart.getStyler().setStacked(true);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        List<String> names = new ArrayList<>();
        List<Double> queueing = new ArrayList<>();
        List<Double> engine = new ArrayList<>();
        for (Lab.Evaluation e : best == base ? List.of(base) : List.of(base, best)) {
            names.add(String.format(Locale.ROOT, "%s (%.0f%% restarted)", e == base ? "baseline" : "winner",
                    100 * e.mean("restartedFraction")));
            queueing.add(e.mean("queueDelay.mean"));
            engine.add(e.mean("e2e.mean") - e.mean("queueDelay.mean"));
        }
        chart.addSeries("queueing (global + engine queue)", names, queueing).setFillColor(new Color(0xff7f0e));
        chart.addSeries("in the engine (prefill, decode, recompute)", names, engine).setFillColor(WINNER);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    static String markdown(Optimization.Outcome o, Notebook notebook) {
        Objective objective = o.objective();
        Lab.Evaluation base = o.baseline();
        Lab.Evaluation best = o.best();
        StringBuilder md = new StringBuilder();
        md.append("# Glia research report: ").append(o.scenario()).append(" · ").append(o.component()).append("\n\n");
        md.append(String.format(Locale.ROOT, "Strategy `%s`, objective `%s`, %d of %d simulations, $%.2f, %.0f s.%n%n",
                o.strategy(), objective, o.simulationsUsed(), o.budget().simulations(), o.usd(), o.wallSeconds()));
        md.append("Stop reason: `").append(o.stop().code()).append('`')
                .append(o.stop().detail() == null || o.stop().detail().isBlank() ? "" : " (" + o.stop().detail() + ")")
                .append(".\n\n");
        md.append(o.library() ? "The search could use the bundled reference policies (the tuner's families; for "
                + "agents, `--library`).\n\n" : "The strategy started from the baseline and the policy API only; "
                + "the reference library was not offered.\n\n");
        md.append("The search ran on seeds ").append(o.searchSeeds()).append("; ").append(o.heldOutSeeds() == null
                ? "nothing beat the baseline there, so nothing was judged on held-out seeds."
                : "the winner and the baseline were judged on held-out seeds " + o.heldOutSeeds()
                        + ", which played no part in the search.").append("\n\n");
        md.append("## Result\n\n");
        md.append("| | policy | seeds | ").append(objective.metric())
                .append(" | 90% CI | restarted | queueing | p90 TTFT | GPU-hours |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        row(md, "baseline", base, objective);
        if (best != base) {
            row(md, "winner", best, objective);
        }
        if (o.searchBest() != o.searchBaseline()) {
            row(md, "baseline (search)", o.searchBaseline(), objective);
            row(md, "best of the search", o.searchBest(), objective);
        }
        md.append('\n');
        if (best == base) {
            md.append(o.searchBest() == o.searchBaseline() ? "Nothing beat the baseline within the budget.\n\n"
                    : "The best of the search, " + o.searchBest().candidate().label()
                            + ", did not beat the baseline on the held-out seeds; the baseline stays.\n\n");
        } else {
            Aggregate.Stat b = base.figures().get(objective.metric());
            Aggregate.Stat w = best.figures().get(objective.metric());
            md.append(String.format(Locale.ROOT, "On held-out seeds the winner's %s is **%.2f×** the baseline's, %s.%n%n",
                    objective.metric(), w.mean() / b.mean(), objective.clearlyBetter(best.figures(), base.figures())
                            ? "with the 90% confidence intervals apart" : "but the confidence intervals overlap"));
        }
        md.append("### Tails (seconds)\n\n| | ").append(String.join(" | ", Evidence.TAILS)).append(" |\n|---|");
        md.append("---|".repeat(Evidence.TAILS.size())).append('\n');
        tails(md, "baseline", base);
        if (best != base) {
            tails(md, "winner", best);
        }
        md.append('\n');
        if (!o.tailRegressions().isEmpty()) {
            md.append("**The winner makes a tail more than 10% worse:** ").append(String.join("; ", o.tailRegressions()))
                    .append(".\n\n");
        }
        md.append("![latency CDF](latency-cdf.png)\n\n![progress](progress.png)\n\n![breakdown](breakdown.png)\n\n");
        if (best != base) {
            md.append("## The design\n\n").append(design(best)).append("\n\n");
        }
        md.append("## Research trail\n\n").append(notebook.markdown());
        md.append("## Experiments\n\n| run | by | candidate | seeds | ").append(objective.metric()).append(" | restarted | note |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (Lab.Evaluation e : o.history()) {
            md.append("| ").append(e.runId()).append(" | ").append(e.by()).append(" | ")
                    .append(e.candidate().label().replace("|", "\\|")).append(" | ").append(e.seedSet()).append(" | ");
            if (e.failed()) {
                md.append("— | — | failed: ").append(Notebook.clip(e.failure().lines().findFirst().orElse(""), 300)
                        .replace("|", "\\|")).append(" |\n");
            } else {
                md.append(String.format(Locale.ROOT, "%.3f | %.1f%% | %s |%n", e.mean(objective.metric()),
                        100 * e.mean("restartedFraction"), objective.feasible(e.figures()) ? "" : "violates a constraint"));
            }
        }
        md.append("\nFiles: `transcript.jsonl` (every step), `runs/run-NNN/` (config, summary, first seed's logs, "
                        + "the policy source as it ran)")
                .append(o.artifact() == null ? "" : ", `" + o.artifact().getFileName() + "` (the GliaPolicy with its evidence)")
                .append(".\n");
        return md.toString();
    }

    private static void tails(StringBuilder md, String role, Lab.Evaluation e) {
        md.append("| ").append(role).append(" |");
        for (String t : Evidence.TAILS) {
            md.append(String.format(Locale.ROOT, " %.2f |", e.mean(t)));
        }
        md.append('\n');
    }

    private static void row(StringBuilder md, String role, Lab.Evaluation e, Objective objective) {
        Aggregate.Stat m = e.figures().get(objective.metric());
        md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.3f | [%.3f, %.3f] | %.1f%% | %.2f s | %.2f s | %.2f |%n", role,
                e.candidate().label().replace("|", "\\|"), e.seedSet(), m.mean(), m.lo(), m.hi(), 100 * e.mean("restartedFraction"),
                e.mean("queueDelay.mean"), e.mean("ttft.p90"), e.mean("gpuHours")));
    }

    /** The winning policy's own description, from the source it ran: its class comment, and the parameters chosen. */
    private static String design(Lab.Evaluation best) {
        String policy = best.candidate().policy();
        if (best.source() == null) {
            return "Built-in policy `" + policy + "`.";
        }
        PolicySource source = PolicyCatalog.source(best.source().toString());
        Matcher m = Pattern.compile("/\\*\\*(.*?)\\*/\\s*public\\s+(?:final\\s+)?class", Pattern.DOTALL).matcher(source.source());
        StringBuilder out = new StringBuilder();
        if (m.find()) {
            out.append(m.group(1).lines().map(l -> l.replaceFirst("^\\s*\\*\\s?", "")).map(l -> l.replace("<p>", ""))
                    .map(l -> l.replaceAll("\\{@code ([^}]*)}", "`$1`")).reduce((a, b) -> a + "\n" + b).orElse("").strip());
            out.append("\n\n");
        }
        out.append("Parameters: ");
        List<String> ps = new ArrayList<>();
        for (PolicySource.Parameter p : source.parameters()) {
            double v = PolicyCatalog.parametersAsRun(policy.endsWith(".java") ? best.source().toString() : policy,
                    best.candidate().parameters()).getOrDefault(p.name(), p.defaultValue());
            ps.add(String.format(Locale.ROOT, "`%s = %s` (%s)", p.name(), v == Math.rint(v) ? String.valueOf((long) v)
                    : String.valueOf(v), p.description()));
        }
        out.append(ps.isEmpty() ? "none" : String.join(", ", ps)).append(". Source sha256 `").append(source.sha256())
                .append("`.");
        return out.toString();
    }
}
