package dev.glia.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;

@TopCommand
@Command(name = "glia", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Designs serving policies for vLLM clusters in a fast, faithful simulator.",
        subcommands = {OptimizeCommand.class, SimulateCommand.class, CompareCommand.class, ScenariosCommand.class,
                PolicyCommand.class, BenchCommand.class, EngineCommand.class, LoadCommand.class, RouterCommand.class,
                OperatorCommand.class, FitCommand.class})
public class GliaCommand {
}
