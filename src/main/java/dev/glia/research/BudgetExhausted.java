package dev.glia.research;

/** Spending would pass a budget: the session stops cleanly with the best result so far. */
public final class BudgetExhausted extends RuntimeException {
    public BudgetExhausted(String message) {
        super(message);
    }
}
