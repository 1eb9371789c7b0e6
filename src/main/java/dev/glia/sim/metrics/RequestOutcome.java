package dev.glia.sim.metrics;

import dev.glia.sim.engine.Request;

/**
 * One request as an observer saw it: the simulator sees everything, a load generator only what a
 * client sees. What an observer cannot know is null or NaN: a client knows no replica, no
 * scheduling instant and no restart. Times in seconds from the start of the run.
 *
 * @param outputTokens the output length (simulator), or the tokens received (client)
 * @param replicaId    null when unknown to the observer (the simulator's -1: never routed)
 * @param restarts     null when unknown to the observer; {@code wastedTokens} is then 0
 */
public record RequestOutcome(int index, Integer replicaId, double arrival, int promptTokens, int outputTokens,
                             boolean completed, double scheduledAt, double firstTokenAt, double completedAt,
                             Integer restarts, long wastedTokens) {

    public static RequestOutcome of(Request r) {
        return new RequestOutcome(r.index(), r.replicaId(), r.arrivalTime(), r.promptTokens(), r.outputTokens(),
                r.state() == Request.State.DONE, r.scheduledAt(), r.firstTokenAt(), r.completedAt(), r.restarts(),
                r.wastedTokens());
    }

    public double e2e() {
        return completedAt - arrival;
    }

    public double ttft() {
        return firstTokenAt - arrival;
    }

    /** vLLM's time per output token: the decode time shared by the tokens after the first. */
    public double tpot() {
        return outputTokens > 1 ? (completedAt - firstTokenAt) / (outputTokens - 1) : Double.NaN;
    }

    public double queueDelay() {
        return scheduledAt - arrival;
    }
}
