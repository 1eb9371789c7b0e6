package dev.glia.sim.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.sim.Experiment;
import dev.glia.sim.RunWriter;
import dev.glia.sim.engine.SimulationResult;
import dev.glia.sim.engine.Workload;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioException;
import dev.glia.sim.scenario.ScenarioLoader;
import dev.glia.sim.scenario.WorkloadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replaying a CSV trace {@code arrived_at,num_prefill_tokens,num_decode_tokens}. */
class TraceReplayTest {
    private static final String CLUSTER = """
            cluster: {replicas: 2, gpu: a10, model: llama-3-8b, numBlocks: 2240, maxModelLen: 8192}
            policies: {router: llq}
            """;

    private static final String SYNTHETIC = "name: synthetic\nseed: 0\nduration: 120\n" + CLUSTER + """
            workload:
              arrivals: {process: lognormal, qps: 4, sigma: 2}
              lengths: {table: sharegpt}
              inflation: {promptFraction: 0.05, outputFraction: 0.05, factor: 10, cap: 4096}
            """;

    @TempDir
    Path dir;

    private static Scenario scenario(String yaml) {
        return ScenarioLoader.complete(ScenarioLoader.parse(yaml, "test"), "test", Path.of(""));
    }

    /** Writes a scenario file next to the trace and loads it, as `glia simulate --scenario FILE` would. */
    private Scenario traceScenario(String traceFile, String traceFields) throws IOException {
        return traceScenario(traceFile, traceFields, "");
    }

    private Scenario traceScenario(String traceFile, String traceFields, String workloadLines) throws IOException {
        Path file = dir.resolve("replay.yaml");
        Files.writeString(file, "name: replay\nseed: 0\n" + CLUSTER + "workload:\n  trace: {path: " + traceFile
                + traceFields + "}\n" + workloadLines);
        return ScenarioLoader.load(file.toString());
    }

    private Path writeTrace(String name, Workload.OpenLoop w) throws IOException {
        StringBuilder csv = new StringBuilder("arrived_at,num_prefill_tokens,num_decode_tokens\n");
        for (int i = 0; i < w.size(); i++) {
            // Double.toString prints the shortest decimal that reads back as the same double
            csv.append(w.arrivals()[i]).append(',').append(w.prompts()[i]).append(',').append(w.outputs()[i])
                    .append('\n');
        }
        Path file = dir.resolve(name);
        Files.writeString(file, csv);
        return file;
    }

    private static Experiment.SeedRun run(Scenario s) {
        return new Experiment(s).runSeed(0, new Experiment.Policies(() -> BuiltinRouters.create("llq"), null, null));
    }

    private static String requestMetrics(Scenario s, SimulationResult r) {
        Experiment e = new Experiment(s);
        return RunWriter.requestMetrics(r, e.engine().model(), e.engine().prefillChunk());
    }

    @Test
    void aWrittenWorkloadReplaysToTheSameArraysAndTheSameRequestMetrics() throws IOException {
        Scenario synthetic = scenario(SYNTHETIC);
        Workload.OpenLoop original = (Workload.OpenLoop) WorkloadFactory.build(synthetic, synthetic.seed());
        writeTrace("trace.csv", original);

        Scenario replay = traceScenario("trace.csv", "");
        Workload.OpenLoop replayed = (Workload.OpenLoop) WorkloadFactory.build(replay, replay.seed());

        assertThat(replayed.size()).isEqualTo(original.size()).isGreaterThan(200);
        for (int i = 0; i < original.size(); i++) {
            assertThat(replayed.arrivals()[i]).isCloseTo(original.arrivals()[i], within(1e-9));
        }
        assertThat(replayed.prompts()).containsExactly(original.prompts());
        assertThat(replayed.outputs()).containsExactly(original.outputs());

        Experiment.SeedRun a = run(synthetic);
        Experiment.SeedRun b = run(replay);
        assertThat(b.result().completed()).isEqualTo(original.size());
        assertThat(requestMetrics(replay, b.result())).isEqualTo(requestMetrics(synthetic, a.result()));
    }

    @Test
    void aRelativeTracePathIsResolvedAgainstTheScenarioFilesDirectory() throws IOException {
        Workload.OpenLoop original = (Workload.OpenLoop) WorkloadFactory.build(scenario(SYNTHETIC), 0);
        Path trace = writeTrace("relative.csv", original);

        Scenario replay = traceScenario("relative.csv", "");

        assertThat(Path.of(replay.workload().trace().path())).isEqualTo(trace.toAbsolutePath().normalize());
    }

