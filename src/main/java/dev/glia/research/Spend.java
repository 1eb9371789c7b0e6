package dev.glia.research;

import java.util.Locale;

/** What a session has spent against its {@link ResearchBudget}; thread-safe for parallel contexts. */
public final class Spend {
    private final ResearchBudget budget;
    private final long start = System.nanoTime();
    private int simulations;
    private double usd;
    private long promptTokens;
    private long completionTokens;

    public Spend(ResearchBudget budget) {
        this.budget = budget;
    }

    /** Reserves simulations, or throws {@link BudgetExhausted} without reserving anything. */
    public synchronized void simulations(int count) {
        checkTime();
        if (simulations + count > budget.simulations()) {
            throw new BudgetExhausted(String.format(Locale.ROOT, "simulation budget: %d of %d used, %d more needed",
                    simulations, budget.simulations(), count));
        }
        simulations += count;
    }

    /** Checked before an LLM call: the estimate of its cost must fit. */
    public synchronized void ensureUsd(double estimate) {
        checkTime();
        if (usd + estimate > budget.usd()) {
            throw new BudgetExhausted(String.format(Locale.ROOT, "dollar budget: $%.4f of $%.2f spent", usd, budget.usd()));
        }
    }

    public synchronized void tokens(long prompt, long completion, double cost) {
        promptTokens += prompt;
        completionTokens += completion;
        usd += cost;
    }

    public synchronized void checkTime() {
        if (wallSeconds() > budget.wallSeconds()) {
            throw new BudgetExhausted(String.format(Locale.ROOT, "wall-clock budget: %.0f s of %.0f s", wallSeconds(),
                    budget.wallSeconds()));
        }
    }

    public synchronized int simulationsUsed() {
        return simulations;
    }

    public synchronized int simulationsLeft() {
        return budget.simulations() - simulations;
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

    public double wallSeconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    public ResearchBudget budget() {
        return budget;
    }
}
