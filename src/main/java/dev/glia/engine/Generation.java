package dev.glia.engine;

/** A request the engine has admitted. */
public interface Generation {
    /** The client went away: free the request's KV blocks at the next step boundary. */
    void abort();
}
