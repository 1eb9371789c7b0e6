package dev.glia.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.control.DriftCheck;
import dev.glia.control.DriftHistory;
import dev.glia.control.DriftSettings;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** spec.drift to the drift check's settings, and its answer to status.lastDriftCheck and back. */
class DriftSpecsTest {

    @Test
    void anEmptyDriftSectionMeansTheDefaults() {
        assertThat(DriftSpecs.settings(null)).isEqualTo(DriftSettings.defaults());
        assertThat(DriftSpecs.settings(new GliaOptimizationSpec.Drift())).isEqualTo(DriftSettings.defaults());
        assertThat(DriftSpecs.enabled(null)).isTrue();
    }

    @Test
    void everyFieldIsRead() {
        GliaOptimizationSpec.Drift d = new GliaOptimizationSpec.Drift();
        d.enabled = false;
        d.interval = "5m";
        d.window = "30m";
        d.threshold = 0.5;
        d.burstinessThreshold = 2.0;
        d.lengthDistance = 0.2;
        d.coolDown = "1h30m";
        d.maxSessionsPerDay = 1;
        d.minRequests = 500;
        DriftSettings s = DriftSpecs.settings(d);
        assertThat(DriftSpecs.enabled(d)).isFalse();
        assertThat(s).isEqualTo(new DriftSettings(Duration.ofMinutes(5), Duration.ofMinutes(30), 0.5, 2.0, 0.2,
                Duration.ofMinutes(90), 1, 500, DriftSettings.DEFAULT_ALPHA));
        d.window = null;
        assertThat(DriftSpecs.settings(d).window()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void theStatusCarriesTheDistancesTheDecisionAndTheSessions() {
        Instant now = Instant.parse("2026-06-01T12:00:00Z");
        DriftHistory history = new DriftHistory(List.of(now.minus(Duration.ofHours(8))));
        DriftCheck.Result r = new DriftCheck.Result(now, DriftCheck.Decision.DRIFTED, "WorkloadDrifted", "rate ×2",
                List.of(new DriftCheck.Distance(DriftCheck.Dimension.RATE, 7.5, 15, 2, 1.25, 1.1, true),
                        new DriftCheck.Distance(DriftCheck.Dimension.PROMPT_LENGTHS, 300, 310, 0.02, 0.1, 0.05,
                                false)),
                4500, 4490, DriftSettings.defaults(), history.withSession(now));
        GliaOptimizationStatus.DriftCheck s = DriftSpecs.status(r);
        assertThat(s.decision).isEqualTo("Drifted");
        assertThat(s.reason).isEqualTo("WorkloadDrifted");
        assertThat(s.drifted).isTrue();
        assertThat(s.requests).isEqualTo(4500);
        assertThat(s.distances).extracting(x -> x.name).containsExactly("rate", "promptLengths");
        assertThat(s.distances.get(0).limit).isEqualTo(1.25);
        assertThat(s.change).isEqualTo(Math.round(Math.log(2) / Math.log(1.25) * 1000) / 1000.0);
        assertThat(s.sessions).containsExactly("2026-06-01T04:00:00Z", "2026-06-01T12:00:00Z");
        assertThat(DriftSpecs.history(s)).isEqualTo(r.history());
        assertThat(DriftSpecs.history(null)).isEqualTo(DriftHistory.empty());
        assertThat(DriftSpecs.conditionStatus(r)).isEqualTo("True");
        assertThat(DriftSpecs.conditionStatus(DriftCheck.insufficientData("no series", DriftSettings.defaults(),
                history, now))).isEqualTo("Unknown");
    }
}
