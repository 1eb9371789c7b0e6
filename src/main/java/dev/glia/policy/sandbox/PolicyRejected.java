package dev.glia.policy.sandbox;

import java.util.List;
import java.util.stream.Collectors;

/** A policy that did not compile or broke the sandbox's rules; nothing of it was loaded. */
public final class PolicyRejected extends RuntimeException {
    private final List<Diagnostic> diagnostics;

    public PolicyRejected(String what, List<Diagnostic> diagnostics) {
        super(what + ":\n  " + diagnostics.stream().map(Diagnostic::toString).collect(Collectors.joining("\n  ")));
        this.diagnostics = List.copyOf(diagnostics);
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }
}
