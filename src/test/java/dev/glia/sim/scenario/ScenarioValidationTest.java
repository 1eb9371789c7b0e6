package dev.glia.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A scenario that cannot run is refused up front, with every problem named by its field path. */
class ScenarioValidationTest {

    /** Parses and completes YAML the way {@link ScenarioLoader#load} does for a file. */
    private static Scenario loadYaml(String yaml) {
        return ScenarioLoader.complete(ScenarioLoader.parse(yaml, "test.yaml"), "test.yaml", Path.of(""));
    }

    private static List<String> problemsOf(String yaml) {
        ScenarioException e = catchThrowableOfType(ScenarioException.class, () -> loadYaml(yaml));
        assertThat(e).as("scenario should be rejected:%n%s", yaml).isNotNull();
        return e.problems();
    }

    // ---- parse errors ------------------------------------------------------------------------------

    @Test
    void unknownFieldIsNamedWithItsDottedPathAndTheKnownFields() {
        List<String> problems = problemsOf("""
                cluster:
                  replicaz: 4
                """);

        assertThat(problems).singleElement().asString()
                .startsWith("cluster.replicaz: unknown field")
                .contains("known fields here")
                .contains("replicas", "gpu", "model", "numBlocks", "maxModelLen");
    }

    @Test
    void unknownFieldDeepInsideTheWorkloadIsNamedWithItsFullPath() {
        List<String> problems = problemsOf("""
                workload:
                  arrivals:
                    process: poisson
                    qpss: 3
                """);

        assertThat(problems).singleElement().asString()
                .startsWith("workload.arrivals.qpss: unknown field")
                .contains("qps", "sigma", "users");
    }

    @Test
    void stringWhereANumberBelongsNamesTheFieldAndTheExpectedType() {
        List<String> problems = problemsOf("""
                cluster:
                  replicas: four
                """);

        assertThat(problems).singleElement().asString()
                .startsWith("cluster.replicas")
                .contains("'four'")
                .contains("integer");
    }

    @Test
    void stringWhereADecimalBelongsNamesTheField() {
        List<String> problems = problemsOf("""
                workload:
                  arrivals:
                    qps: fast
                """);

        assertThat(problems).singleElement().asString()
                .startsWith("workload.arrivals.qps")
                .contains("'fast'")
                .contains("number");
    }

    @Test
    void invalidYamlIsReportedWithItsLine() {
        List<String> problems = problemsOf("""
                name: broken
                cluster:
                  replicas: 4
                  gpu: a10: h100
                """);

        assertThat(problems).singleElement().asString()
                .startsWith("not valid YAML")
                .contains("mapping values are not allowed")
                .endsWith("(line 4)");
    }

    @Test
    void badIndentationIsReportedWithTheLineOfTheOffendingKey() {
        List<String> problems = problemsOf("""
                name: broken
                cluster:
                  replicas: 4
                 gpu: a10
                """);

        assertThat(problems).singleElement().asString()
                .startsWith("not valid YAML")
                .endsWith("(line 4)");
    }

    @Test
    void aTabIndentIsReportedOnTheLineOfTheTab() {
        List<String> problems = problemsOf("name: x\ncluster:\n\treplicas: 4\n");

        assertThat(problems).singleElement().asString()
                .startsWith("not valid YAML")
                .endsWith("(line 3)");
    }

    @Test
    void anEmptyFileIsRefusedAsEmpty() {
        assertThatThrownBy(() -> ScenarioLoader.parse("", "empty.yaml"))
                .isInstanceOf(ScenarioException.class)
                .hasMessageContaining("empty.yaml")
                .hasMessageContaining("empty");
    }

    // ---- impossible values -------------------------------------------------------------------------

