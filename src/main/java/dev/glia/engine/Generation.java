package dev.glia.engine;

public interface Generation {
    /** The client went away: free the request's KV blocks at the next step boundary. */
    void abort();
}
