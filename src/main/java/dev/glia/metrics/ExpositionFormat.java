package dev.glia.metrics;

import java.util.Locale;

/** The two text formats a {@code /metrics} endpoint answers in. */
public enum ExpositionFormat {
    /** Prometheus text format 0.0.4 ({@code text/plain; version=0.0.4}): what vLLM serves. */
    PROMETHEUS_TEXT,
    /** OpenMetrics 1.0 text ({@code application/openmetrics-text}): must end with {@code # EOF}. */
    OPENMETRICS;

    /** The format a Content-Type header announces; anything but OpenMetrics is read as Prometheus text. */
    public static ExpositionFormat fromContentType(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/openmetrics-text")
                ? OPENMETRICS : PROMETHEUS_TEXT;
    }
}
