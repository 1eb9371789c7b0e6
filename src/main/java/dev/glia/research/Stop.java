package dev.glia.research;

import java.util.Locale;

/** Why a research session's search ended, as a code for JSON and a sentence for people. */
public record Stop(Reason reason, String detail) {
    public enum Reason {
        FINISHED, TARGET_REACHED, BUDGET_SIMULATIONS, BUDGET_DOLLARS, BUDGET_TIME, STEPS, MODEL_UNAVAILABLE,
        AUTH_FAILED, MODEL_UNPRODUCTIVE, STRATEGY_FAILED;

        /** {@code budget-simulations}, {@code auth-failed}, ... */
        public String code() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The model could not be used: a session that never got an answer from it is a failure, not a result. */
        public boolean modelFault() {
            return this == MODEL_UNAVAILABLE || this == AUTH_FAILED;
        }
    }

    public static Stop of(Reason reason, String detail) {
        return new Stop(reason, detail);
    }

    public String code() {
        return reason.code();
    }

    @Override
    public String toString() {
        return code() + (detail == null || detail.isBlank() ? "" : ": " + detail);
    }
}
