package dev.glia.control;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The drift-triggered research sessions of the last day, oldest first: all the drift check remembers between
 * checks, so that its cool-down and daily cap are decided from its inputs and the clock alone. The operator keeps
 * it in the status ({@code status.lastDriftCheck.sessions}).
 */
public record DriftHistory(List<Instant> sessions) {
    /** How far back the daily cap looks: a rolling day, not a calendar one. */
    public static final Duration DAY = Duration.ofHours(24);

    public DriftHistory {
        List<Instant> sorted = new ArrayList<>(sessions == null ? List.of() : sessions);
        sorted.removeIf(java.util.Objects::isNull);
        sorted.sort(Comparator.naturalOrder());
        sessions = List.copyOf(sorted);
    }

    public static DriftHistory empty() {
        return new DriftHistory(List.of());
    }

    /** The latest session started, if any. */
    public Optional<Instant> last() {
        return sessions.isEmpty() ? Optional.empty() : Optional.of(sessions.get(sessions.size() - 1));
    }

    /** Sessions started in the 24 hours before {@code now} (later than now − 24 h, not after now). */
    public int inLastDay(Instant now) {
        return (int) sessions.stream().filter(s -> s.isAfter(now.minus(DAY)) && !s.isAfter(now)).count();
    }

    /** This history with a session started at {@code now}, forgetting those older than a day. */
    public DriftHistory withSession(Instant now) {
        List<Instant> kept = new ArrayList<>(sessions.stream().filter(s -> s.isAfter(now.minus(DAY))).toList());
        kept.add(now);
        return new DriftHistory(kept);
    }
}
