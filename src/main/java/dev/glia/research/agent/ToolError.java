package dev.glia.research.agent;

/** A tool call the agent can fix: the message is returned to it as the tool's result. */
public final class ToolError extends RuntimeException {
    public ToolError(String message) {
        super(message);
    }
}
