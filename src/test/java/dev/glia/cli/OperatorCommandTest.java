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
        assertThat(command.watched()).isEmpty();
        assertThat(command.pollSeconds).isEqualTo(10);
        assertThat(command.routerRetrySeconds).isEqualTo(30);
        assertThat(command.seeds).isEqualTo(10);
        assertThat(command.researchThreads).isEqualTo(1);
    }

    @Test
    void metricsAreServedOnPort8080UnlessTurnedOffAndTheAutoscalerRunsEveryThirtySeconds() {
        OperatorCommand command = new OperatorCommand();
        new CommandLine(command).parseArgs();
        assertThat(command.metricsPort).isEqualTo(8080);
        assertThat(command.autoscalingSeconds).isEqualTo(30);
        new CommandLine(command).parseArgs("--metrics-port", "0", "--autoscaling-interval-seconds", "15");
        assertThat(command.metricsPort).isZero();
        assertThat(command.autoscalingSeconds).isEqualTo(15);
    }

    @Test
    void aNamespaceAndAResearchImageMayBeGiven() {
        OperatorCommand command = new OperatorCommand();
        new CommandLine(command).parseArgs("--namespace", "serving", "--research-image", "ghcr.io/glia/glia:1");
        assertThat(command.watched()).containsExactly("serving");
        assertThat(command.researchImage).isEqualTo("ghcr.io/glia/glia:1");
    }

    @Test
    void researchJobsRunFromTheFlagsImageElseTheEnvironmentsAndAreRefusedWithoutOne() {
        OperatorCommand command = new OperatorCommand();
        new CommandLine(command).parseArgs("--research-image", "ghcr.io/glia/glia:1");
        var env = java.util.Map.of(dev.glia.operator.ResearchJob.IMAGE_ENV, "glia:chart",
                dev.glia.operator.ResearchJob.SERVICE_ACCOUNT_ENV, "glia-research");
        var defaults = dev.glia.operator.OptimizationReconciler.Options.defaults();

        assertThat(command.jobs(defaults, env).jobs().image()).isEqualTo("ghcr.io/glia/glia:1");
        assertThat(command.jobs(defaults, env).jobs().serviceAccount()).isEqualTo("glia-research");
        OperatorCommand plain = new OperatorCommand();
        new CommandLine(plain).parseArgs();
        assertThat(plain.jobs(defaults, env).jobs().image()).isEqualTo("glia:chart");
        assertThat(plain.jobs(defaults, java.util.Map.of()).jobs()).isNull();
    }
}
