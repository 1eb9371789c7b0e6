package dev.glia.metrics;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One sample line: its own name (which may carry a suffix such as {@code _bucket} or {@code _total}), its
 * labels in exposition order (unmodifiable), the value, and the timestamp in milliseconds since the epoch
 * if the line had one (OpenMetrics' seconds are converted). Exemplars are not kept.
 */
public record Sample(String name, Map<String, String> labels, double value, OptionalLong timestampMs) {

    public Sample {
        Objects.requireNonNull(name);
        labels = Collections.unmodifiableMap(labels);
        Objects.requireNonNull(timestampMs);
    }

    /** The value of one label, or null. */
    public String label(String labelName) {
        return labels.get(labelName);
    }

    /** Whether every entry of {@code subset} is among this sample's labels. */
    public boolean hasLabels(Map<String, String> subset) {
        return Scrape.hasAll(labels, subset);
    }
}
