package dev.glia.cli;

import dev.glia.policy.runtime.PolicyFailure;
import dev.glia.sim.scenario.ScenarioException;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;

/** Turns the failures a user can fix into one clear message and exit code 2, without a stack trace. */
final class Cli {
    private Cli() {
    }

    static int guard(Callable<Integer> body) {
        try {
            return body.call();
        } catch (ScenarioException | PolicyFailure | IllegalArgumentException | UncheckedIOException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            System.err.println("error: " + e.getMessage());
            return 1;
        }
    }
}
