package dev.glia.research;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a baseline's time goes, from its figures and its first seed's logs: restarts and what
 * they cost, the share of latency spent queueing, KV-memory pressure, load imbalance across
 * replicas, and the workload's output-to-prompt ratio.
 */
public record Diagnosis(double restartedFraction, double e2eRestarted, double e2eClean, double queueShare,
                       double meanKvUsage, double imbalance, double outputPerPrompt, double slowdownP95) {

    public static Diagnosis of(Lab.Evaluation baseline) {
        var f = baseline.figures();
        Path seed = firstSeed(baseline.runDir());
        double kv = 0;
        double imbalance = 0;
        double ratio = 0;
        if (seed != null) {
            kv = meanKvUsage(seed.resolve("gs_log.csv"));
            double[] perReplica = new double[64];
            double prompt = 0;
            double output = 0;
            for (String[] row : rows(seed.resolve("request_metrics.csv"))) {
                int replica = Integer.parseInt(row[1]);
                if (replica >= 0 && replica < perReplica.length) {
                    perReplica[replica]++;
                }
                prompt += Double.parseDouble(row[3]);
                output += Double.parseDouble(row[4]);
            }
            imbalance = coefficientOfVariation(perReplica);
            ratio = prompt > 0 ? output / prompt : 0;
        }
        return new Diagnosis(f.get("restartedFraction").mean(), f.get("e2eRestarted.mean").mean(),
                f.get("e2eNotRestarted.mean").mean(), f.get("queueDelay.mean").mean() / f.get("e2e.mean").mean(), kv,
                imbalance, ratio, f.get("slowdown.p95").mean());
    }

    public boolean restartsMatter() {
        return restartedFraction >= 0.05 || meanKvUsage >= 0.85;
    }

    public boolean queueingMatters() {
        return queueShare >= 0.3;
    }

    public boolean imbalanced() {
        return imbalance >= 0.1;
    }

    /** The findings in words, one line each, with the numbers that support them. */
    public List<String> findings() {
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "%.1f%% of requests restarted at least once; restarted requests took "
                + "%.1f s end to end against %.1f s for the others.", 100 * restartedFraction,
                Double.isNaN(e2eRestarted) ? 0 : e2eRestarted, e2eClean));
        out.add(String.format(Locale.ROOT, "Queueing is %.0f%% of mean end-to-end latency.", 100 * queueShare));
        out.add(String.format(Locale.ROOT, "KV cache is %.0f%% full on average at router invocations.", 100 * meanKvUsage));
        out.add(String.format(Locale.ROOT, "Requests per replica vary with a coefficient of variation of %.2f.", imbalance));
        out.add(String.format(Locale.ROOT, "Requests generate %.2f output tokens per prompt token.", outputPerPrompt));
        return out;
    }

    private static Path firstSeed(Path runDir) {
        try (var dirs = Files.list(runDir)) {
            return dirs.filter(p -> p.getFileName().toString().startsWith("seed-")).sorted().findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static double meanKvUsage(Path gsLog) {
        double sum = 0;
        long n = 0;
        for (String[] row : rows(gsLog)) {
            sum += Double.parseDouble(row[6]) / 100;
            n++;
        }
        return n == 0 ? 0 : sum / n;
    }

    private static List<String[]> rows(Path csv) {
        try (var lines = Files.lines(csv)) {
            return lines.skip(1).map(l -> l.split(",", -1)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + csv + ": " + e.getMessage(), e);
        }
    }

    private static double coefficientOfVariation(double[] counts) {
        int n = 0;
        double sum = 0;
        for (double c : counts) {
            if (c > 0) {
                n++;
                sum += c;
            }
        }
        if (n < 2) {
            return 0;
        }
        double mean = sum / n;
        double var = 0;
        for (double c : counts) {
            if (c > 0) {
                var += (c - mean) * (c - mean);
            }
        }
        return Math.sqrt(var / n) / mean;
    }
}
