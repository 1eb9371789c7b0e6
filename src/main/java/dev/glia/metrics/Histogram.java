package dev.glia.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * One histogram series: its labels (without {@code le}), cumulative bucket counts by upper bound (+Inf
 * included when the scrape had it), and {@code _sum} and {@code _count} when present.
 */
public record Histogram(Map<String, String> labels, NavigableMap<Double, Double> buckets, OptionalDouble sum,
        OptionalDouble count) {

    public Histogram {
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        buckets = Collections.unmodifiableNavigableMap(new TreeMap<>(buckets));
    }

    /** Observations: {@code _count}, else the +Inf bucket, else empty. */
    @Override
    public OptionalDouble count() {
        if (count.isPresent()) {
            return count;
        }
        Double inf = buckets.get(Double.POSITIVE_INFINITY);
        return inf == null ? OptionalDouble.empty() : OptionalDouble.of(inf);
    }

    /** Mean observation ({@code _sum / _count}); empty without both or with no observations. */
    public OptionalDouble mean() {
        OptionalDouble n = count();
        if (sum.isEmpty() || n.isEmpty() || n.getAsDouble() == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(sum.getAsDouble() / n.getAsDouble());
    }

    /**
     * The q-quantile estimated as PromQL's {@code histogram_quantile} does: linear interpolation inside the
     * bucket holding the rank, the lowest bucket starting at 0 (unless its bound is not positive), and
     * the highest finite bound when the rank falls in the +Inf bucket. NaN without a +Inf bucket, with
     * fewer than two buckets or with no observations; -Inf for q &lt; 0 and +Inf for q &gt; 1.
     */
    public double quantile(double q) {
        if (Double.isNaN(q)) {
            return Double.NaN;
        }
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        if (buckets.size() < 2 || !buckets.containsKey(Double.POSITIVE_INFINITY)) {
            return Double.NaN;
        }
        double[] bounds = new double[buckets.size()];
        double[] counts = new double[buckets.size()];
        int i = 0;
        double running = 0;
        for (Map.Entry<Double, Double> e : buckets.entrySet()) {
            bounds[i] = e.getKey();
            running = Math.max(running, e.getValue()); // PromQL repairs non-monotonic buckets the same way
            counts[i++] = running;
        }
        int last = counts.length - 1;
        double observations = counts[last];
        if (observations == 0 || Double.isNaN(observations)) {
            return Double.NaN;
        }
        double rank = q * observations;
        int b = 0;
        while (b < last && counts[b] < rank) {
            b++;
        }
        if (b == last) {
            return bounds[last - 1];
        }
        if (b == 0 && bounds[0] <= 0) {
            return bounds[0];
        }
        double start = b == 0 ? 0 : bounds[b - 1];
        double inBucket = counts[b] - (b == 0 ? 0 : counts[b - 1]);
        double rankInBucket = rank - (b == 0 ? 0 : counts[b - 1]);
        return start + (bounds[b] - start) * (rankInBucket / inBucket);
    }

    /** The sum of several series bucket by bucket (PromQL's {@code sum by (le)}); empty for none. */
    public static Optional<Histogram> sumOf(List<Histogram> series) {
        if (series.isEmpty()) {
            return Optional.empty();
        }
        if (series.size() == 1) {
            return Optional.of(series.get(0));
        }
        TreeMap<Double, Double> buckets = new TreeMap<>();
        Map<String, String> common = new LinkedHashMap<>(series.get(0).labels());
        double sum = 0;
        double count = 0;
        boolean allSums = true;
        boolean allCounts = true;
        for (Histogram h : series) {
            h.buckets().forEach((le, c) -> buckets.merge(le, c, Double::sum));
            common.entrySet().removeIf(e -> !e.getValue().equals(h.labels().get(e.getKey())));
            allSums &= h.sum().isPresent();
            allCounts &= h.count.isPresent();
            sum += h.sum().orElse(0);
            count += h.count.orElse(0);
        }
        return Optional.of(new Histogram(common, buckets, allSums ? OptionalDouble.of(sum) : OptionalDouble.empty(),
                allCounts ? OptionalDouble.of(count) : OptionalDouble.empty()));
    }

    /**
     * The histogram series among {@code samples} named {@code base + "_bucket"}, {@code base + sumSuffix} and
     * {@code base + countSuffix}, one per label set, in order of first appearance. Buckets whose {@code le}
     * is not a number are left out (the parser rejects them in families typed as histograms).
     */
    static List<Histogram> from(String base, Iterable<Sample> samples, String sumSuffix, String countSuffix) {
        String bucketName = base + "_bucket";
        String sumName = base + sumSuffix;
        String countName = base + countSuffix;
        Map<Map<String, String>, Builder> series = new LinkedHashMap<>();
        for (Sample s : samples) {
            if (s.name().equals(bucketName)) {
                String le = s.label("le");
                OptionalDouble bound = le == null ? OptionalDouble.empty() : ExpositionParser.parseFloat(le);
                if (bound.isPresent()) {
                    Map<String, String> key = new LinkedHashMap<>(s.labels());
                    key.remove("le");
                    series.computeIfAbsent(key, k -> new Builder()).buckets.put(bound.getAsDouble(), s.value());
                }
            } else if (s.name().equals(sumName)) {
                series.computeIfAbsent(s.labels(), k -> new Builder()).sum = OptionalDouble.of(s.value());
            } else if (s.name().equals(countName)) {
                series.computeIfAbsent(s.labels(), k -> new Builder()).count = OptionalDouble.of(s.value());
            }
        }
        List<Histogram> out = new ArrayList<>(series.size());
        series.forEach((labels, b) -> out.add(new Histogram(labels, b.buckets, b.sum, b.count)));
        return out;
    }

    private static final class Builder {
        final TreeMap<Double, Double> buckets = new TreeMap<>();
        OptionalDouble sum = OptionalDouble.empty();
        OptionalDouble count = OptionalDouble.empty();
    }
}
