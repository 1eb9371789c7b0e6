package dev.glia.policy.sandbox;

/**
 * One problem with a policy's source or bytecode, located so a person or an agent can fix it.
 * {@code line} and {@code column} are 1-based; 0 when unknown.
 */
public record Diagnostic(String file, long line, long column, String kind, String message) {
    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line + (column > 0 ? ":" + column : "") : "") + ": " + kind + ": " + message;
    }
}
