package dev.glia.metrics.fit;

import java.util.List;
import java.util.Locale;

/**
 * How a scenario was fitted and how far to trust it: the rate and its error, the arrival models compared,
 * each length quantile with its bucket and interval, the engines, and what came from options, not metrics.
 *
 * @param windowSeconds   the window, wall seconds
 * @param end             its end, RFC 3339
 * @param timeScale       model seconds per wall second
 * @param arrivals        the arrival process chosen and the alternatives
 * @param windowRate      arrivals per model second over the whole window (NaN if unknown)
 * @param rateMin         the lowest arrival rate over a sub-window, per model second (NaN if unknown)
 * @param rateMax         the highest
 * @param prompt          prompt lengths
 * @param output          output lengths
 * @param engines         the engines
 * @param gpu             from the options
 * @param model           from the options
 * @param notes           warnings and assumptions
 */
public record FitReport(double windowSeconds, String end, double timeScale, ArrivalFit arrivals, double windowRate,
                        double rateMin, double rateMax, LengthFit prompt, LengthFit output, EngineFit engines,
                        String gpu, String model, List<String> notes) {

    /** The report as lines of text (also the scenario file's header, each line prefixed with "# "). */
    public String text() {
        StringBuilder b = new StringBuilder();
        line(b, "fitted from %.0f s of metrics ending %s (time scale %s)", windowSeconds, end, num(timeScale));
        ArrivalFit a = arrivals;
        line(b, "arrivals: %s, %.4g/s from %d gaps (±%.1f%%, 1 s.e.)%s", process(a), a.qps(), a.gaps(),
                100 * a.rateError(), Double.isNaN(windowRate) ? "" : String.format(Locale.ROOT,
                        "; over the whole window %.4g/s", windowRate));
        if (!Double.isNaN(rateMin)) {
            line(b, "  rate over sub-windows: %.4g to %.4g/s", rateMin, rateMax);
        }
        for (ArrivalFit.Candidate c : a.candidates()) {
            line(b, "  %-9s %s %.3g [%.3g, %.3g]  log-likelihood %.1f", c.model(), c.parameterName(), c.parameter(),
                    c.low(), c.high(), c.logLikelihood());
        }
        side(b, "prompt", prompt);
        side(b, "output", output);
        line(b, "engines: %d (vllm:cache_config_info), KV blocks %s, block size %s; gpu %s, model %s (options)",
                engines.count(), engines.numBlocks() == null ? "from the profile" : engines.numBlocks(),
                engines.blockSize() == null ? "16 (default)" : engines.blockSize(), gpu, model);
        notes.forEach(n -> line(b, "note: %s", n));
        return b.toString();
    }

    private static String process(ArrivalFit a) {
        return switch (a.process()) {
            case "poisson" -> String.format(Locale.ROOT, "poisson (gamma cv %.3g [%.3g, %.3g], within [%.2f, %.2f])",
                    a.candidates().stream().filter(c -> c.model().equals("gamma")).findFirst().orElseThrow().parameter(),
                    a.low(), a.high(), 1 / ArrivalFit.POISSON_CV_BAND, ArrivalFit.POISSON_CV_BAND);
            case "lognormal" -> String.format(Locale.ROOT, "lognormal sigma %.3g [%.3g, %.3g]", a.parameter(), a.low(), a.high());
            default -> String.format(Locale.ROOT, "gamma cv %.3g [%.3g, %.3g]", a.parameter(), a.low(), a.high());
        };
    }

    private static void side(StringBuilder b, String name, LengthFit f) {
        line(b, "%s tokens: %d requests from %s, mean %.1f", name, f.requests(), f.metric(), f.mean());
        for (LengthFit.Quantile q : f.checks()) {
            line(b, "  p%-2s %8.1f  bucket (%s, %s] (resolution %.0f%%), 95%% interval [%s, %s]",
                    num(100 * q.p()), q.value(), num(q.bucketLow()), num(q.bucketHigh()), 100 * q.resolution(),
                    num(q.low()), num(q.high()));
        }
    }

    private static String num(double v) {
        if (Double.isInfinite(v)) {
            return "+Inf";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.4g", v);
    }

    private static void line(StringBuilder b, String format, Object... args) {
        b.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
