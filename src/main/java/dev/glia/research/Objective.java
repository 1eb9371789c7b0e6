package dev.glia.research;

import dev.glia.sim.metrics.Aggregate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a research session optimises: minimise or maximise one figure (mean over seeds), subject
 * to constraints on others, e.g. {@code maximize throughput subject to ttft.p90 <= 1.5} or
 * {@code minimize gpuHours subject to slowdown.p95 <= 5}.
 */
public record Objective(String metric, boolean maximize, List<Constraint> constraints) {
    public record Constraint(String metric, boolean atMost, double bound) {
        boolean holds(Map<String, Aggregate.Stat> figures) {
            double v = figures.get(metric).mean();
            return atMost ? v <= bound : v >= bound;
        }

        @Override
        public String toString() {
            return metric + (atMost ? " <= " : " >= ") + bound;
        }
    }

    private static final Pattern FORM = Pattern.compile(
            "\\s*(minimi[sz]e|maximi[sz]e)\\s+([\\w.]+)\\s*(?:(?:subject\\s+to|s\\.t\\.|with)\\s+(.+))?", Pattern.CASE_INSENSITIVE);
    private static final Pattern CONSTRAINT = Pattern.compile("\\s*([\\w.]+)\\s*(<=|>=)\\s*([0-9.eE+-]+)\\s*");

    public static Objective parse(String text, java.util.Set<String> known) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("objective '" + text + "' is not of the form 'minimize METRIC' or "
                    + "'maximize METRIC subject to METRIC <= VALUE[, ...]'");
        }
        String metric = normalise(m.group(2));
        check(metric, known);
        List<Constraint> constraints = new ArrayList<>();
        if (m.group(3) != null) {
            for (String part : m.group(3).split(",|\\band\\b")) {
                Matcher c = CONSTRAINT.matcher(part);
                if (!c.matches()) {
                    throw new IllegalArgumentException("constraint '" + part.strip() + "' is not of the form METRIC <= VALUE");
                }
                String cm = normalise(c.group(1));
                check(cm, known);
                constraints.add(new Constraint(cm, c.group(2).equals("<="), Double.parseDouble(c.group(3))));
            }
        }
        return new Objective(metric, m.group(1).toLowerCase(Locale.ROOT).startsWith("max"), List.copyOf(constraints));
    }

    /** "e2e" means its mean; "ttft.p90" stays as it is. */
    private static String normalise(String metric) {
        return metric.contains(".") || !List.of("e2e", "ttft", "tpot", "queueDelay", "slowdown").contains(metric)
                ? metric : metric + ".mean";
    }

    private static void check(String metric, java.util.Set<String> known) {
        if (!known.contains(metric)) {
            throw new IllegalArgumentException("unknown metric '" + metric + "'; known: " + String.join(", ", known));
        }
    }

    public boolean feasible(Map<String, Aggregate.Stat> figures) {
        return constraints.stream().allMatch(c -> c.holds(figures));
    }

    /** Lower is better, whatever the goal; infeasible results rank after every feasible one. */
    public double loss(Map<String, Aggregate.Stat> figures) {
        double v = figures.get(metric).mean();
        double loss = maximize ? -v : v;
        return feasible(figures) ? loss : 1e12 + Math.abs(loss);
    }

    /** True if {@code a} beats {@code b} with 90% confidence intervals apart. */
    public boolean clearlyBetter(Map<String, Aggregate.Stat> a, Map<String, Aggregate.Stat> b) {
        Aggregate.Stat x = a.get(metric);
        Aggregate.Stat y = b.get(metric);
        return maximize ? x.lo() > y.hi() : x.hi() < y.lo();
    }

    @Override
    public String toString() {
        return (maximize ? "maximize " : "minimize ") + metric
                + (constraints.isEmpty() ? "" : " subject to " + String.join(", ", constraints.stream().map(Constraint::toString).toList()));
    }
}
