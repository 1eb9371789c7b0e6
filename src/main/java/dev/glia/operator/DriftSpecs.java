package dev.glia.operator;

import dev.glia.control.DriftCheck;
import dev.glia.control.DriftHistory;
import dev.glia.control.DriftSettings;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationSpec;
import dev.glia.operator.crd.v1alpha1.GliaOptimizationStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code spec.drift} and {@code status.lastDriftCheck} as the drift check ({@link DriftCheck}) reads and writes them.
 * At each {@code interval} the reconciler fits the last {@code window} with the workload fitter (minRequests 2, so
 * the check refuses thin windows itself) and calls
 * {@code DriftCheck.decide(reference, recent, settings(spec.drift), history(status.lastDriftCheck), now)}; it writes
 * {@link #status} back, and on {@code startSession()} starts a research session on the recent workload.
 */
final class DriftSpecs {
    /** The condition a drift check sets: True when the workload drifted, False when unchanged, Unknown otherwise. */
    static final String CONDITION_TYPE = "WorkloadDrift";

    private DriftSpecs() {
    }

    /**
     * {@link #CONDITION_TYPE}'s status for a check: {@code True} when a distance passed its limit (whether a session
     * started, cooled down or was capped), {@code False} when unchanged, {@code Unknown} without enough data. The
     * condition's reason and message are the result's; an event carries the message when it is True.
     */
    static String conditionStatus(DriftCheck.Result r) {
        return r.drifted() ? "True" : r.decision() == DriftCheck.Decision.UNCHANGED ? "False" : "Unknown";
    }

    /** Whether drift is checked ({@code spec.drift.enabled}, default true). */
    static boolean enabled(GliaOptimizationSpec.Drift drift) {
        return drift == null || drift.enabled == null || drift.enabled;
    }

    /** The settings, each field's default where the spec leaves it out. */
    static DriftSettings settings(GliaOptimizationSpec.Drift drift) {
        GliaOptimizationSpec.Drift d = drift == null ? new GliaOptimizationSpec.Drift() : drift;
        var interval = OptimizationSpecs.duration(d.interval, DriftSettings.DEFAULT_INTERVAL);
        return new DriftSettings(interval, OptimizationSpecs.duration(d.window, interval),
                d.threshold == null ? DriftSettings.DEFAULT_RATE_THRESHOLD : d.threshold,
                d.burstinessThreshold == null ? DriftSettings.DEFAULT_BURSTINESS_THRESHOLD : d.burstinessThreshold,
                d.lengthDistance == null ? DriftSettings.DEFAULT_LENGTH_DISTANCE : d.lengthDistance,
                OptimizationSpecs.duration(d.coolDown, DriftSettings.DEFAULT_COOL_DOWN),
                d.maxSessionsPerDay == null ? DriftSettings.DEFAULT_MAX_SESSIONS_PER_DAY : d.maxSessionsPerDay,
                d.minRequests == null ? DriftSettings.DEFAULT_MIN_REQUESTS : d.minRequests, DriftSettings.DEFAULT_ALPHA);
    }

    /** The drift-triggered sessions the last check kept (none before the first). */
    static DriftHistory history(GliaOptimizationStatus.DriftCheck last) {
        if (last == null || last.sessions == null) {
            return DriftHistory.empty();
        }
        List<Instant> sessions = new ArrayList<>();
        for (String s : last.sessions) {
            try {
                sessions.add(Instant.parse(s));
            } catch (java.time.format.DateTimeParseException e) {
                // a hand-edited status: drop the entry rather than the history
            }
        }
        return new DriftHistory(sessions);
    }

    /** The check as {@code status.lastDriftCheck} writes it. */
    static GliaOptimizationStatus.DriftCheck status(DriftCheck.Result r) {
        GliaOptimizationStatus.DriftCheck s = new GliaOptimizationStatus.DriftCheck();
        s.time = r.time().toString();
        s.drifted = r.drifted();
        s.decision = r.decision().value();
        s.reason = r.reason();
        s.message = r.message();
        s.requests = r.requests();
        s.distances = new ArrayList<>();
        double change = 0;
        for (DriftCheck.Distance d : r.distances()) {
            GliaOptimizationStatus.DriftDistance out = new GliaOptimizationStatus.DriftDistance();
            out.name = d.dimension().value();
            out.reference = finite(d.reference());
            out.recent = finite(d.recent());
            out.value = finite(d.value());
            out.limit = finite(d.limit());
            out.threshold = finite(d.threshold());
            out.noise = finite(d.noise());
            out.past = d.past();
            s.distances.add(out);
            double relative = d.ratio() ? Math.abs(Math.log(d.value())) / Math.log(d.limit()) : d.value() / d.limit();
            if (Double.isFinite(relative)) {
                change = Math.max(change, relative);
            }
        }
        s.change = r.distances().isEmpty() ? null : Math.round(change * 1000) / 1000.0;
        s.sessions = r.history().sessions().stream().map(Instant::toString).toList();
        return s;
    }

    /** Rounded to 4 significant digits for the status; null when not a number (JSON has no NaN). */
    private static Double finite(double v) {
        return Double.isFinite(v) ? new java.math.BigDecimal(v).round(new java.math.MathContext(4)).doubleValue() : null;
    }
}
