package dev.glia.metrics;

import java.util.Optional;

/** A metric family's TYPE; OpenMetrics' {@code unknown} is Prometheus' {@code untyped}. */
public enum MetricType {
    COUNTER("_total", "_created"),
    GAUGE,
    HISTOGRAM("_bucket", "_sum", "_count", "_created"),
    GAUGEHISTOGRAM("_bucket", "_gsum", "_gcount", "_created"),
    SUMMARY("_sum", "_count", "_created"),
    INFO("_info"),
    STATESET,
    UNTYPED;

    private final String[] suffixes;

    MetricType(String... suffixes) {
        this.suffixes = suffixes;
    }

    /** Whether a sample named {@code family + suffix} belongs to a family of this type. */
    boolean allowsSuffix(String suffix) {
        for (String s : suffixes) {
            if (s.equals(suffix)) {
                return true;
            }
        }
        return false;
    }

    /** The type a TYPE line names in the given format, if that format knows it. */
    static Optional<MetricType> parse(String text, ExpositionFormat format) {
        MetricType type = switch (text) {
            case "counter" -> COUNTER;
            case "gauge" -> GAUGE;
            case "histogram" -> HISTOGRAM;
            case "summary" -> SUMMARY;
            case "untyped" -> format == ExpositionFormat.PROMETHEUS_TEXT ? UNTYPED : null;
            case "unknown" -> format == ExpositionFormat.OPENMETRICS ? UNTYPED : null;
            case "gaugehistogram" -> format == ExpositionFormat.OPENMETRICS ? GAUGEHISTOGRAM : null;
            case "info" -> format == ExpositionFormat.OPENMETRICS ? INFO : null;
            case "stateset" -> format == ExpositionFormat.OPENMETRICS ? STATESET : null;
            default -> null;
        };
        return Optional.ofNullable(type);
    }
}
