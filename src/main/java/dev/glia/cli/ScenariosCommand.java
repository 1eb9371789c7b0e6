package dev.glia.cli;

import dev.glia.catalog.Resources;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "scenarios", mixinStandardHelpOptions = true,
        description = "List the bundled scenarios, or show one resolved with every default filled in.")
public class ScenariosCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "NAME|FILE", description = "Show this scenario in full (YAML).")
    String name;

    @Override
    public Integer call() {
        return Cli.guard(() -> {
            if (name != null) {
                Scenario s = ScenarioLoader.load(name);
                System.out.print(Resources.YAML.writeValueAsString(s).replaceFirst("^---\\s*\\n", ""));
                return 0;
            }
            for (String n : ScenarioLoader.bundled()) {
                Scenario s = ScenarioLoader.load(n);
                System.out.printf(Locale.ROOT, "%-26s %s%n", n, s.description() == null ? "" : s.description());
            }
            System.out.println("\nShow one in full: glia scenarios NAME   Run one: glia simulate --scenario NAME");
            return 0;
        });
    }

}
