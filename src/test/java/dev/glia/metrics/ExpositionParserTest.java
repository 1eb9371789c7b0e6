package dev.glia.metrics;

import static dev.glia.metrics.ExpositionFormat.OPENMETRICS;
import static dev.glia.metrics.ExpositionFormat.PROMETHEUS_TEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The text formats' rules, one case per rule: what a scrape must become, and which line it fails on. */
class ExpositionParserTest {

    private static Scrape prom(String text) {
        return Scrape.parse(text, PROMETHEUS_TEXT);
    }

    private static Scrape om(String text) {
        return Scrape.parse(text, OPENMETRICS);
    }

    private static Sample only(Scrape scrape) {
        List<Sample> all = scrape.families().stream().flatMap(f -> f.samples().stream()).toList();
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    // ---- values -------------------------------------------------------------------------------------

    static Stream<Arguments> values() {
        return Stream.of(
                Arguments.of("1", 1.0),
                Arguments.of("-2.5", -2.5),
                Arguments.of("1.458255915e9", 1.458255915e9),
                Arguments.of("1.7382173358407154e+09", 1.7382173358407154e9),
                Arguments.of("1.89e-7", 1.89e-7),
                Arguments.of(".5", 0.5),
                Arguments.of("+Inf", Double.POSITIVE_INFINITY),
                Arguments.of("-Inf", Double.NEGATIVE_INFINITY),
                Arguments.of("Inf", Double.POSITIVE_INFINITY),
                Arguments.of("NaN", Double.NaN),
                Arguments.of("Nan", Double.NaN));
    }

    @ParameterizedTest(name = "{0} reads as {1}")
    @MethodSource("values")
    void valuesAreDecimalScientificOrSpecial(String text, double expected) {
        assertThat(Double.valueOf(only(prom("foo " + text + "\n")).value())).isEqualTo(Double.valueOf(expected));
    }

    // ---- errors -------------------------------------------------------------------------------------

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of(PROMETHEUS_TEXT, "foo{a=\"1\",a=\"2\"} 1\n", 1, "duplicate label name 'a'"),
                Arguments.of(PROMETHEUS_TEXT, "1foo 1\n", 1, "invalid metric name in sample: '1foo'"),
                Arguments.of(PROMETHEUS_TEXT, "foo-bar 1\n", 1, "invalid metric name 'foo-bar'"),
                Arguments.of(PROMETHEUS_TEXT, "{a=\"1\"} 1\n", 1, "invalid metric name in sample: '{a=\"1\"}'"),
                Arguments.of(PROMETHEUS_TEXT, "foo{1a=\"x\"} 1\n", 1, "invalid label name at '1a=\"x\"} 1'"),
                Arguments.of(PROMETHEUS_TEXT, "foo{,a=\"x\"} 1\n", 1, "invalid label name at ',a=\"x\"} 1'"),
                Arguments.of(PROMETHEUS_TEXT, "foo{a=\"x\",,} 1\n", 1, "invalid label name at ',} 1'"),
                Arguments.of(PROMETHEUS_TEXT, "foo{a=\"\\x\"} 1\n", 1, "invalid escape '\\x' in value of label 'a'"),
                Arguments.of(PROMETHEUS_TEXT, "foo{a=\"x} 1\n", 1, "unterminated value of label 'a'"),
                Arguments.of(PROMETHEUS_TEXT, "foo{a=x} 1\n", 1, "value of label 'a' must be quoted"),
                Arguments.of(PROMETHEUS_TEXT, "foo{a} 1\n", 1, "expected '=' after label name 'a'"),
                Arguments.of(PROMETHEUS_TEXT, "foo{a=\"1\" b=\"2\"} 1\n", 1, "expected ',' or '}' after label 'a'"),
                Arguments.of(PROMETHEUS_TEXT, "foo{a=\"1\"\n", 1, "unterminated label set"),
                Arguments.of(PROMETHEUS_TEXT, "foo\n", 1, "missing value for 'foo'"),
                Arguments.of(PROMETHEUS_TEXT, "foo{a=\"1\"}\n", 1, "missing value for 'foo'"),
                Arguments.of(PROMETHEUS_TEXT, "foo 1.0d\n", 1, "invalid value '1.0d' for 'foo'"),
                Arguments.of(PROMETHEUS_TEXT, "foo 0x1p3\n", 1, "invalid value '0x1p3' for 'foo'"),
                Arguments.of(PROMETHEUS_TEXT, "foo Infinite\n", 1, "invalid value 'Infinite' for 'foo'"),
                Arguments.of(PROMETHEUS_TEXT, "foo 1 12.5\n", 1,
                        "invalid timestamp '12.5' (milliseconds as an integer)"),
                Arguments.of(PROMETHEUS_TEXT, "foo 1 2 3\n", 1, "unexpected text after the sample: '3'"),
                Arguments.of(PROMETHEUS_TEXT, "foo 1 # {} 1\n", 1,
                        "exemplars are only allowed in OpenMetrics: '# {} 1'"),
                Arguments.of(PROMETHEUS_TEXT, "# TYPE foo gauge\n# TYPE foo counter\n", 2,
                        "second TYPE line for 'foo'"),
                Arguments.of(PROMETHEUS_TEXT, "# HELP foo a\nfoo 1\n# HELP foo b\n", 3, "second HELP line for 'foo'"),
                Arguments.of(PROMETHEUS_TEXT, "# TYPE foo histo\n", 1, "unknown metric type 'histo' for 'foo'"),
                Arguments.of(PROMETHEUS_TEXT, "# TYPE foo info\n", 1, "unknown metric type 'info' for 'foo'"),
                Arguments.of(OPENMETRICS, "# TYPE foo untyped\n# EOF\n", 1, "unknown metric type 'untyped' for 'foo'"),
                Arguments.of(PROMETHEUS_TEXT, "# TYPE foo\n", 1, "TYPE line for 'foo' names no type"),
                Arguments.of(PROMETHEUS_TEXT, "# TYPE 1foo counter\n", 1, "invalid metric name in TYPE line: '1foo'"),
                Arguments.of(PROMETHEUS_TEXT, "# HELP foo-bar x\n", 1, "invalid metric name in HELP line: 'foo-bar'"),
                Arguments.of(PROMETHEUS_TEXT, "# TYPE h histogram\nh_bucket 1\n", 2,
                        "histogram bucket 'h_bucket' has no 'le' label"),
                Arguments.of(PROMETHEUS_TEXT, "# TYPE h histogram\nh_bucket{le=\"x\"} 1\n", 2,
                        "invalid 'le' value 'x'"),
                Arguments.of(PROMETHEUS_TEXT, "# TYPE s summary\ns{quantile=\"high\"} 1\n", 2,
                        "invalid 'quantile' value 'high'"),
                Arguments.of(PROMETHEUS_TEXT, "\n# a comment\n\nfoo 1\nfoo{a=\"1\",a=\"1\"} 1\n", 5,
                        "duplicate label name 'a'"),
                Arguments.of(OPENMETRICS, "# TYPE foo gauge\nfoo 1\n", 3,
                        "missing # EOF at the end of an OpenMetrics exposition"),
                Arguments.of(OPENMETRICS, "", 1, "missing # EOF at the end of an OpenMetrics exposition"),
                Arguments.of(OPENMETRICS, "foo 1\n# EOF\nbar 2\n", 3, "text after # EOF"),
                Arguments.of(OPENMETRICS, "foo 1\n# EOF\n\n", 3, "text after # EOF"),
                Arguments.of(OPENMETRICS, "foo 1 now\n# EOF\n", 1, "invalid timestamp 'now'"),
                Arguments.of(OPENMETRICS, "foo_bucket{le=\"1\"} 1 # trace 1\n# EOF\n", 1,
                        "exemplar must start with a label set: 'trace 1'"),
                Arguments.of(OPENMETRICS, "foo_bucket{le=\"1\"} 1 # {a=\"b\"}\n# EOF\n", 1,
                        "exemplar without a valid value"));
    }

    @ParameterizedTest(name = "[{index}] line {2}: {3}")
    @MethodSource("malformed")
    void malformedInputFailsOnItsLineWithAReason(ExpositionFormat format, String text, int line, String reason) {
        MetricsFormatException e = catchThrowableOfType(() -> Scrape.parse(text, format),
                MetricsFormatException.class);
        assertThat(e).as("no error for %s", text).isNotNull();
        assertThat(e.line()).isEqualTo(line);
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e).hasMessage("line " + line + ": " + reason);
    }

    // ---- metadata -----------------------------------------------------------------------------------

    @Test
    void helpTypeAndUnitMayComeAfterTheirSamples() {
        MetricFamily foo = prom("foo 1\n# TYPE foo gauge\n# UNIT foo seconds\n# HELP foo Time spent.\n")
                .family("foo").orElseThrow();
        assertThat(foo.type()).isEqualTo(MetricType.GAUGE);
        assertThat(foo.help()).contains("Time spent.");
        assertThat(foo.unit()).contains("seconds");
    }

    @Test
    void aFamilyWithoutTypeIsUntypedAndWithoutHelpHasNone() {
        MetricFamily foo = prom("foo 1\n").family("foo").orElseThrow();
        assertThat(foo.type()).isEqualTo(MetricType.UNTYPED);
        assertThat(foo.help()).isEmpty();
        assertThat(foo.unit()).isEmpty();
    }

    @Test
    void helpTextUnescapesBackslashAndNewline() {
        assertThat(prom("# HELP foo a\\\\b\\nc \\\"q\\\"\n").family("foo").orElseThrow().help())
                .contains("a\\b\nc \\\"q\\\"");
    }

    @Test
    void openMetricsHelpTextAlsoUnescapesDoubleQuotes() {
        assertThat(om("# HELP foo say \\\"hi\\\"\n# EOF\n").family("foo").orElseThrow().help())
                .contains("say \"hi\"");
    }

    @Test
    void openMetricsUnknownIsUntypedAndItsOwnTypesAreKnown() {
        Scrape s = om("""
                # TYPE a unknown
                a 1
                # TYPE cpu info
                cpu_info{model="xeon"} 1
                # TYPE door stateset
                door{door="open"} 1
                door{door="closed"} 0
                # TYPE q gaugehistogram
                q_bucket{le="1"} 2
                q_bucket{le="+Inf"} 3
                q_gsum 4
                q_gcount 3
                # EOF
                """);
        assertThat(s.families()).extracting(MetricFamily::name, MetricFamily::type).containsExactly(
                tuple("a", MetricType.UNTYPED),
                tuple("cpu", MetricType.INFO),
                tuple("door", MetricType.STATESET),
                tuple("q", MetricType.GAUGEHISTOGRAM));
        Histogram q = s.family("q").orElseThrow().histograms().get(0);
        assertThat(q.sum()).hasValue(4.0);
        assertThat(q.count()).hasValue(3.0);
    }

    // ---- suffixes and grouping ----------------------------------------------------------------------

    @Test
    void anOpenMetricsCounterOwnsItsTotalAndCreatedSamples() {
        Scrape s = om("# TYPE foo counter\nfoo_total 17.0\nfoo_created 1520430000.123\n# EOF\n");
        assertThat(s.families()).hasSize(1);
        MetricFamily foo = s.families().get(0);
        assertThat(foo.name()).isEqualTo("foo");
        assertThat(foo.type()).isEqualTo(MetricType.COUNTER);
        assertThat(foo.samples()).extracting(Sample::name).containsExactly("foo_total", "foo_created");
        assertThat(s.value("foo_total")).hasValue(17.0);
        assertThat(s.family("foo_total")).contains(foo);
    }

    @Test
    void aPrometheusCounterIsNamedAfterItsTotalSampleAndCreatedIsItsOwnGauge() {
        // how Python's prometheus_client (and so vLLM) writes counters in the 0.0.4 format
        Scrape s = prom("""
                # HELP vllm:num_preemptions_total Cumulative number of preemption from the engine.
                # TYPE vllm:num_preemptions_total counter
                vllm:num_preemptions_total{engine="0",model_name="m"} 5.0
                # HELP vllm:num_preemptions_created Cumulative number of preemption from the engine.
                # TYPE vllm:num_preemptions_created gauge
                vllm:num_preemptions_created{engine="0",model_name="m"} 1.7769301736864786e+09
                """);
        assertThat(s.families()).extracting(MetricFamily::name, MetricFamily::type).containsExactly(
                tuple("vllm:num_preemptions_total", MetricType.COUNTER),
                tuple("vllm:num_preemptions_created", MetricType.GAUGE));
        assertThat(s.value("vllm:num_preemptions_total")).hasValue(5.0);
    }

    @Test
    void aHistogramIsOneFamilyWithBucketsSumAndCount() {
        Scrape s = prom("""
                # TYPE lat histogram
                lat_bucket{path="/a",le="0.1"} 1
                lat_bucket{path="/a",le="+Inf"} 3
                lat_sum{path="/a"} 0.9
                lat_count{path="/a"} 3
                lat_bucket{path="/b",le="0.1"} 0
                lat_bucket{path="/b",le="+Inf"} 1
                lat_sum{path="/b"} 2
                lat_count{path="/b"} 1
                """);
        assertThat(s.families()).hasSize(1);
        List<Histogram> series = s.family("lat").orElseThrow().histograms();
        assertThat(series).hasSize(2);
        Histogram a = series.get(0);
        assertThat(a.labels()).isEqualTo(Map.of("path", "/a"));
        assertThat(a.buckets()).containsExactly(Map.entry(0.1, 1.0), Map.entry(Double.POSITIVE_INFINITY, 3.0));
        assertThat(a.sum()).hasValue(0.9);
        assertThat(a.count()).hasValue(3.0);
        assertThat(a.mean()).hasValue(0.3);
    }

    @Test
    void aSummaryIsOneFamilyWithQuantilesSumAndCount() {
        Scrape s = prom("""
                # TYPE rpc summary
                rpc{quantile="0.5"} 4773
                rpc{quantile="0.99"} 76656
                rpc_sum 1.7560473e+07
                rpc_count 2693
                """);
        assertThat(s.families()).hasSize(1);
        Summary rpc = s.family("rpc").orElseThrow().summaries().get(0);
        assertThat(rpc.quantile(0.99)).hasValue(76656.0);
        assertThat(rpc.quantile(0.9)).isEmpty();
        assertThat(rpc.sum()).hasValue(1.7560473e7);
        assertThat(rpc.count()).hasValue(2693.0);
    }

    @Test
    void familiesKeepTheOrderOfTheirFirstLine() {
        Scrape s = prom("b 1\n# TYPE a gauge\na 1\nc 1\n");
        assertThat(s.families()).extracting(MetricFamily::name).containsExactly("b", "a", "c");
    }

    // ---- labels -------------------------------------------------------------------------------------

    @Test
    void labelValuesUnescapeBackslashQuoteAndNewline() {
        Sample s = only(prom("f{path=\"C:\\\\DIR\\\\FILE.TXT\",error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\"} 1\n"));
        assertThat(s.label("path")).isEqualTo("C:\\DIR\\FILE.TXT");
        assertThat(s.label("error")).isEqualTo("Cannot find file:\n\"FILE.TXT\"");
    }

    @Test
    void labelsKeepTheirExpositionOrder() {
        Sample s = only(prom("f{z=\"1\",a=\"2\",m=\"3\"} 1\n"));
        assertThat(s.labels().keySet()).containsExactly("z", "a", "m");
    }

    @Test
    void emptyBracesAreNoLabels() {
        assertThat(only(prom("f{} 1\n")).labels()).isEmpty();
    }

    @Test
    void aTrailingCommaInALabelSetIsAllowed() {
        assertThat(only(prom("f{a=\"1\",} 1\n")).labels()).isEqualTo(Map.of("a", "1"));
    }

    @Test
    void labelValuesMayHoldBracesCommasAndHashes() {
        assertThat(only(prom("f{a=\"{x,y} # z\"} 1\n")).label("a")).isEqualTo("{x,y} # z");
    }

    @Test
    void colonsAreAllowedInMetricNamesButNotInLabelNames() {
        assertThat(only(prom("vllm:x{a=\"1\"} 1\n")).name()).isEqualTo("vllm:x");
        assertThat(catchThrowableOfType(() -> prom("f{a:b=\"1\"} 1\n"), MetricsFormatException.class).reason())
                .isEqualTo("expected '=' after label name 'a'");
    }

    // ---- timestamps, whitespace, comments, EOF, exemplars ---------------------------------------------

    @Test
    void prometheusTimestampsAreMillisecondsAndMayBeNegative() {
        assertThat(only(prom("f 1 1395066363000\n")).timestampMs()).isEqualTo(OptionalLong.of(1395066363000L));
        assertThat(only(prom("f +Inf -3982045\n")).timestampMs()).isEqualTo(OptionalLong.of(-3982045L));
        assertThat(only(prom("f 1\n")).timestampMs()).isEmpty();
    }

    @Test
    void openMetricsTimestampsAreSecondsAndBecomeMilliseconds() {
        assertThat(only(om("f 17.0 1520879607.789\n# EOF\n")).timestampMs())
                .isEqualTo(OptionalLong.of(1520879607789L));
    }

    @Test
    void blankLinesCommentsAndRunsOfSpacesOrTabsAreIgnored() {
        Scrape s = prom("\n# just a comment\n   \nf{a=\"1\"}  \t 2   1000\n#\n");
        Sample f = only(s);
        assertThat(f.value()).isEqualTo(2.0);
        assertThat(f.timestampMs()).isEqualTo(OptionalLong.of(1000));
    }

    @Test
    void prometheusTextReadsEofAsAnOrdinaryComment() {
        assertThat(prom("a 1\n# EOF\nb 2\n").families()).hasSize(2);
    }

    @Test
    void openMetricsEndsAtEofWithOrWithoutAFinalNewline() {
        assertThat(om("a 1\n# EOF").value("a")).hasValue(1.0);
        assertThat(om("# EOF\n").families()).isEmpty();
    }

    @Test
    void exemplarsAreSkipped() {
        Scrape s = om("""
                # TYPE foo histogram
                foo_bucket{le="0.1"} 8 # {} 0.054
                foo_bucket{le="1"} 11 # {trace_id="KOO5S4vxi0o"} 0.67
                foo_bucket{le="+Inf"} 17 # {trace_id="oHg5SJYRHA0",x="} #"} 9.8 1520879607.789
                # EOF
                """);
        assertThat(s.samples("foo_bucket")).extracting(Sample::value).containsExactly(8.0, 11.0, 17.0);
        assertThat(s.samples("foo_bucket")).allSatisfy(b -> assertThat(b.labels().keySet()).containsExactly("le"));
    }

    @Test
    void aCounterSampleMayCarryATimestampAndAnExemplar() {
        Sample s = only(om("# TYPE foo counter\nfoo_total 17.0 1520879607.789 # {trace_id=\"0af7\"} 1 1520879607.789\n"
                + "# EOF\n"));
        assertThat(s.value()).isEqualTo(17.0);
        assertThat(s.timestampMs()).isEqualTo(OptionalLong.of(1520879607789L));
    }

    @Test
    void bytesAreReadAsUtf8() throws IOException {
        byte[] utf8 = "# HELP temp Température ambiante.\ntemp{lieu=\"café\"} 21.5\n"
                .getBytes(StandardCharsets.UTF_8);
        Scrape s = Scrape.parse(new ByteArrayInputStream(utf8), PROMETHEUS_TEXT);
        assertThat(s.family("temp").orElseThrow().help()).contains("Température ambiante.");
        assertThat(s.value("temp", Map.of("lieu", "café"))).hasValue(21.5);
    }

    @Test
    void theContentTypeChoosesTheFormat() {
        assertThat(ExpositionFormat.fromContentType("application/openmetrics-text; version=1.0.0; charset=utf-8"))
                .isEqualTo(OPENMETRICS);
        assertThat(ExpositionFormat.fromContentType("text/plain; version=0.0.4; charset=utf-8"))
                .isEqualTo(PROMETHEUS_TEXT);
        assertThat(ExpositionFormat.fromContentType(null)).isEqualTo(PROMETHEUS_TEXT);
    }

    // ---- queries ------------------------------------------------------------------------------------

    private static final Scrape RUNNING = prom("""
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running{engine="0",model_name="m"} 3.0
            vllm:num_requests_running{engine="1",model_name="m"} 2.0
            vllm:num_requests_running{engine="0",model_name="other"} 7.0
            """);

    @Test
    void valueFindsTheOneSampleWhoseLabelsIncludeTheGivenOnes() {
        assertThat(RUNNING.value("vllm:num_requests_running", Map.of("engine", "1"))).hasValue(2.0);
        assertThat(RUNNING.value("vllm:num_requests_running", Map.of("engine", "0", "model_name", "m")))
                .hasValue(3.0);
    }

    @Test
    void valueIsEmptyWhenNothingMatchesNeverZero() {
        assertThat(RUNNING.value("vllm:num_requests_running", Map.of("engine", "9"))).isEmpty();
        assertThat(RUNNING.value("vllm:num_requests_waiting")).isEmpty();
        assertThat(RUNNING.sum("vllm:num_requests_waiting", l -> true)).isEqualTo(OptionalDouble.empty());
    }

    @Test
    void valueRefusesAQuestionThatMatchesSeveralSamples() {
        assertThat(catchThrowableOfType(() -> RUNNING.value("vllm:num_requests_running", Map.of("engine", "0")),
                IllegalArgumentException.class)).hasMessageContaining("matches more than one sample");
    }

    @Test
    void sumAddsTheSamplesThatPassTheFilter() {
        assertThat(RUNNING.sum("vllm:num_requests_running", Map.of("model_name", "m"))).hasValue(5.0);
        assertThat(RUNNING.sum("vllm:num_requests_running", l -> !l.get("engine").equals("1"))).hasValue(10.0);
    }

    @Test
    void theModelIsImmutable() {
        Scrape s = prom("f{a=\"1\"} 1\n");
        assertThat(catchThrowableOfType(() -> s.families().clear(), UnsupportedOperationException.class))
                .isNotNull();
        assertThat(catchThrowableOfType(() -> only(s).labels().put("b", "2"), UnsupportedOperationException.class))
                .isNotNull();
        assertThat(catchThrowableOfType(() -> s.families().get(0).samples().clear(),
                UnsupportedOperationException.class)).isNotNull();
    }
}
