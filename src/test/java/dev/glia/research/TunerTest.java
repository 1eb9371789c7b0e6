package dev.glia.research;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glia.sim.scenario.ScenarioLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The LLM-free research strategy, on the paper's setup and under tight budgets. */
class TunerTest {
    @TempDir
    Path dir;

    @Test
    void onThePapersSetupTheTunerFindsARouterAtMostSixTenthsOfLlqWithIntervalsApart() throws Exception {
        Objective objective = Objective.parse("minimize e2e", Optimization.metrics());
        Optimization.Outcome out = new Optimization(ScenarioLoader.load("glia-sharegpt-a10"), "router", objective,
                new ResearchBudget(400, 0, 3600), 10, dir).run(new Tuner(3, 10), e -> { });
        assertThat(out.best().mean("e2e.mean")).isLessThanOrEqualTo(0.6 * out.baseline().mean("e2e.mean"));
        assertThat(objective.clearlyBetter(out.best().figures(), out.baseline().figures())).isTrue();
        assertThat(out.best().mean("restartedFraction")).isLessThan(out.baseline().mean("restartedFraction"));
        for (String file : new String[] {"report.md", "latency-cdf.png", "progress.png", "breakdown.png",
                "policy.glia-policy.yaml", "transcript.jsonl"}) {
            assertThat(dir.resolve(file)).isNotEmptyFile();
        }
        String report = Files.readString(dir.resolve("report.md"));
        assertThat(report).contains("Head-room admission").contains("Hypothesis").contains("Where the baseline's time goes");
        assertThat(Files.readAllBytes(dir.resolve("latency-cdf.png"))).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void aBudgetTooSmallForTheSearchStopsItAndKeepsTheBestSoFar() {
        Optimization.Outcome out = new Optimization(ScenarioLoader.load("glia-sharegpt-a10").withDuration(300), "router",
                Objective.parse("minimize e2e", Optimization.metrics()), new ResearchBudget(6, 0, 3600), 3, dir)
                .run(new Tuner(1, 3), e -> { });
        assertThat(out.stopReason()).contains("simulation budget");
        assertThat(out.simulationsUsed()).isLessThanOrEqualTo(6);
        assertThat(out.report()).exists();
    }

    @Test
    void constrainedObjectivesRankInfeasibleResultsLast() {
        Objective o = Objective.parse("maximize throughput subject to ttft.p90 <= 1.5, restartedFraction <= 0.1",
                Optimization.metrics());
        assertThat(o.metric()).isEqualTo("throughput");
        assertThat(o.maximize()).isTrue();
        assertThat(o.constraints()).hasSize(2);
        assertThat(o.toString()).isEqualTo("maximize throughput subject to ttft.p90 <= 1.5, restartedFraction <= 0.1");
        assertThatThrownBy(() -> Objective.parse("minimize latency", Optimization.metrics()))
                .hasMessageContaining("unknown metric 'latency'");
        assertThatThrownBy(() -> Objective.parse("make it fast", Optimization.metrics()))
                .hasMessageContaining("not of the form");
    }

    @Test
    void theAutoscalerComponentNeedsAScenarioWithAutoscaling() {
        assertThatThrownBy(() -> new Optimization(ScenarioLoader.load("low-load"), "autoscaler",
                Objective.parse("minimize gpuHours", Optimization.metrics()), new ResearchBudget(20, 0, 60), 2, dir)
                .run(new Tuner(1, 2), e -> { }))
                .hasMessageContaining("no autoscaling section");
    }
}
