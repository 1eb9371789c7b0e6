package dev.glia.cli;

import picocli.CommandLine;

/**
 * Entry point of an isolated child JVM: the same commands without Quarkus, so the child needs
 * only Glia, picocli, Jackson and ASM on its classpath.
 */
public final class IsolatedMain {
    private IsolatedMain() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new GliaCommand()).execute(args));
    }
}
