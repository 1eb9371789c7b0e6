package dev.glia.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.glia.policy.sandbox.PolicyRejected;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Experiments in a child JVM: the same results as in process, and the process boundary as the outer wall. */
class IsolatedExperimentsTest {
    private static final IsolatedExperiments CHILD = new IsolatedExperiments(
            new IsolatedExperiments.Limits("256m", 120, 240));

    @TempDir
    Path tmp;

    @AfterAll
    static void stop() {
        CHILD.close();
    }

    static final String HOARDER = """
            import dev.glia.policy.*;
            import java.util.*;

            /** Keeps a little more memory on every call, within every per-call budget. */
            public class Hoarder implements Router {
                private final List<long[]> kept = new ArrayList<>();

                public void route(ClusterView c, Dispatch d) {
                    for (int i = 0; i < 8; i++) {
                        kept.add(new long[2_000_000]);
                    }
                    for (RequestView r : c.queue()) {
                        d.send(r, c.replicas().get(0));
                    }
                }
            }
            """;

    private Scenario scenario(String router) {
        return ScenarioLoader.override(ScenarioLoader.load("low-load"), null, 60.0, router, null, null);
    }

    private Path policy(String name, String source) throws IOException {
        Path file = tmp.resolve(name + ".java");
        Files.writeString(file, source);
        return file;
    }

    @Test
    void anIsolatedExperimentGivesTheSameFiguresAndRunDirectoryAsInProcess() throws IOException {
        Scenario s = scenario("hra-spf");
        PolicySet policies = PolicySet.of(s, Map.of());
        Experiment.Result here = new Experiment(s).run(2, policies.factories(), 2, n -> { });
        RunWriter.write(tmp.resolve("here"), here, policies.describe(), 1);

        ExperimentSummary isolated = CHILD.run(s, Path.of(""), Map.of(), 2, 2, tmp.resolve("isolated"), 1);

        ExperimentSummary expected = ExperimentSummary.of(here);
        assertThat(isolated.figures().keySet()).containsExactlyElementsOf(expected.figures().keySet());
        expected.figures().forEach((k, v) -> {
            assertThat(Double.doubleToLongBits(isolated.figures().get(k).mean())).as(k)
                    .isEqualTo(Double.doubleToLongBits(v.mean()));
            assertThat(isolated.figures().get(k).perSeed()).as(k).containsExactly(v.perSeed());
        });
        assertThat(isolated.e2eSample()).containsExactly(expected.e2eSample());
        assertThat(isolated.observed()).isEqualTo(expected.observed());
        assertThat(tmp.resolve("isolated/seed-0/request_metrics.csv"))
                .hasSameBinaryContentAs(tmp.resolve("here/seed-0/request_metrics.csv"));
    }

    @Test
    void aPolicyThatHoardsMemoryAcrossCallsIsStoppedByTheChildsHeapAndTheNextExperimentRuns() throws IOException {
        Scenario hoarding = scenario(policy("Hoarder", HOARDER).toString());

        Throwable thrown = catchThrowable(() -> CHILD.run(hoarding, Path.of(""), Map.of(), 1, 1, tmp.resolve("a"), 1));

        assertThat(thrown).isInstanceOf(IsolatedExperiments.IsolationFailure.class)
                .message().containsAnyOf("heap", "memory");
        ExperimentSummary next = CHILD.run(scenario("llq"), Path.of(""), Map.of(), 1, 1, tmp.resolve("b"), 1);
        assertThat(next.figures().get("e2e.mean").mean()).isPositive();
    }

    @Test
    void aPolicyThatDoesNotCompileIsRejectedWithTheCompilersDiagnostics() throws IOException {
        Scenario broken = scenario(policy("Broken", "public class Broken implements dev.glia.policy.Router { }").toString());

        Throwable thrown = catchThrowable(() -> CHILD.run(broken, Path.of(""), Map.of(), 1, 1, tmp.resolve("c"), 1));

        assertThat(thrown).isInstanceOf(PolicyRejected.class);
        assertThat(((PolicyRejected) thrown).diagnostics()).anySatisfy(d -> assertThat(d.message()).contains("route"));
    }

    @Test
    void aPolicyThatFailsAtRunTimeFailsTheExperimentWithItsReason() throws IOException {
        Scenario failing = scenario(policy("Thrower", """
                public class Thrower implements dev.glia.policy.Router {
                    public void route(dev.glia.policy.ClusterView c, dev.glia.policy.Dispatch d) {
                        throw new IllegalStateException("no replica is good enough");
                    }
                }
                """).toString());

        Throwable thrown = catchThrowable(() -> CHILD.run(failing, Path.of(""), Map.of(), 1, 1, tmp.resolve("d"), 1));

        assertThat(thrown).isInstanceOf(IsolatedExperiments.IsolationFailure.class)
                .hasMessageContaining("router failed").hasMessageContaining("no replica is good enough");
        assertThat(List.of(tmp.resolve("d"))).allSatisfy(d -> assertThat(d).doesNotExist());
    }
}
