package dev.glia.control;

/** How far a research session has spent its budgets: simulations used of the budget, dollars spent of the budget. */
public record Progress(long simulations, long simulationBudget, double dollars, double dollarBudget) {

    /** {@code 12/40 simulations}, what the PROGRESS column shows. */
    public String summary() {
        return simulations + "/" + simulationBudget + " simulations";
    }
}
