package dev.glia.research;

/**
 * Hard limits of a research session, checked before spending, never after. A simulation is one
 * seed of the scenario under one set of policies; an experiment over K seeds costs K.
 */
public record ResearchBudget(int simulations, double usd, double wallSeconds) {
    public ResearchBudget {
        if (simulations < 1 || usd < 0 || wallSeconds <= 0) {
            throw new IllegalArgumentException("budgets must be positive: simulations " + simulations + ", usd " + usd
                    + ", wall seconds " + wallSeconds);
        }
    }
}
