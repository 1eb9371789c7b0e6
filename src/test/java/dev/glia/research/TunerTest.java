package dev.glia.research;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glia.catalog.Artifacts;
import dev.glia.policy.PolicyArtifact;
import dev.glia.sim.scenario.ScenarioLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The LLM-free research strategy, on the paper's setup and under tight budgets; judgement out of sample. */
class TunerTest {
    @TempDir
    Path dir;

    static Objective minimizeE2e() {
        return Objective.parse("minimize e2e", Optimization.metrics());
    }

    @Test
    void onThePapersSetupTheTunersWinnerJudgedOnHeldOutSeedsIsAtMostSixTenthsOfLlqWithIntervalsApart() throws Exception {
        Objective objective = minimizeE2e();
        Optimization.Outcome out = new Optimization(ScenarioLoader.load("glia-sharegpt-a10"), "router", objective,
                new ResearchBudget(400, 0, 3600), 10, null, dir).run(new Tuner(3, 10), e -> { });
        List<Long> heldOut = LongStream.range(10, 30).boxed().toList(); // twice the search's ten
        assertThat(out.searchSeeds().list()).isEqualTo(LongStream.range(0, 10).boxed().toList());
        assertThat(out.heldOutSeeds().list()).isEqualTo(heldOut);
        assertThat(out.best().seedSet().list()).isEqualTo(heldOut);
        assertThat(out.baseline().seedSet().list()).isEqualTo(heldOut);
        assertThat(out.baseline().candidate().policy()).isEqualTo("llq");
        assertThat(out.best().mean("e2e.mean")).isLessThanOrEqualTo(0.6 * out.baseline().mean("e2e.mean"));
        assertThat(objective.clearlyBetter(out.best().figures(), out.baseline().figures())).isTrue();
        assertThat(out.best().mean("restartedFraction")).isLessThan(out.baseline().mean("restartedFraction"));
        assertThat(out.stop().reason()).isEqualTo(Stop.Reason.FINISHED);
        for (String file : new String[] {"report.md", "latency-cdf.png", "progress.png", "breakdown.png",
                "policy.glia-policy.yaml", "transcript.jsonl"}) {
            assertThat(dir.resolve(file)).isNotEmptyFile();
        }
        PolicyArtifact.Evidence evidence = Artifacts.read(out.artifact()).spec().evidence();
        assertThat(evidence.seeds()).isEqualTo(heldOut);
        assertThat(evidence.searchSeeds()).isEqualTo(out.searchSeeds().list());
        assertThat(evidence.secondary()).containsKeys("e2e.p99", "ttft.p99 (baseline)");
        assertThat(evidence.tailRegressions()).isEqualTo(out.tailRegressions());
        String report = Files.readString(dir.resolve("report.md"));
        assertThat(report).contains("Head-room admission").contains("Hypothesis").contains("Where the baseline's time goes")
                .contains("judged on held-out seeds 10..29").contains("| e2e.p50 | e2e.p90 | e2e.p99 | ttft.p50")
                .contains("Stop reason: `finished`");
        assertThat(Files.readAllBytes(dir.resolve("latency-cdf.png"))).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void aBudgetRunOutDuringScreeningStillConfirmsAndJudgesTheBestScreenedCandidate() {
        Optimization.Outcome out = new Optimization(ScenarioLoader.load("glia-sharegpt-a10"), "router",
                minimizeE2e(), new ResearchBudget(26, 0, 3600), 3, null, dir).run(new Tuner(1, 3), e -> { });
        assertThat(out.stop().reason()).isEqualTo(Stop.Reason.BUDGET_SIMULATIONS);
        assertThat(out.simulationsUsed()).isLessThanOrEqualTo(26);
        assertThat(out.history()).anyMatch(e -> e.by().equals("confirm") && e.seeds() == 3);
        assertThat(out.report()).exists();
    }

    @Test
    void aBudgetTooSmallToJudgeAWinnerIsAClearError() {
        assertThatThrownBy(() -> new Optimization(ScenarioLoader.load("glia-sharegpt-a10").withDuration(300), "router",
                minimizeE2e(), new ResearchBudget(6, 0, 3600), 3, null, dir).run(new Tuner(1, 3), e -> { }))
                .hasMessageContaining("a budget of 6 simulations is too small");
    }

    @Test
    void aTargetStopsTheSearchOnceAResultOnAllSeedsReachesIt() {
        Optimization.Outcome out = new Optimization(ScenarioLoader.load("glia-sharegpt-a10").withDuration(300), "router",
                minimizeE2e(), new ResearchBudget(400, 0, 3600), 3, 1e9, dir).run(new Tuner(1, 3), e -> { });
        assertThat(out.stop().reason()).isEqualTo(Stop.Reason.TARGET_REACHED);
        assertThat(out.stop().detail()).contains("target 1.0E9");
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
                Objective.parse("minimize gpuHours", Optimization.metrics()), new ResearchBudget(20, 0, 60), 2, null, dir)
                .run(new Tuner(1, 2), e -> { }))
                .hasMessageContaining("no autoscaling section");
    }
}
