package dev.glia.metrics;

import java.util.List;
import java.util.Optional;

/**
 * A metric family: its name (without sample suffixes in OpenMetrics; Prometheus text names a counter's
 * family after its {@code _total} sample), type, HELP text and UNIT if given, and its samples in
 * exposition order.
 */
public record MetricFamily(String name, MetricType type, Optional<String> help, Optional<String> unit,
        List<Sample> samples) {

    public MetricFamily {
        samples = List.copyOf(samples);
    }

    /** The histogram series of this family (for gauge histograms, from {@code _gsum} and {@code _gcount}). */
    public List<Histogram> histograms() {
        return type == MetricType.GAUGEHISTOGRAM
                ? Histogram.from(name, samples, "_gsum", "_gcount")
                : Histogram.from(name, samples, "_sum", "_count");
    }

    /** The summary series of this family. */
    public List<Summary> summaries() {
        return Summary.from(name, samples);
    }
}
