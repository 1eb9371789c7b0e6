package dev.glia.metrics;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Reads the Prometheus text format 0.0.4 and OpenMetrics 1.0 text, line by line, with a hand-written
 * scanner (no regular expressions, so no backtracking on hostile input). Families are assembled at the
 * end, so HELP, TYPE and UNIT lines may come before or after their samples.
 *
 * <p>Lenient where Prometheus' own parser is: blank lines and free comments, runs of spaces or tabs
 * between tokens, a trailing comma in a label set. Strict where a wrong reading would mislead: names,
 * escapes, numbers, duplicate label names, repeated metadata, {@code le} and {@code quantile} labels of
 * typed histograms and summaries, and OpenMetrics' {@code # EOF}.
 */
final class ExpositionParser {

    /** Sample-name suffixes that can tie a sample to a family of another name. */
    private static final String[] SUFFIXES = {"_total", "_created", "_bucket", "_sum", "_count", "_gsum", "_gcount",
        "_info"};

    private final ExpositionFormat format;
    private final Map<String, Metadata> metadata = new HashMap<>();
    private final List<Metadata> metadataInOrder = new ArrayList<>();
    private final List<ParsedSample> samples = new ArrayList<>();

    ExpositionParser(ExpositionFormat format) {
        this.format = format;
    }

