package dev.glia.metrics;

/** A scrape that does not follow its exposition format; {@link #line()} is 1-based. */
public final class MetricsFormatException extends RuntimeException {

    private final int line;
    private final String reason;

    public MetricsFormatException(int line, String reason) {
        super("line " + line + ": " + reason);
        this.line = line;
        this.reason = reason;
    }

    public int line() {
        return line;
    }

    /** The message without the line number. */
    public String reason() {
        return reason;
    }
}