    @Test
    void aTraceFileEditedSinceItWasReadIsReadAgain() throws IOException {
        Path file = dir.resolve("edited.csv");
        Files.writeString(file, "arrived_at,num_prefill_tokens,num_decode_tokens\n0.0,10,5\n1.0,20,5\n");
        assertThat(TraceReader.read(file).size()).isEqualTo(2);

        Files.writeString(file, "arrived_at,num_prefill_tokens,num_decode_tokens\n0.0,10,5\n1.0,20,5\n2.0,30,5\n");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));

        assertThat(TraceReader.read(file).size()).as("a long-running process sees the edit").isEqualTo(3);
    }

    @Test
    void withoutADurationTheWholeTraceIsReplayed() throws IOException {
        Workload.OpenLoop original = (Workload.OpenLoop) WorkloadFactory.build(scenario(SYNTHETIC), 0);
        writeTrace("trace.csv", original);

        Scenario replay = traceScenario("trace.csv", "");

        double last = original.arrivals()[original.size() - 1];
        assertThat(replay.duration()).isCloseTo(last, within(1e-6)).isGreaterThan(last);
    }

    @Test
    void aDurationShorterThanTheTraceCutsTheReplay() throws IOException {
        Workload.OpenLoop original = (Workload.OpenLoop) WorkloadFactory.build(scenario(SYNTHETIC), 0);
        writeTrace("trace.csv", original);

        Scenario replay = traceScenario("trace.csv", "").withDuration(60);
        Workload.OpenLoop cut = (Workload.OpenLoop) WorkloadFactory.build(replay, 0);

        long before60 = java.util.Arrays.stream(original.arrivals()).filter(t -> t < 60).count();
        assertThat(cut.size()).isEqualTo(before60).isLessThan(original.size());
        assertThat(cut.arrivals()[cut.size() - 1]).isLessThan(60);
    }

    @Test
    void traceQpsRescalesTimeSoTheRealisedRateMatches() throws IOException {
        Workload.OpenLoop original = (Workload.OpenLoop) WorkloadFactory.build(scenario(SYNTHETIC), 0);
        writeTrace("trace.csv", original);
        int n = original.size();
        double originalRate = (n - 1) / original.arrivals()[n - 1];

        Scenario replay = traceScenario("trace.csv", ", qps: 10");
        Workload.OpenLoop scaled = (Workload.OpenLoop) WorkloadFactory.build(replay, 0);

        assertThat(scaled.size()).isEqualTo(n);
        double realised = (n - 1) / (scaled.arrivals()[n - 1] - scaled.arrivals()[0]);
        assertThat(realised).isCloseTo(10, withinPercentage(1e-6));
        // the same shape, uniformly compressed
        double factor = originalRate / 10;
        for (int i = 0; i < n; i++) {
            assertThat(scaled.arrivals()[i]).isCloseTo(original.arrivals()[i] * factor, within(1e-9));
        }
        assertThat(scaled.prompts()).containsExactly(original.prompts());
    }

    @Test
    void qpsOverrideOnATraceScenarioRescalesTheTrace() throws IOException {
        Workload.OpenLoop original = (Workload.OpenLoop) WorkloadFactory.build(scenario(SYNTHETIC), 0);
        writeTrace("trace.csv", original);

        Scenario replay = ScenarioLoader.override(traceScenario("trace.csv", ""), 10.0, null, null, null, null);
        Workload.OpenLoop scaled = (Workload.OpenLoop) WorkloadFactory.build(replay, 0);

        int n = scaled.size();
        assertThat(replay.workload().trace().qps()).isEqualTo(10.0);
        assertThat(n).isEqualTo(original.size());
        assertThat((n - 1) / scaled.arrivals()[n - 1]).isCloseTo(10.0, withinPercentage(1e-6));
    }

    @Test
    void aLowerQpsOverrideOnATraceScenarioWithoutADurationStillReplaysTheWholeTrace() throws IOException {
        Workload.OpenLoop original = (Workload.OpenLoop) WorkloadFactory.build(scenario(SYNTHETIC), 0);
        writeTrace("trace.csv", original);

        Scenario replay = ScenarioLoader.override(traceScenario("trace.csv", ""), 2.0, null, null, null, null);
        Workload.OpenLoop scaled = (Workload.OpenLoop) WorkloadFactory.build(replay, 0);

        assertThat(scaled.size()).isEqualTo(original.size());
    }

    @Test
    void inflationAppliesToReplayedLengths() throws IOException {
        Files.writeString(dir.resolve("flat.csv"), """
                arrived_at,num_prefill_tokens,num_decode_tokens
                0.0,100,20
                0.5,100,20
                1.0,100,20
                """);

        Scenario replay = traceScenario("flat.csv", "", "  inflation: {promptFraction: 1, factor: 3}\n");
        Workload.OpenLoop w = (Workload.OpenLoop) WorkloadFactory.build(replay, 0);

        assertThat(w.prompts()).containsExactly(300, 300, 300);
        assertThat(w.outputs()).containsExactly(20, 20, 20);
    }

    @Test
    void extraColumnsInATraceAreIgnoredAndColumnsMayComeInAnyOrder() throws IOException {
        Files.writeString(dir.resolve("wide.csv"), """
                request_id,num_decode_tokens,arrived_at,num_prefill_tokens
                a,7,0.0,11
                b,8,0.25,12
                """);

        Workload.OpenLoop w = (Workload.OpenLoop) WorkloadFactory.build(traceScenario("wide.csv", ""), 0);

        assertThat(w.arrivals()).containsExactly(0.0, 0.25);
        assertThat(w.prompts()).containsExactly(11, 12);
        assertThat(w.outputs()).containsExactly(7, 8);
    }

    @Test
    void theSharedShareGptTraceReplaysWithEveryRequest() throws IOException {
        String shared = System.getProperty("glia.shared.data");
        assumeTrue(shared != null, "glia.shared.data is not set");
        Path trace = Path.of(shared, "traces", "sharegpt_6.0.csv");
        assumeTrue(Files.isReadable(trace), "no shared trace at " + trace);
        long rows = Files.readAllLines(trace).stream().skip(1).filter(l -> !l.isBlank()).count();

        Scenario replay = traceScenario(trace.toAbsolutePath().toString(), "");
        Workload.OpenLoop w = (Workload.OpenLoop) WorkloadFactory.build(replay, 0);
        SimulationResult r = run(replay).result();

        assertThat(w.size()).isEqualTo(rows).isGreaterThan(1000);
        // realised 6.98 req/s (shared/data/README.md)
        assertThat((w.size() - 1) / w.arrivals()[w.size() - 1]).isCloseTo(6.98, within(0.01));
        assertThat(r.requests()).hasSize((int) rows);
        assertThat(r.completed()).isEqualTo(rows);
    }

    // ---- malformed traces --------------------------------------------------------------------------

    private List<String> problemsLoading(String traceName, String csv) throws IOException {
        Files.writeString(dir.resolve(traceName), csv);
        ScenarioException e = catchThrowableOfType(ScenarioException.class, () -> traceScenario(traceName, ""));
        assertThat(e).as("a scenario replaying %s should be refused", traceName).isNotNull();
        return e.problems();
    }

    @Test
    void aNonNumericTokenCountIsReportedWithFileLineAndColumn() throws IOException {
        List<String> problems = problemsLoading("bad-tokens.csv", """
                arrived_at,num_prefill_tokens,num_decode_tokens
                0.0,10,20
                0.1,ten,20
                """);

        assertThat(problems).singleElement().asString()
                .startsWith("workload.trace")
                .contains(dir.resolve("bad-tokens.csv") + ":3:")
                .contains("num_prefill_tokens")
                .contains("'ten'");
    }

    @Test
    void aFractionalOrZeroTokenCountIsRefused() throws IOException {
        assertThat(problemsLoading("zero.csv", """
                arrived_at,num_prefill_tokens,num_decode_tokens
                0.0,10,0
                """)).singleElement().asString()
                .contains("zero.csv:2:")
                .contains("num_decode_tokens");
        assertThat(problemsLoading("fraction.csv", """
                arrived_at,num_prefill_tokens,num_decode_tokens
                0.0,10,5
                1.0,10.5,5
                """)).singleElement().asString()
                .contains("fraction.csv:3:")
                .contains("num_prefill_tokens");
    }

    @Test
    void decreasingArrivalsAreReportedWithFileLineAndColumn() throws IOException {
        List<String> problems = problemsLoading("unsorted.csv", """
                arrived_at,num_prefill_tokens,num_decode_tokens
                0.0,10,20
                2.0,10,20
                1.0,10,20
                """);

        assertThat(problems).singleElement().asString()
                .contains(dir.resolve("unsorted.csv") + ":4:")
                .contains("arrived_at")
                .contains("sort");
    }

    @Test
    void aMissingHeaderColumnIsNamed() throws IOException {
        List<String> problems = problemsLoading("no-decode.csv", """
                arrived_at,num_prefill_tokens
                0.0,10
                """);

        assertThat(problems).singleElement().asString()
                .contains(dir.resolve("no-decode.csv").toString())
                .contains("num_decode_tokens")
                .contains("[arrived_at, num_prefill_tokens]");
    }

    @Test
    void aShortRowIsReportedWithFileAndLine() throws IOException {
        assertThat(problemsLoading("short.csv", """
                arrived_at,num_prefill_tokens,num_decode_tokens
                0.0,10,20
                0.5,10
                """)).singleElement().asString()
                .contains("short.csv:3:")
                .contains("expected 3 fields");
    }

    @Test
    void anEmptyTraceFileIsReportedAsEmpty() throws IOException {
        assertThat(problemsLoading("empty.csv", "")).singleElement().asString()
                .contains(dir.resolve("empty.csv").toString())
                .contains("empty file")
                .contains("arrived_at,num_prefill_tokens,num_decode_tokens");
    }

    @Test
    void aTraceWithOnlyAHeaderIsReportedAsHavingNoRequests() throws IOException {
        assertThat(problemsLoading("header-only.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n"))
                .singleElement().asString()
                .contains("header-only.csv")
                .contains("no requests");
    }
}
