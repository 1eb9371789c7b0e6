package dev.glia.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalDouble;
import java.util.TreeMap;

/** One summary series: its labels (without {@code quantile}), the quantiles it reports, {@code _sum}, {@code _count}. */
public record Summary(Map<String, String> labels, NavigableMap<Double, Double> quantiles, OptionalDouble sum,
        OptionalDouble count) {

    public Summary {
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        quantiles = Collections.unmodifiableNavigableMap(new TreeMap<>(quantiles));
    }

    /** The value reported for exactly this quantile; summaries cannot be interpolated. */
    public OptionalDouble quantile(double q) {
        Double v = quantiles.get(q);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    static List<Summary> from(String base, Iterable<Sample> samples) {
        String sumName = base + "_sum";
        String countName = base + "_count";
        Map<Map<String, String>, Builder> series = new LinkedHashMap<>();
        for (Sample s : samples) {
            if (s.name().equals(base)) {
                String q = s.label("quantile");
                OptionalDouble quantile = q == null ? OptionalDouble.empty() : ExpositionParser.parseFloat(q);
                if (quantile.isPresent()) {
                    Map<String, String> key = new LinkedHashMap<>(s.labels());
                    key.remove("quantile");
                    series.computeIfAbsent(key, k -> new Builder()).quantiles.put(quantile.getAsDouble(), s.value());
                }
            } else if (s.name().equals(sumName)) {
                series.computeIfAbsent(s.labels(), k -> new Builder()).sum = OptionalDouble.of(s.value());
            } else if (s.name().equals(countName)) {
                series.computeIfAbsent(s.labels(), k -> new Builder()).count = OptionalDouble.of(s.value());
            }
        }
        List<Summary> out = new ArrayList<>(series.size());
        series.forEach((labels, b) -> out.add(new Summary(labels, b.quantiles, b.sum, b.count)));
        return out;
    }

    private static final class Builder {
        final TreeMap<Double, Double> quantiles = new TreeMap<>();
        OptionalDouble sum = OptionalDouble.empty();
        OptionalDouble count = OptionalDouble.empty();
    }
}
