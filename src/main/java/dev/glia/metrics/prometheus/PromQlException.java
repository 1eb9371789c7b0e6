package dev.glia.metrics.prometheus;

/**
 * A PromQL query that Prometheus refused or could not answer, or a Prometheus that could not be reached:
 * the message names the query and what the server said ({@code errorType}, {@code error}).
 */
public final class PromQlException extends RuntimeException {
    private final String query;
    private final String errorType;

    public PromQlException(String query, String errorType, String message, Throwable cause) {
        super(message, cause);
        this.query = query;
        this.errorType = errorType;
    }

    /** The PromQL expression sent. */
    public String query() {
        return query;
    }

    /**
     * Prometheus' {@code errorType} ({@code bad_data}, {@code execution}, {@code timeout}, ...), or
     * {@code unreachable} and {@code bad_response} for failures on this side.
     */
    public String errorType() {
        return errorType;
    }
}
