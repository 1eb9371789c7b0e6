package dev.glia.control;

import java.time.Instant;
import java.util.Locale;

/**
 * A person's verdict, read from the {@code glia.dev/canary-verdict} annotation (or a status field): {@code promote},
 * {@code rollback}, or nothing yet. An unknown value is undecided with a reason that says so, never a guess.
 */
public final class ManualVerdict implements CanaryVerdict {
    /** The annotation the operator reads it from. */
    public static final String ANNOTATION = "glia.dev/canary-verdict";

    private final String value;

    private ManualVerdict(String value) {
        this.value = value;
    }

    /** The verdict {@code value} gives (null or blank: none yet). */
    public static ManualVerdict of(String value) {
        return new ManualVerdict(value == null ? "" : value.trim().toLowerCase(Locale.ROOT));
    }

    @Override
    public Verdict judge(Canary canary, Instant now) {
        return switch (value) {
            case "promote" -> Verdict.promote("ManualPromote", ANNOTATION + "=promote");
            case "rollback", "roll-back" -> Verdict.rollBack("ManualRollback", ANNOTATION + "=rollback");
            case "" -> Verdict.undecided("AwaitingVerdict", "no " + ANNOTATION + " annotation yet");
            default -> Verdict.undecided("UnknownVerdict", ANNOTATION + "=" + value
                    + " is neither promote nor rollback; ignored");
        };
    }
}
