package dev.glia.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Predicate;

/** What one scrape of a {@code /metrics} endpoint said: its metric families, queryable by sample name. */
public final class Scrape {

    private final List<MetricFamily> families;
    private final Map<String, MetricFamily> familiesByName = new HashMap<>();
    private final Map<String, MetricFamily> familiesBySampleName = new HashMap<>();
    private final Map<String, List<Sample>> samplesByName = new HashMap<>();

    Scrape(List<MetricFamily> families) {
        this.families = List.copyOf(families);
        for (MetricFamily f : this.families) {
            familiesByName.put(f.name(), f);
            for (Sample s : f.samples()) {
                familiesBySampleName.putIfAbsent(s.name(), f);
                samplesByName.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(s);
            }
        }
    }

    /** Parses a scrape; throws {@link MetricsFormatException} at the first line that breaks the format. */
    public static Scrape parse(Reader reader, ExpositionFormat format) throws IOException {
        return new ExpositionParser(format).parse(reader);
    }

    /** Parses UTF-8 bytes, as both formats are. */
    public static Scrape parse(InputStream in, ExpositionFormat format) throws IOException {
        return parse(new InputStreamReader(in, StandardCharsets.UTF_8), format);
    }

    public static Scrape parse(String text, ExpositionFormat format) {
        try {
            return parse(new StringReader(text), format);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringReader does not fail
        }
    }

    public List<MetricFamily> families() {
        return families;
    }

    /**
     * The family with this name, or else the family holding a sample of this name, so that
     * {@code family("vllm:prompt_tokens_total")} finds the counter in both formats.
     */
    public Optional<MetricFamily> family(String name) {
        MetricFamily f = familiesByName.get(name);
        return Optional.ofNullable(f != null ? f : familiesBySampleName.get(name));
    }

    /** Every sample with this exact sample name, in exposition order. */
    public List<Sample> samples(String sampleName) {
        return List.copyOf(samplesByName.getOrDefault(sampleName, List.of()));
    }

    /**
     * The value of the one sample named {@code sampleName} whose labels include {@code labels}; empty when
     * none does. Several matches are a question too vague to answer and throw.
     */
    public OptionalDouble value(String sampleName, Map<String, String> labels) {
        Sample found = null;
        for (Sample s : samplesByName.getOrDefault(sampleName, List.of())) {
            if (s.hasLabels(labels)) {
                if (found != null) {
                    throw new IllegalArgumentException(sampleName + labels + " matches more than one sample: "
                            + found.labels() + " and " + s.labels());
                }
                found = s;
            }
        }
        return found == null ? OptionalDouble.empty() : OptionalDouble.of(found.value());
    }

    public OptionalDouble value(String sampleName) {
        return value(sampleName, Map.of());
    }

    /** The sum over samples named {@code sampleName} whose labels pass the filter; empty when none does. */
    public OptionalDouble sum(String sampleName, Predicate<Map<String, String>> labelFilter) {
        boolean any = false;
        double sum = 0;
        for (Sample s : samplesByName.getOrDefault(sampleName, List.of())) {
            if (labelFilter.test(s.labels())) {
                any = true;
                sum += s.value();
            }
        }
        return any ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }

    /** The sum over samples named {@code sampleName} whose labels include {@code labels}. */
    public OptionalDouble sum(String sampleName, Map<String, String> labels) {
        return sum(sampleName, l -> hasAll(l, labels));
    }

    /**
     * The histogram series named {@code base} ({@code base_bucket}, {@code base_sum}, {@code base_count}),
     * whatever the family's declared type, so that truncated or untyped captures still read.
     */
    public List<Histogram> histograms(String base) {
        List<Sample> samples = new ArrayList<>();
        for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
            samples.addAll(samplesByName.getOrDefault(base + suffix, List.of()));
        }
        return Histogram.from(base, samples, "_sum", "_count");
    }

    /** The series named {@code base} whose labels include {@code labels}, summed bucket by bucket. */
    public Optional<Histogram> histogram(String base, Map<String, String> labels) {
        return histogram(base, l -> hasAll(l, labels));
    }

    public Optional<Histogram> histogram(String base, Predicate<Map<String, String>> labelFilter) {
        return Histogram.sumOf(histograms(base).stream().filter(h -> labelFilter.test(h.labels())).toList());
    }

    /** The summary series named {@code base}. */
    public List<Summary> summaries(String base) {
        List<Sample> samples = new ArrayList<>();
        for (String suffix : new String[] {"", "_sum", "_count"}) {
            samples.addAll(samplesByName.getOrDefault(base + suffix, List.of()));
        }
        return Summary.from(base, samples);
    }

    static boolean hasAll(Map<String, String> labels, Map<String, String> subset) {
        for (Map.Entry<String, String> e : subset.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        families.forEach(f -> sizes.put(f.name(), f.samples().size()));
        return "Scrape" + sizes;
    }
}
