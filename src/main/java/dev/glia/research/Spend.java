package dev.glia.research;

import java.util.Locale;

/**
 * What a session has spent against its {@link ResearchBudget}; thread-safe for parallel contexts.
 * Part of the simulation budget can be held back for the session's own last steps (confirming the
 * best candidate, judging it on held-out seeds), so that no strategy can spend it.
 */
public final class Spend {
    private final ResearchBudget budget;
    private final long start = System.nanoTime();
    private int simulations;
    private int reserved;
    private double usd;
    private long promptTokens;
    private long completionTokens;
    private int modelAnswers;
    private Stop halted;
    private boolean closing;

    public Spend(ResearchBudget budget) {
        this.budget = budget;
    }

    /** Holds back simulations that only {@link #close()} makes spendable again. */
    public synchronized void reserve(int count) {
        if (simulations + reserved + count > budget.simulations()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "a budget of %d simulations is too small: "
                    + "%d are spent and the session needs %d more to confirm and judge its winner",
                    budget.simulations(), simulations, count));
        }
        reserved += count;
    }

    /** Stops every further spending of the search (a target reached), with this reason. */
    public synchronized void halt(Stop stop) {
        if (halted == null) {
            halted = stop;
        }
    }

    /** The search is over: the reserve is released and the clock no longer stops the session's last steps. */
    public synchronized void close() {
        reserved = 0;
        halted = null;
        closing = true;
    }

    /** Reserves simulations, or throws {@link BudgetExhausted} without reserving anything. */
    public synchronized void simulations(int count) {
        checkTime();
        if (simulations + reserved + count > budget.simulations()) {
            throw new BudgetExhausted(Stop.Reason.BUDGET_SIMULATIONS, String.format(Locale.ROOT,
                    "simulation budget: %d of %d used, %d more needed", simulations + reserved, budget.simulations(), count));
        }
        simulations += count;
    }

    /** Checked before an LLM call: the estimate of its cost must fit. */
    public synchronized void ensureUsd(double estimate) {
        checkTime();
        if (usd + estimate > budget.usd()) {
            throw new BudgetExhausted(Stop.Reason.BUDGET_DOLLARS, String.format(Locale.ROOT,
                    "dollar budget: $%.4f of $%.2f spent", usd, budget.usd()));
        }
    }

    public synchronized void tokens(long prompt, long completion, double cost) {
        promptTokens += prompt;
        completionTokens += completion;
        usd += cost;
        modelAnswers++;
    }

    public synchronized void checkTime() {
        if (halted != null) {
            throw new BudgetExhausted(halted.reason(), halted.detail());
        }
        if (!closing && wallSeconds() > budget.wallSeconds()) {
            throw new BudgetExhausted(Stop.Reason.BUDGET_TIME, String.format(Locale.ROOT,
                    "wall-clock budget: %.0f s of %.0f s", wallSeconds(), budget.wallSeconds()));
        }
    }

    public synchronized int simulationsUsed() {
        return simulations;
    }

    /** What the search may still spend. */
    public synchronized int simulationsLeft() {
        return budget.simulations() - simulations - reserved;
    }

    public synchronized double usd() {
        return usd;
    }

    public synchronized long promptTokens() {
        return promptTokens;
    }

    public synchronized long completionTokens() {
        return completionTokens;
    }

    /** LLM calls that were answered. */
    public synchronized int modelAnswers() {
        return modelAnswers;
    }

    public double wallSeconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    public ResearchBudget budget() {
        return budget;
    }
}
