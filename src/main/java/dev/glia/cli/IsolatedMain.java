package dev.glia.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of an isolated child JVM: only the commands that run untrusted policies, without
 * Quarkus and without the LLM client, so the child needs only Glia, picocli, Jackson, SnakeYAML
 * and ASM on its classpath.
 */
public final class IsolatedMain {
    private IsolatedMain() {
    }

    /** The isolated command set: what a child may be asked to run. */
    @Command(name = "glia", subcommands = {SimulateCommand.class})
    static final class Isolated {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Isolated()).execute(args));
    }
}
