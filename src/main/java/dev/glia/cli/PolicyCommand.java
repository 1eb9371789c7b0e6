package dev.glia.cli;

import picocli.CommandLine.Command;

@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Check policy source against the sandbox, and judge a policy against a baseline.",
        subcommands = {PolicyCheckCommand.class, PolicyEvaluateCommand.class})
public class PolicyCommand {
}
