package dev.glia.research;

/** Something ended the search (a budget, the model, a target): the session keeps the best so far. */
public class SessionStopped extends RuntimeException {
    private final transient Stop stop;

    public SessionStopped(Stop.Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.stop = Stop.of(reason, message);
    }

    public Stop stop() {
        return stop;
    }
}
