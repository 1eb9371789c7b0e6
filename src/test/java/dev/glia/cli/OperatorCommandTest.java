package dev.glia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code glia operator}: registered under glia, its flags and their defaults (starting it needs a cluster). */
class OperatorCommandTest {

    @Test
    void gliaHasAnOperatorCommand() {
        assertThat(new CommandLine(new GliaCommand()).getSubcommands()).containsKey("operator");
    }

    @Test
    void defaultsWatchAllNamespacesAndPollEveryTenSeconds() {
        OperatorCommand command = new OperatorCommand();
        new CommandLine(command).parseArgs();
        assertThat(command.namespace).isNull();
        assertThat(command.pollSeconds).isEqualTo(10);
        assertThat(command.routerRetrySeconds).isEqualTo(30);
        assertThat(command.seeds).isEqualTo(10);
        assertThat(command.researchThreads).isEqualTo(1);
    }

    @Test
    void aNamespaceAndAResearchImageMayBeGiven() {
        OperatorCommand command = new OperatorCommand();
        new CommandLine(command).parseArgs("--namespace", "serving", "--research-image", "ghcr.io/glia/glia:1");
        assertThat(command.namespace).isEqualTo("serving");
        assertThat(command.researchImage).isEqualTo("ghcr.io/glia/glia:1");
    }
}
