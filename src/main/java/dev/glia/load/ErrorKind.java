package dev.glia.load;

/**
 * Why an attempt failed, as a client can tell. Every failed attempt is counted by kind, whether
 * or not a retry then succeeds; the kinds a retry can cure are marked retryable.
 */
public enum ErrorKind {
    /** HTTP 429: the server (or a router in front of it) is full; it may say when to come back. */
    RATE_LIMITED("rate_limited", true),
    /** HTTP 503: overloaded or not ready, e.g. a request that waited too long in a router's queue. */
    UNAVAILABLE("unavailable", true),
    /** Any other 5xx, or an error event inside the stream. */
    SERVER_ERROR("server_error", true),
    /** A 4xx other than 429: the request itself is wrong; a retry would be refused again. */
    CLIENT_ERROR("client_error", false),
    /** Refused, reset or closed connection. */
    CONNECTION("connection", true),
    /** No complete answer within --timeout. */
    TIMEOUT("timeout", false),
    /** Not vLLM's SSE: undecodable event, non-JSON data, no token, or no final [DONE]. */
    MALFORMED("malformed", false);

    private final String key;
    private final boolean retryable;

    ErrorKind(String key, boolean retryable) {
        this.key = key;
        this.retryable = retryable;
    }

    /** The name in summaries and logs. */
    public String key() {
        return key;
    }

    public boolean retryable() {
        return retryable;
    }

    static ErrorKind ofStatus(int status) {
        return status == 429 ? RATE_LIMITED : status == 503 ? UNAVAILABLE : status >= 500 ? SERVER_ERROR : CLIENT_ERROR;
    }
}
