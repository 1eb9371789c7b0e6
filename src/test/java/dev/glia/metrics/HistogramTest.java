package dev.glia.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Quantiles from cumulative buckets, as PromQL's histogram_quantile computes them. */
class HistogramTest {

    private static final double INF = Double.POSITIVE_INFINITY;

    private static Histogram of(double... boundThenCount) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (int i = 0; i < boundThenCount.length; i += 2) {
            buckets.put(boundThenCount[i], boundThenCount[i + 1]);
        }
        return new Histogram(Map.of(), buckets, OptionalDouble.empty(), OptionalDouble.empty());
    }

    /** The request-duration histogram of Prometheus' exposition-format documentation. */
    private static final Histogram DOCS = of(0.05, 24054, 0.1, 33444, 0.2, 100392, 0.5, 129389, 1, 133988,
            INF, 144320);

    @ParameterizedTest(name = "q={0} -> {1}")
    @CsvSource({
        "0.1, 0.02999916853745739",  // inside the lowest bucket, which starts at 0
        "0.5, 0.15782995757901658",  // between 0.1 and 0.2
        "0.9, 0.5542509241139378",   // between 0.5 and 1
        "0.99, 1.0",                 // in the +Inf bucket: the highest finite bound
        "1.0, 1.0",
        "0.0, 0.0"})
    void interpolatesLinearlyInsideTheBucketHoldingTheRank(double q, double expected) {
        assertThat(DOCS.quantile(q)).isCloseTo(expected, within(1e-12));
    }

    @Test
    void outOfRangeQuantilesAreInfinite() {
        assertThat(DOCS.quantile(-0.1)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(DOCS.quantile(1.1)).isEqualTo(INF);
        assertThat(DOCS.quantile(Double.NaN)).isNaN();
    }

    @Test
    void isUndefinedWithoutAnInfBucketOrObservations() {
        assertThat(of(0.1, 1, 1, 2).quantile(0.5)).as("no +Inf bucket").isNaN();
        assertThat(of(INF, 5).quantile(0.5)).as("a single bucket").isNaN();
        assertThat(of(0.1, 0, INF, 0).quantile(0.5)).as("no observations").isNaN();
    }

    @Test
    void aNonPositiveLowestBoundIsReturnedAsIs() {
        assertThat(of(-1, 5, 0, 8, INF, 10).quantile(0.2)).isEqualTo(-1.0);
    }

    @Test
    void nonMonotonicBucketsAreRepairedAsPromQlDoes() {
        // the 0.2 bucket dips below the 0.1 bucket (a racy exporter); PromQL takes the running maximum
        assertThat(of(0.1, 10, 0.2, 8, 0.4, 20, INF, 20).quantile(0.5)).isEqualTo(0.1);
    }

    @Test
    void countFallsBackToTheInfBucketAndMeanNeedsASum() {
        assertThat(DOCS.count()).hasValue(144320.0);
        assertThat(DOCS.mean()).isEmpty();
        assertThat(of(0.1, 1).count()).isEmpty();
    }

    @Test
    void seriesSumBucketByBucketKeepingTheLabelsTheyShare() {
        Histogram a = new Histogram(Map.of("model_name", "m", "engine", "0"), new TreeMap<>(Map.of(1.0, 1.0, INF, 2.0)),
                OptionalDouble.of(3), OptionalDouble.of(2));
        Histogram b = new Histogram(Map.of("model_name", "m", "engine", "1"), new TreeMap<>(Map.of(1.0, 3.0, INF, 4.0)),
                OptionalDouble.of(5), OptionalDouble.of(4));
        Histogram sum = Histogram.sumOf(List.of(a, b)).orElseThrow();
        assertThat(sum.labels()).isEqualTo(Map.of("model_name", "m"));
        assertThat(sum.buckets()).containsExactly(Map.entry(1.0, 4.0), Map.entry(INF, 6.0));
        assertThat(sum.sum()).hasValue(8.0);
        assertThat(sum.count()).hasValue(6.0);
        assertThat(Histogram.sumOf(List.of())).isEmpty();
    }
}
