package dev.glia.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glia.router.RouterOptions;
import java.net.URI;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `glia router`'s flags: defaults, engines repeated or comma-separated, and errors that say what to change. */
class RouterCommandTest {

    private static RouterOptions parse(String... args) {
        RouterCommand command = new RouterCommand();
        new CommandLine(command).parseArgs(args);
        return command.options();
    }

    @Test
    void defaultsServeOnPort8080WithAFiftyMillisecondScrape() {
        RouterOptions o = parse("--engine", "http://127.0.0.1:8000");

        assertThat(o.port()).isEqualTo(8080);
        assertThat(o.scrapeIntervalSeconds()).isEqualTo(0.05);
        assertThat(o.maxQueue()).isEqualTo(10_000);
        assertThat(o.maxQueueSeconds()).isEqualTo(60);
        assertThat(o.priorityScheduling()).isFalse();
    }

    @Test
    void enginesMayBeRepeatedOrSeparatedByCommas() {
        RouterOptions o = parse("--engine", "http://a:8000,http://b:8000", "--engine", "http://c:8000");

        assertThat(o.engines()).containsExactly(URI.create("http://a:8000"), URI.create("http://b:8000"),
                URI.create("http://c:8000"));
    }

    @Test
    void aPolicyThatIsNotBuiltInIsRefusedForNow() {
        assertThatThrownBy(() -> parse("--engine", "http://a:8000", "--router", "MyRouter.java"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--router MyRouter.java: the router serves built-in policies only for now (llq,");
    }

    @Test
    void helpListsTheFlagsAndTheBuiltInRouters() {
        java.io.StringWriter out = new java.io.StringWriter();
        CommandLine glia = new CommandLine(new GliaCommand()).setOut(new java.io.PrintWriter(out));

        assertThat(glia.execute("router", "--help")).isZero();
        assertThat(out.toString()).contains("--engine=URL", "--scrape-interval=SECONDS", "--max-queue=N",
                "--max-queue-seconds=SECONDS", "--scheduling-policy=fcfs|priority", "llq, lor, round-robin");
    }

    @Test
    void priorityStampingFollowsTheEnginesSchedulingPolicy() {
        assertThat(parse("--engine", "http://a:8000", "--scheduling-policy", "priority").priorityScheduling()).isTrue();
        assertThatThrownBy(() -> parse("--engine", "http://a:8000", "--scheduling-policy", "lifo"))
                .hasMessage("--scheduling-policy must be fcfs or priority, got lifo");
    }
}
