package dev.glia.control;

/**
 * What a router admin call came to: {@link Outcome#APPLIED} with the router's state after it, or the kind of failure
 * with the HTTP status (0 when none came back) and the router's own message.
 */
public record RouterResult(Outcome outcome, int status, String message, RouterState state) {

    public enum Outcome {
        /** 2xx: done; {@link #state()} is the router's state after it. */
        APPLIED,
        /** 400 (or another 4xx but 409): the router refused the request, e.g. a policy that does not load. */
        REFUSED,
        /** 409: the call does not fit the router's state (a canary already runs, or none does). */
        CONFLICT,
        /** 5xx, or an answer that is not the admin API's: the router failed. */
        ROUTER_ERROR,
        /** No answer: connection refused, reset, or timed out. */
        UNREACHABLE
    }

    public RouterResult {
        if (outcome == null) {
            throw new IllegalArgumentException("a router result needs an outcome");
        }
        if ((outcome == Outcome.APPLIED) != (state != null)) {
            throw new IllegalArgumentException("a router result has a state exactly when it applied");
        }
        message = message == null ? "" : message;
    }

    public static RouterResult applied(int status, RouterState state) {
        return new RouterResult(Outcome.APPLIED, status, "", state);
    }

    public static RouterResult failed(Outcome outcome, int status, String message) {
        return new RouterResult(outcome, status, message, null);
    }

    public boolean applied() {
        return outcome == Outcome.APPLIED;
    }
}