    static Stream<Arguments> impossibleValues() {
        return Stream.of(
                Arguments.of("cluster.replicas", """
                        cluster: {replicas: 0}
                        """),
                Arguments.of("cluster.gpu", """
                        cluster: {gpu: tpu-v9}
                        """),
                Arguments.of("cluster.tensorParallel", """
                        cluster: {tensorParallel: 3}
                        """),
                Arguments.of("cluster.blockSize", """
                        cluster: {blockSize: 20}
                        """),
                Arguments.of("cluster.gpuMemoryUtilization", """
                        cluster: {gpuMemoryUtilization: 1.5}
                        """),
                Arguments.of("cluster.numBlocks", """
                        cluster: {numBlocks: 100, blockSize: 16, maxModelLen: 8192}
                        """),
                Arguments.of("workload.arrivals.qps", """
                        workload:
                          arrivals: {process: poisson, qps: -2}
                        """),
                Arguments.of("workload.arrivals.maxQps", """
                        workload:
                          arrivals: {process: sinusoid, minQps: 10, maxQps: 5, period: 600}
                        """),
                Arguments.of("workload.arrivals.users", """
                        workload:
                          arrivals: {process: closed-loop, users: 0}
                        """),
                Arguments.of("workload.arrivals.process", """
                        workload:
                          arrivals: {process: hawkes, qps: 3}
                        """),
                Arguments.of("workload.lengths.table", """
                        workload:
                          lengths: {table: no-such-table}
                        """),
                Arguments.of("workload.inflation.promptFraction", """
                        workload:
                          inflation: {promptFraction: 2}
                        """),
                Arguments.of("cluster.maxNumBatchedTokens", """
                        cluster: {scheduler: vllm, maxNumBatchedTokens: 4096, maxModelLen: 8192}
                        """),
                Arguments.of("autoscaling.maxReplicas", """
                        policies: {autoscaler: throughput}
                        autoscaling: {minReplicas: 4, maxReplicas: 2}
                        """),
                Arguments.of("workload.trace.path", """
                        workload:
                          trace: {path: /nonexistent/glia/trace.csv}
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impossibleValues")
    void impossibleValueIsRefusedWithAMessageNamingTheField(String field, String yaml) {
        assertThat(problemsOf(yaml)).singleElement().asString().startsWith(field);
    }

    @Test
    void unknownGpuMessageListsTheKnownGpus() {
        assertThat(problemsOf("cluster: {gpu: tpu-v9}\n")).singleElement().asString()
                .contains("'tpu-v9'")
                .contains("a10", "a100", "h100");
    }

    @Test
    void modelThatDoesNotFitOnTheGpuSaysSoAndSuggestsRemedies() {
        assertThat(problemsOf("cluster: {gpu: a10, model: llama-3-70b, tensorParallel: 1}\n"))
                .anySatisfy(p -> assertThat(p)
                        .startsWith("cluster:")
                        .contains("llama-3-70b")
                        .contains("does not fit")
                        .contains("1x a10")
                        .contains("tensorParallel"));
    }

    @Test
    void modelThatDoesNotFitOnTheGpuIsReportedOnceWithoutMentioningNumBlocksTheUserNeverSet() {
        assertThat(problemsOf("cluster: {gpu: a10, model: llama-3-70b}\n")).singleElement().asString()
                .contains("does not fit");
    }

    @Test
    void theSameModelFitsWhenSplitOverEnoughGpus() {
        Scenario s = loadYaml("cluster: {gpu: h100, model: llama-3-70b, tensorParallel: 4, dtype: fp8}\n");

        assertThat(s.cluster().numBlocks()).isPositive();
    }

    @Test
    void unknownArrivalProcessListsTheKnownProcesses() {
        assertThat(problemsOf("workload:\n  arrivals: {process: hawkes}\n")).singleElement().asString()
                .contains("'hawkes'")
                .contains("poisson", "lognormal", "gamma", "sinusoid", "closed-loop");
    }

    @Test
    void severalProblemsAreAllReportedAtOnce() {
        ScenarioException e = catchThrowableOfType(ScenarioException.class, () -> loadYaml("""
                cluster:
                  replicas: 0
                  blockSize: 20
                  tensorParallel: 3
                workload:
                  arrivals: {process: poisson, qps: -1}
                  inflation: {outputFraction: 2}
                policies:
                  router: no-such-router
                """));

        assertThat(e.problems()).hasSize(6);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("cluster.replicas"))
                .anySatisfy(p -> assertThat(p).startsWith("cluster.blockSize"))
                .anySatisfy(p -> assertThat(p).startsWith("cluster.tensorParallel"))
                .anySatisfy(p -> assertThat(p).startsWith("workload.arrivals.qps"))
                .anySatisfy(p -> assertThat(p).startsWith("workload.inflation.outputFraction"))
                .anySatisfy(p -> assertThat(p).startsWith("policies.router"));
        assertThat(e.getMessage()).contains("test.yaml").contains(e.problems());
    }

    // ---- files and bundled scenarios ---------------------------------------------------------------

    @Test
    void aScenarioFileWithAnUnknownFieldIsReportedWithTheFileName(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("typo.yaml");
        Files.writeString(file, """
                cluster:
                  replicas: 2
                workload:
                  lenghts: {table: sharegpt}
                """);

        assertThatThrownBy(() -> ScenarioLoader.load(file.toString()))
                .isInstanceOf(ScenarioException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("workload.lenghts: unknown field")
                .hasMessageContaining("lengths");
    }

    @Test
    void aScenarioFileWithoutANameIsNamedAfterTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("my-cluster.yaml");
        Files.writeString(file, "cluster: {replicas: 2}\nduration: 60\n");

        assertThat(ScenarioLoader.load(file.toString()).name()).isEqualTo("my-cluster");
    }

    @Test
    void anUnknownScenarioNameListsTheBundledScenarios() {
        assertThatThrownBy(() -> ScenarioLoader.load("nope"))
                .isInstanceOf(ScenarioException.class)
                .hasMessageContaining("nope")
                .hasMessageContaining("low-load")
                .hasMessageContaining("glia-sharegpt-a10");
    }

    @Test
    void everyBundledScenarioLoadsAndIsComplete() {
        List<String> bundled = ScenarioLoader.bundled();
        assertThat(bundled).contains("glia-sharegpt-a10", "glia-prefill-heavy-h100", "glia-sinusoid-autoscale",
                "low-load").isSorted();

        for (String name : bundled) {
            Scenario s = ScenarioLoader.load(name);
            assertThat(s.name()).as(name).isEqualTo(name);
            assertThat(s.seed()).as(name).isNotNull();
            assertThat(s.duration()).as(name).isPositive();
            Scenario.Cluster c = s.cluster();
            assertThat(c.replicas()).as(name).isPositive();
            assertThat(List.of(c.gpu(), c.model(), c.dtype(), c.scheduler())).as(name).doesNotContainNull();
            assertThat(c.numBlocks()).as(name).isNotNull().isPositive();
            assertThat((long) c.numBlocks() * c.blockSize()).as(name).isGreaterThanOrEqualTo(c.maxModelLen());
            assertThat(s.workload().arrivals().process()).as(name).isNotNull();
            assertThat(s.policies().router()).as(name).isNotNull();
            assertThat(s.policies().batchPriority()).as(name).isNotNull();
            if (s.policies().autoscaler() != null) {
                assertThat(s.autoscaling()).as(name).isNotNull();
                assertThat(s.autoscaling().interval()).as(name).isPositive();
            }
            // a completed scenario is a fixed point: completing it again changes nothing
            assertThat(ScenarioLoader.complete(s, name, Path.of(""))).as(name).isEqualTo(s);
        }
    }

    @Test
    void defaultsAreFilledForAnEmptyScenario() {
        Scenario s = loadYaml("name: bare\n");

        assertThat(s.duration()).isEqualTo(600.0);
        assertThat(s.seed()).isZero();
        assertThat(s.cluster().replicas()).isEqualTo(1);
        assertThat(s.cluster().gpu()).isEqualTo("a10");
        assertThat(s.cluster().model()).isEqualTo("llama-3-8b");
        assertThat(s.workload().arrivals().process()).isEqualTo("poisson");
        assertThat(s.workload().lengths().table()).isEqualTo("sharegpt");
        assertThat(s.policies().router()).isEqualTo("llq");
        assertThat(s.autoscaling()).isNull();
    }

    @Test
    void withoutNumBlocksTheKvCacheIsSizedFromGpuMemory() {
        Scenario s = loadYaml("cluster: {gpu: a10, model: llama-3-8b}\n");

        // vLLM reports 2,240 blocks of 16 tokens for Llama-3-8B on an A10G at 0.9 utilisation
        assertThat(s.cluster().numBlocks().doubleValue()).isCloseTo(2240, within(0.15 * 2240));
    }

    @Test
    void moreGpuMemoryMeansMoreKvBlocks() {
        int a10 = loadYaml("cluster: {gpu: a10}\n").cluster().numBlocks();
        int a100 = loadYaml("cluster: {gpu: a100}\n").cluster().numBlocks();
        int lowUtilisation = loadYaml("cluster: {gpu: a10, gpuMemoryUtilization: 0.8}\n").cluster().numBlocks();

        assertThat(a100).isGreaterThan(a10);
        assertThat(lowUtilisation).isLessThan(a10);
    }

    @Test
    void autoscalerWithoutAnAutoscalingSectionGetsDefaults() {
        Scenario s = loadYaml("cluster: {replicas: 3}\npolicies: {autoscaler: throughput}\n");

        assertThat(s.autoscaling()).isNotNull();
        assertThat(s.autoscaling().minReplicas()).isEqualTo(1);
        assertThat(s.autoscaling().maxReplicas()).isGreaterThanOrEqualTo(3);
        assertThat(s.autoscaling().interval()).isPositive();
        assertThat(s.autoscaling().coldStart()).isNotNegative();
    }

    // ---- command-line overrides --------------------------------------------------------------------

    @Test
    void qpsOverrideOnAClosedLoopScenarioIsRefusedPointingAtUsers() {
        Scenario closed = ScenarioLoader.load("glia-prefill-heavy-h100");

        assertThatThrownBy(() -> ScenarioLoader.override(closed, 5.0, null, null, null, null))
                .isInstanceOf(ScenarioException.class)
                .hasMessageContaining("--qps")
                .hasMessageContaining("users");
    }

    @Test
    void qpsOverrideReplacesTheRateOfAnOpenLoopScenario() {
        Scenario s = ScenarioLoader.override(ScenarioLoader.load("low-load"), 5.0, 60.0, null, null, null);

        assertThat(s.workload().arrivals().qps()).isEqualTo(5.0);
        assertThat(s.workload().arrivals().sigma()).isEqualTo(2.0);
        assertThat(s.duration()).isEqualTo(60.0);
    }

    @Test
    void qpsOverrideOnASinusoidKeepsItsShapeAroundTheNewMidpoint() {
        Scenario s = ScenarioLoader.override(ScenarioLoader.load("glia-sinusoid-autoscale"), 30.0, null, null, null,
                null);

        // 7.5..22.5 around 15 becomes 15..45 around 30
        assertThat(s.workload().arrivals().minQps()).isCloseTo(15.0, within(1e-9));
        assertThat(s.workload().arrivals().maxQps()).isCloseTo(45.0, within(1e-9));
        assertThat(s.workload().arrivals().period()).isEqualTo(7200.0);
    }

    @ParameterizedTest(name = "a scrapeInterval of {0} is refused, naming the field")
    @ValueSource(strings = {"-0.5", "1e999"})
    void aScrapeIntervalThatIsNegativeOrNotFiniteIsRefusedNamingTheField(String value) {
        List<String> problems = problemsOf("cluster: {scrapeInterval: " + value + "}\n");

        assertThat(problems).singleElement().asString()
                .startsWith("cluster.scrapeInterval: must be finite seconds of model time, at least 0");
    }

    @Test
    void aScrapeIntervalIsKeptAsWrittenAndLeftOutWhenAbsentSoOldConfigsStayIdentical() {
        assertThat(loadYaml("cluster: {scrapeInterval: 0.5}\n").cluster().scrapeInterval()).isEqualTo(0.5);
        assertThat(loadYaml("cluster: {replicas: 2}\n").cluster().scrapeInterval()).isNull();
    }

    @Test
    void scrapeIntervalOverrideSetsTheClusterFieldAndIsValidatedLikeTheFile() {
        Scenario lowLoad = ScenarioLoader.load("low-load");

        assertThat(ScenarioLoader.overrideScrapeInterval(lowLoad, 0.5).cluster().scrapeInterval()).isEqualTo(0.5);
        assertThat(ScenarioLoader.overrideScrapeInterval(lowLoad, null)).isSameAs(lowLoad);
        assertThatThrownBy(() -> ScenarioLoader.overrideScrapeInterval(lowLoad, -1.0))
                .isInstanceOf(ScenarioException.class)
                .hasMessageContaining("cluster.scrapeInterval")
                .hasMessageContaining("got -1.0");
        assertThatThrownBy(() -> ScenarioLoader.overrideScrapeInterval(lowLoad, Double.NaN))
                .isInstanceOf(ScenarioException.class)
                .hasMessageContaining("cluster.scrapeInterval")
                .hasMessageContaining("got NaN");
    }

    @Test
    void overridingWithAnUnknownRouterIsRefused() {
        Scenario lowLoad = ScenarioLoader.load("low-load");

        assertThatThrownBy(() -> ScenarioLoader.override(lowLoad, null, null, "nope", null, null))
                .isInstanceOf(ScenarioException.class)
                .hasMessageContaining("policies.router")
                .hasMessageContaining("llq");
    }

    // ---- inline quantile tables (what glia fit writes) ------------------------------------------------

    @Test
    void anInlineQuantileTableIsSampledLikeTheBundledTables() {
        Scenario s = loadYaml("""
                duration: 2000
                workload:
                  arrivals: {process: poisson, qps: 2}
                  lengths:
                    prompt: {distribution: quantiles, quantiles: [10, 100, 110, 1000]}
                    output: {distribution: quantiles, quantiles: [5, 5]}
                """);
        dev.glia.sim.engine.Workload.OpenLoop w = (dev.glia.sim.engine.Workload.OpenLoop) WorkloadFactory.build(s, 0);
        int[] prompts = w.prompts().clone();
        java.util.Arrays.sort(prompts);
        assertThat(prompts[0]).isGreaterThanOrEqualTo(10);
        assertThat(prompts[prompts.length - 1]).isLessThanOrEqualTo(1000);
        assertThat(prompts[prompts.length / 2]).isBetween(100, 110); // the middle third lies between 100 and 110
        assertThat(w.outputs()).containsOnly(5);
    }

    @Test
    void aQuantileTableMustHaveTwoValuesAtLeastOneTokenNeverDecreasing() {
        assertThat(problemsOf("""
                workload:
                  lengths:
                    prompt: {distribution: quantiles, quantiles: [10]}
                    output: {distribution: quantiles, quantiles: [0.5, 3]}
                """)).containsExactly(
                "workload.lengths.prompt.quantiles: needs at least 2 values (tokens at probabilities 0, 1/(n-1), ..., 1), got 1",
                "workload.lengths.output.quantiles[0]: must be a finite number of tokens, at least 1, got 0.5");
        assertThat(problemsOf("""
                workload:
                  lengths:
                    prompt: {distribution: quantiles, quantiles: [10, 20, 15]}
                    output: {distribution: quantiles}
                """)).containsExactly(
                "workload.lengths.prompt.quantiles[2]: 15.0 is smaller than the value before it (20.0); quantiles never decrease",
                "workload.lengths.output.quantiles: needs at least 2 values (tokens at probabilities 0, 1/(n-1), ..., 1), got none");
    }
}
