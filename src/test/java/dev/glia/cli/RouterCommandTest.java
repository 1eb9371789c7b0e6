package dev.glia.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glia.router.LoadedPolicy;
import dev.glia.router.RouterOptions;
import dev.glia.router.discovery.EngineDiscovery;
import dev.glia.router.discovery.EnginePort;
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

    private static LoadedPolicy policy(String... args) {
        RouterCommand command = new RouterCommand();
        new CommandLine(command).parseArgs(args);
        return command.policy();
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
    void aPolicyIsABuiltInABundledReferenceOrAJavaFile() {
        assertThat(policy("--engine", "http://a:8000").name()).isEqualTo("llq");
        assertThat(policy("--engine", "http://a:8000", "--router", "hra-spf").routerParameters())
                .containsEntry("shortestPromptFirst", 1.0).containsEntry("decodeToPrefillRatio", 2.0);
        assertThat(policy("--engine", "http://a:8000", "--router", "hra", "--param", "safetyFraction=0.1")
                .routerParameters()).containsEntry("safetyFraction", 0.1);
        assertThatThrownBy(() -> policy("--engine", "http://a:8000", "--router", "fastest"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--router/--batch-priority: no router named fastest; known: llq,");
        assertThatThrownBy(() -> policy("--engine", "http://a:8000", "--router", "Missing.java"))
                .hasMessageContaining("policy file Missing.java not found");
    }

    @Test
    void aBatchPriorityNeedsEnginesThatScheduleByPriority() {
        assertThatThrownBy(() -> policy("--engine", "http://a:8000", "--batch-priority", "spf"))
                .hasMessageStartingWith("--batch-priority spf needs --scheduling-policy priority");
        assertThat(policy("--engine", "http://a:8000", "--batch-priority", "spf", "--scheduling-policy", "priority")
                .name()).isEqualTo("llq+spf");
    }

    @Test
    void aPolicyFileNamesThePolicyAlone() {
        assertThatThrownBy(() -> policy("--engine", "http://a:8000", "--policy-file", "p.yaml", "--router", "hra"))
                .hasMessageStartingWith("--policy-file names the policy: drop --router");
        assertThatThrownBy(() -> parse("--engine", "http://a:8000", "--port", "9000", "--admin-port", "9000"))
                .hasMessage("--admin-port must differ from --port (9000)");
    }

    @Test
    void helpListsTheFlagsAndTheBuiltInRouters() {
        java.io.StringWriter out = new java.io.StringWriter();
        CommandLine glia = new CommandLine(new GliaCommand()).setOut(new java.io.PrintWriter(out));

        assertThat(glia.execute("router", "--help")).isZero();
        assertThat(out.toString().replaceAll("\\s+", " ")).contains("--engine=URL", "--scrape-interval=SECONDS",
                "--max-queue=N", "--max-queue-seconds=SECONDS", "--scheduling-policy=fcfs|priority",
                "llq, lor, round-robin", "--discovery=static|kubernetes", "--namespace=NAME", "--selector=SELECTOR",
                "--engine-port=PORT|NAME", "--router=NAME|FILE", "--batch-priority=NAME|FILE", "--policy-file=FILE",
                "--admin-port=PORT");
    }

    @Test
    void priorityStampingFollowsTheEnginesSchedulingPolicy() {
        assertThat(parse("--engine", "http://a:8000", "--scheduling-policy", "priority").priorityScheduling()).isTrue();
        assertThatThrownBy(() -> parse("--engine", "http://a:8000", "--scheduling-policy", "lifo"))
                .hasMessage("--scheduling-policy must be fcfs or priority, got lifo");
    }

    @Test
    void staticDiscoveryIsTheDefault() {
        RouterOptions o = parse("--engine", "http://a:8000");

        assertThat(o.discovery()).isEqualTo(EngineDiscovery.Kind.STATIC);
        assertThat(o.selector()).isNull();
        assertThatThrownBy(() -> parse()).hasMessage("--engine: give at least one engine URL (http://host:port)");
    }

    @Test
    void kubernetesDiscoveryTakesANamespaceASelectorAndAPort() {
        RouterOptions o = parse("--discovery", "kubernetes", "--namespace", "serving", "--selector",
                "app=vllm,tier in (gpu)", "--engine-port", "http");

        assertThat(o.discovery()).isEqualTo(EngineDiscovery.Kind.KUBERNETES);
        assertThat(o.engines()).isEmpty();
        assertThat(o.namespace()).isEqualTo("serving");
        assertThat(o.selector()).hasToString("app=vllm,tier in (gpu)");
        assertThat(o.enginePort()).isEqualTo(new EnginePort.Named("http"));
        assertThat(parse("--discovery", "kubernetes", "--selector", "app=vllm").enginePort())
                .isEqualTo(new EnginePort.Number(8000));
        assertThat(parse("--discovery", "kubernetes", "--selector", "app=vllm", "--engine-port", "9000")
                .enginePort()).isEqualTo(new EnginePort.Number(9000));
    }

    @Test
    void aMalformedSelectorIsRefusedAtStartupNamingTheFlag() {
        assertThatThrownBy(() -> parse("--discovery", "kubernetes", "--selector", "app=vllm,,tier=gpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--selector app=vllm,,tier=gpu: empty requirement");
        assertThatThrownBy(() -> parse("--discovery", "kubernetes", "--selector", "app=v llm"))
                .hasMessageStartingWith("--selector app=v llm: bad label value \"v llm\"");
    }

    @Test
    void discoveryFlagsThatContradictEachOtherSayWhichToChange() {
        assertThatThrownBy(() -> parse("--discovery", "consul"))
                .hasMessage("--discovery must be static or kubernetes, got consul");
        assertThatThrownBy(() -> parse("--discovery", "kubernetes"))
                .hasMessageStartingWith("--selector: --discovery kubernetes needs the engine pods' label selector");
        assertThatThrownBy(() -> parse("--discovery", "kubernetes", "--selector", "app=vllm", "--engine",
                "http://a:8000")).hasMessageStartingWith("--engine and --discovery kubernetes exclude each other");
        assertThatThrownBy(() -> parse("--discovery", "kubernetes", "--selector", "app=vllm", "--namespace",
                "Serving")).hasMessageStartingWith("--namespace Serving: expected a namespace name");
        assertThatThrownBy(() -> parse("--discovery", "kubernetes", "--selector", "app=vllm", "--engine-port",
                "70000")).hasMessage("--engine-port 70000: a port is 1 to 65535, got 70000");
        assertThatThrownBy(() -> parse("--engine", "http://a:8000", "--selector", "app=vllm"))
                .hasMessage("--selector applies to --discovery kubernetes only");
        assertThatThrownBy(() -> parse("--engine", "http://a:8000", "--engine-port", "8001"))
                .hasMessageStartingWith("--engine-port applies to --discovery kubernetes only");
    }
}