    Scrape parse(Reader reader) throws IOException {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader, 1 << 16);
        int lineNumber = 0;
        boolean sawEof = false;
        String line;
        while ((line = in.readLine()) != null) {
            lineNumber++;
            if (sawEof) {
                throw new MetricsFormatException(lineNumber, "text after # EOF");
            }
            if (isBlank(line)) {
                continue;
            }
            if (line.charAt(0) == '#') {
                sawEof = comment(line, lineNumber);
            } else {
                samples.add(new LineScanner(line, lineNumber).sample());
            }
        }
        if (format == ExpositionFormat.OPENMETRICS && !sawEof) {
            throw new MetricsFormatException(lineNumber + 1, "missing # EOF at the end of an OpenMetrics exposition");
        }
        return assemble();
    }

    /** Handles a line starting with '#'; true when it is OpenMetrics' terminator. */
    private boolean comment(String line, int lineNumber) {
        if (format == ExpositionFormat.OPENMETRICS && line.equals("# EOF")) {
            return true;
        }
        LineScanner s = new LineScanner(line, lineNumber);
        s.pos = 1;
        s.skipSpaces();
        String keyword = s.word();
        if (!keyword.equals("HELP") && !keyword.equals("TYPE") && !keyword.equals("UNIT") || !s.skipSpaces()) {
            return false; // a free comment
        }
        String name = s.metricName(keyword + " line");
        if (!s.atEnd() && !s.skipSpaces()) {
            throw s.error("invalid metric name in " + keyword + " line: '" + name + s.restUpToSpace() + "'");
        }
        Metadata m = metadata.computeIfAbsent(name, n -> {
            Metadata fresh = new Metadata(n, lineNumber);
            metadataInOrder.add(fresh);
            return fresh;
        });
        switch (keyword) {
            case "HELP" -> {
                if (m.help != null) {
                    throw s.error("second HELP line for '" + name + "'");
                }
                m.help = unescapeHelp(s.rest(), s);
            }
            case "TYPE" -> {
                if (m.type != null) {
                    throw s.error("second TYPE line for '" + name + "'");
                }
                String type = s.rest().strip();
                if (type.isEmpty()) {
                    throw s.error("TYPE line for '" + name + "' names no type");
                }
                m.type = MetricType.parse(type, format)
                        .orElseThrow(() -> s.error("unknown metric type '" + type + "' for '" + name + "'"));
            }
            default -> {
                if (m.unit != null) {
                    throw s.error("second UNIT line for '" + name + "'");
                }
                m.unit = s.rest().strip();
            }
        }
        return false;
    }

    /** HELP escapes: backslash and line feed in both formats, the double quote too in OpenMetrics. */
    private String unescapeHelp(String text, LineScanner s) {
        if (text.indexOf('\\') < 0) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 == text.length()) {
                b.append(c);
                continue;
            }
            char next = text.charAt(++i);
            switch (next) {
                case '\\' -> b.append('\\');
                case 'n' -> b.append('\n');
                case '"' -> b.append(format == ExpositionFormat.OPENMETRICS ? "\"" : "\\\"");
                default -> b.append('\\').append(next); // Prometheus keeps unknown escapes in HELP as written
            }
        }
        return b.toString();
    }

    private Scrape assemble() {
        Map<String, FamilyBuilder> families = new LinkedHashMap<>();
        int m = 0;
        for (ParsedSample sample : samples) {
            // families appear in the order of their first line, metadata or sample
            while (m < metadataInOrder.size() && metadataInOrder.get(m).line < sample.line) {
                family(families, metadataInOrder.get(m++).name);
            }
            FamilyBuilder f = family(families, familyOf(sample.sample.name()));
            f.check(sample);
            f.samples.add(sample.sample);
        }
        while (m < metadataInOrder.size()) {
            family(families, metadataInOrder.get(m++).name);
        }
        List<MetricFamily> out = new ArrayList<>(families.size());
        for (FamilyBuilder f : families.values()) {
            out.add(new MetricFamily(f.name, f.type, Optional.ofNullable(f.meta == null ? null : f.meta.help),
                    Optional.ofNullable(f.meta == null ? null : f.meta.unit), f.samples));
        }
        return new Scrape(out);
    }

    private FamilyBuilder family(Map<String, FamilyBuilder> families, String name) {
        return families.computeIfAbsent(name, n -> new FamilyBuilder(n, metadata.get(n)));
    }

    /**
     * The family a sample belongs to: the one named exactly like it (Prometheus text names counters after
     * their {@code _total} sample), else the one its suffix points to if that family's type has the suffix
     * (OpenMetrics' {@code foo} counter owns {@code foo_total} and {@code foo_created}), else its own.
     */
    private String familyOf(String sampleName) {
        if (metadata.containsKey(sampleName)) {
            return sampleName;
        }
        for (String suffix : SUFFIXES) {
            if (sampleName.endsWith(suffix)) {
                Metadata base = metadata.get(sampleName.substring(0, sampleName.length() - suffix.length()));
                if (base != null && base.type != null && base.type.allowsSuffix(suffix)) {
                    return base.name;
                }
            }
        }
        return sampleName;
    }

    /**
     * A number as Go's ParseFloat reads it in Prometheus' parser: decimal or scientific notation, and NaN,
     * Inf, +Inf, -Inf in any case. Empty when the text is not one (Java's own parser would take "1d").
     */
    static OptionalDouble parseFloat(String text) {
        int n = text.length();
        if (n == 0) {
            return OptionalDouble.empty();
        }
        char first = text.charAt(0);
        String unsigned = first == '+' || first == '-' ? text.substring(1) : text;
        if (!unsigned.isEmpty() && !Character.isDigit(unsigned.charAt(0)) && unsigned.charAt(0) != '.') {
            String word = unsigned.toLowerCase(Locale.ROOT);
            if (word.equals("nan")) {
                return OptionalDouble.of(Double.NaN);
            }
            if (word.equals("inf") || word.equals("infinity")) {
                return OptionalDouble.of(first == '-' ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
            }
            return OptionalDouble.empty();
        }
        boolean digit = false;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') {
                return OptionalDouble.empty();
            }
        }
        if (!digit) {
            return OptionalDouble.empty();
        }
        try {
            return OptionalDouble.of(Double.parseDouble(text));
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }

    private static boolean isBlank(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c != ' ' && c != '\t') {
                return false;
            }
        }
        return true;
    }

    private static boolean isNameStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
    }

    private static boolean isNameChar(char c) {
        return isNameStart(c) || c >= '0' && c <= '9';
    }

    private static final class Metadata {
        final String name;
        final int line;
        MetricType type;
        String help;
        String unit;

        Metadata(String name, int line) {
            this.name = name;
            this.line = line;
        }
    }

    private record ParsedSample(Sample sample, int line) {
    }

    private static final class FamilyBuilder {
        final String name;
        final Metadata meta;
        final MetricType type;
        final List<Sample> samples = new ArrayList<>();

        FamilyBuilder(String name, Metadata meta) {
            this.name = name;
            this.meta = meta;
            this.type = meta == null || meta.type == null ? MetricType.UNTYPED : meta.type;
        }

        /** Bucket bounds and quantiles of typed families must be numbers: the views index by them. */
        void check(ParsedSample parsed) {
            Sample s = parsed.sample;
            boolean bucket = (type == MetricType.HISTOGRAM || type == MetricType.GAUGEHISTOGRAM)
                    && s.name().equals(name + "_bucket");
            if (bucket) {
                String le = s.label("le");
                if (le == null) {
                    throw new MetricsFormatException(parsed.line, "histogram bucket '" + s.name()
                            + "' has no 'le' label");
                }
                if (parseFloat(le).isEmpty()) {
                    throw new MetricsFormatException(parsed.line, "invalid 'le' value '" + le + "'");
                }
            }
            if (type == MetricType.SUMMARY && s.name().equals(name) && s.label("quantile") != null
                    && parseFloat(s.label("quantile")).isEmpty()) {
                throw new MetricsFormatException(parsed.line, "invalid 'quantile' value '" + s.label("quantile")
                        + "'");
            }
        }
    }

    /** Scans one line; positions are indexes into it. */
    private final class LineScanner {
        final String line;
        final int lineNumber;
        int pos;

        LineScanner(String line, int lineNumber) {
            this.line = line;
            this.lineNumber = lineNumber;
        }

        ParsedSample sample() {
            String name = metricName("sample");
            Map<String, String> labels = Map.of();
            if (!atEnd() && line.charAt(pos) == '{') {
                labels = labels();
            } else if (!atEnd() && !isSpace(line.charAt(pos))) {
                throw error("invalid metric name '" + name + restUpToSpace() + "'");
            }
            if (!skipSpaces()) {
                throw error("missing value for '" + name + "'");
            }
            String valueText = word();
            if (valueText.isEmpty()) {
                throw error("missing value for '" + name + "'");
            }
            OptionalDouble value = parseFloat(valueText);
            if (value.isEmpty()) {
                throw error("invalid value '" + valueText + "' for '" + name + "'");
            }
            skipSpaces();
            OptionalLong timestamp = OptionalLong.empty();
            if (!atEnd() && line.charAt(pos) != '#') {
                timestamp = timestamp(word());
                skipSpaces();
            }
            if (!atEnd() && line.charAt(pos) == '#') {
                exemplar();
            }
            if (!atEnd()) {
                throw error("unexpected text after the sample: '" + line.substring(pos) + "'");
            }
            return new ParsedSample(new Sample(name, labels, value.getAsDouble(), timestamp), lineNumber);
        }

        /** Prometheus text: integer milliseconds; OpenMetrics: seconds, possibly fractional. */
        private OptionalLong timestamp(String text) {
            if (format == ExpositionFormat.OPENMETRICS) {
                OptionalDouble seconds = parseFloat(text);
                if (seconds.isEmpty() || !Double.isFinite(seconds.getAsDouble())) {
                    throw error("invalid timestamp '" + text + "'");
                }
                return OptionalLong.of(Math.round(seconds.getAsDouble() * 1000));
            }
            int start = text.startsWith("-") || text.startsWith("+") ? 1 : 0;
            boolean digits = text.length() > start;
            for (int i = start; i < text.length(); i++) {
                digits &= text.charAt(i) >= '0' && text.charAt(i) <= '9';
            }
            if (!digits) {
                throw error("invalid timestamp '" + text + "' (milliseconds as an integer)");
            }
            try {
                return OptionalLong.of(Long.parseLong(text));
            } catch (NumberFormatException e) {
                throw error("timestamp out of range: '" + text + "'");
            }
        }

        /** OpenMetrics' {@code # {labels} value [timestamp]}: checked, then dropped. */
        private void exemplar() {
            if (format != ExpositionFormat.OPENMETRICS) {
                throw error("exemplars are only allowed in OpenMetrics: '" + line.substring(pos) + "'");
            }
            pos++;
            skipSpaces();
            if (atEnd() || line.charAt(pos) != '{') {
                throw error("exemplar must start with a label set: '" + line.substring(pos) + "'");
            }
            labels();
            if (!skipSpaces() || parseFloat(word()).isEmpty()) {
                throw error("exemplar without a valid value");
            }
            skipSpaces();
            if (!atEnd()) {
                String ts = word();
                if (parseFloat(ts).isEmpty()) {
                    throw error("invalid exemplar timestamp '" + ts + "'");
                }
                skipSpaces();
            }
        }

        String metricName(String where) {
            int start = pos;
            if (atEnd() || !(isNameStart(line.charAt(pos)) || line.charAt(pos) == ':')) {
                throw error("invalid metric name in " + where + ": '" + restUpToSpace() + "'");
            }
            while (!atEnd() && (isNameChar(line.charAt(pos)) || line.charAt(pos) == ':')) {
                pos++;
            }
            return line.substring(start, pos);
        }

        private Map<String, String> labels() {
            pos++; // '{'
            Map<String, String> labels = new LinkedHashMap<>(8);
            while (true) {
                skipSpaces();
                if (atEnd()) {
                    throw error("unterminated label set");
                }
                if (line.charAt(pos) == '}') {
                    pos++;
                    return labels.isEmpty() ? Map.of() : Collections.unmodifiableMap(labels);
                }
                String name = labelName();
                skipSpaces();
                if (atEnd() || line.charAt(pos) != '=') {
                    throw error("expected '=' after label name '" + name + "'");
                }
                pos++;
                skipSpaces();
                if (atEnd() || line.charAt(pos) != '"') {
                    throw error("value of label '" + name + "' must be quoted");
                }
                String value = labelValue(name);
                if (labels.put(name, value) != null) {
                    throw error("duplicate label name '" + name + "'");
                }
                skipSpaces();
                if (atEnd()) {
                    throw error("unterminated label set");
                }
                char c = line.charAt(pos);
                if (c == ',') {
                    pos++; // a trailing comma before '}' is allowed, as Prometheus allows it
                } else if (c != '}') {
                    throw error("expected ',' or '}' after label '" + name + "'");
                }
            }
        }

        private String labelName() {
            int start = pos;
            if (!isNameStart(line.charAt(pos))) {
                throw error("invalid label name at '" + line.substring(pos) + "'");
            }
            while (!atEnd() && isNameChar(line.charAt(pos))) {
                pos++;
            }
            return line.substring(start, pos);
        }

        /** A quoted label value; the escapes are \\, \" and \n, anything else after a backslash is an error. */
        private String labelValue(String labelName) {
            pos++; // opening quote
            int start = pos;
            StringBuilder unescaped = null;
            while (pos < line.length()) {
                char c = line.charAt(pos);
                if (c == '"') {
                    String value = unescaped == null ? line.substring(start, pos) : unescaped.toString();
                    pos++;
                    return value;
                }
                if (c == '\\') {
                    if (unescaped == null) {
                        unescaped = new StringBuilder(line.substring(start, pos));
                    }
                    if (pos + 1 == line.length()) {
                        break;
                    }
                    char next = line.charAt(pos + 1);
                    switch (next) {
                        case '\\' -> unescaped.append('\\');
                        case '"' -> unescaped.append('"');
                        case 'n' -> unescaped.append('\n');
                        default -> throw error("invalid escape '\\" + next + "' in value of label '" + labelName
                                + "'");
                    }
                    pos += 2;
                } else {
                    if (unescaped != null) {
                        unescaped.append(c);
                    }
                    pos++;
                }
            }
            throw error("unterminated value of label '" + labelName + "'");
        }

        String word() {
            int start = pos;
            while (!atEnd() && !isSpace(line.charAt(pos))) {
                pos++;
            }
            return line.substring(start, pos);
        }

        /** Skips spaces and tabs; true if there were any. */
        boolean skipSpaces() {
            int start = pos;
            while (!atEnd() && isSpace(line.charAt(pos))) {
                pos++;
            }
            return pos > start;
        }

        String rest() {
            return line.substring(pos);
        }

        String restUpToSpace() {
            int end = pos;
            while (end < line.length() && !isSpace(line.charAt(end))) {
                end++;
            }
            return line.substring(pos, end);
        }

        boolean atEnd() {
            return pos >= line.length();
        }

        MetricsFormatException error(String reason) {
            return new MetricsFormatException(lineNumber, reason);
        }

        private boolean isSpace(char c) {
            return c == ' ' || c == '\t';
        }
    }
}
