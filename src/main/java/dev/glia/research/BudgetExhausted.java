package dev.glia.research;

/** Spending would pass a budget (or the target is reached): the session stops cleanly with the best result so far. */
public final class BudgetExhausted extends SessionStopped {
    public BudgetExhausted(Stop.Reason reason, String message) {
        super(reason, message, null);
    }
}
