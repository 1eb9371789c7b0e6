package dev.glia.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glia.research.LatencyCdf;
import dev.glia.sim.RunDirectory;
import dev.glia.sim.RunWriter;
import dev.glia.sim.metrics.Aggregate;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Put two run directories side by side: every headline figure with its 90% CI and the ratio, "
                + "and their latency CDFs in one picture.")
public class CompareCommand implements Callable<Integer> {
    /** The headline figures, with their unit and scale for printing. */
    private record Figure(String key, String label, double scale) {
    }

    private static final List<Figure> FIGURES = List.of(new Figure("e2e.mean", "e2e mean (s)", 1),
            new Figure("e2e.p50", "e2e p50 (s)", 1), new Figure("e2e.p90", "e2e p90 (s)", 1),
            new Figure("e2e.p99", "e2e p99 (s)", 1), new Figure("ttft.mean", "ttft mean (s)", 1),
            new Figure("ttft.p90", "ttft p90 (s)", 1), new Figure("ttft.p99", "ttft p99 (s)", 1),
            new Figure("tpot.mean", "tpot mean (ms)", 1000), new Figure("queueDelay.mean", "queue delay (s)", 1),
            new Figure("restartedFraction", "restarted (%)", 100), new Figure("throughput", "throughput (req/s)", 1),
            new Figure("gpuHours", "GPU-hours / seed", 1));

    @Parameters(index = "0", paramLabel = "RUN_A", description = "The reference run directory (e.g. the baseline).")
    Path a;

    @Parameters(index = "1", paramLabel = "RUN_B", description = "The run to compare with it; ratios are B/A.")
    Path b;

    @Option(names = "--plot", paramLabel = "FILE", defaultValue = "compare-latency-cdf.png",
            description = "Where to draw the e2e and TTFT CDFs of both runs (default: ${DEFAULT-VALUE}).")
    Path plot;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Override
    public Integer call() {
        return Cli.guard(() -> {
            RunDirectory ra = RunDirectory.read(a);
            RunDirectory rb = RunDirectory.read(b);
            String na = a.getFileName().toString();
            String nb = b.getFileName().toString();
            new LatencyCdf("Latency CDFs: " + na + " vs " + nb, "latency")
                    .add(na + " e2e", ra.e2e(), LatencyCdf.GREY).add(nb + " e2e", rb.e2e(), LatencyCdf.BLUE)
                    .add(na + " TTFT", ra.ttft(), new java.awt.Color(0xbbbbbb)).add(nb + " TTFT", rb.ttft(),
                            new java.awt.Color(0x9ecae1))
                    .save(plot);
            if (json) {
                System.out.println(RunWriter.JSON.writeValueAsString(json(ra, rb)));
            } else {
                print(ra, rb, na, nb);
            }
            return 0;
        });
    }

    private ObjectNode json(RunDirectory ra, RunDirectory rb) {
        ObjectNode o = RunWriter.JSON.createObjectNode();
        o.put("a", ra.dir().toString());
        o.put("b", rb.dir().toString());
        ObjectNode figures = o.putObject("figures");
        for (Figure f : FIGURES) {
            Aggregate.Stat x = ra.figures().get(f.key());
            Aggregate.Stat y = rb.figures().get(f.key());
            if (!known(x) || !known(y)) {
                continue;
            }
            ObjectNode m = figures.putObject(f.key());
            m.put("a", x.mean());
            m.put("b", y.mean());
            m.put("ratio", y.mean() / x.mean());
            m.put("intervalsApart", !x.overlaps(y));
        }
        o.put("plot", plot.toString());
        return o;
    }

    private void print(RunDirectory ra, RunDirectory rb, String na, String nb) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "A  %s  (%s, %d seeds)%nB  %s  (%s, %d seeds)%n%n", ra.dir(), ra.scenario(),
                ra.seeds(), rb.dir(), rb.scenario(), rb.seeds()));
        if (!ra.scenario().equals(rb.scenario())) {
            out.append("note: the runs are of different scenarios; ratios compare unlike workloads\n\n");
        }
        out.append(String.format(Locale.ROOT, "  %-20s %-24s %-24s %7s%n", "", "A mean [90% CI]", "B mean [90% CI]", "B/A"));
        for (Figure f : FIGURES) {
            Aggregate.Stat x = ra.figures().get(f.key());
            Aggregate.Stat y = rb.figures().get(f.key());
            if (!known(x) || !known(y)) {
                continue;
            }
            out.append(String.format(Locale.ROOT, "  %-20s %-24s %-24s %6.2fx%s%n", f.label(), cell(x, f.scale()),
                    cell(y, f.scale()), y.mean() / x.mean(), x.overlaps(y) ? "" : "  intervals apart"));
        }
        out.append(String.format(Locale.ROOT, "%n  latency CDFs     %s (%s vs %s, e2e and TTFT)%n", plot, na, nb));
        System.out.print(out);
    }

    /**
     * Present and defined: a load run cannot know a simulator-only figure (queue delay, restarts,
     * GPU-hours) and writes it as NaN; such a figure is left out rather than compared.
     */
    private static boolean known(Aggregate.Stat s) {
        return s != null && !Double.isNaN(s.mean());
    }

    private static String cell(Aggregate.Stat s, double scale) {
        return String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", s.mean() * scale, s.lo() * scale, s.hi() * scale);
    }
}
