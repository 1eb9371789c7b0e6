package dev.glia.cli;

import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.router.RouterOptions;
import dev.glia.router.RouterServer;
import dev.glia.router.discovery.EngineDiscovery;
import dev.glia.router.discovery.EnginePort;
import dev.glia.router.discovery.Selector;
import io.quarkus.runtime.Quarkus;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "router", mixinStandardHelpOptions = true,
        description = {"Serve an OpenAI-compatible router in front of vLLM engines: a global queue, a routing policy"
                + " invoked on every arrival, completion and scrape of engine state, and Prometheus /metrics.",
                "/v1/completions and /v1/chat/completions are forwarded (streamed as they arrive), /v1/models comes"
                        + " from the first ready engine; /health is liveness, /ready readiness."})
public class RouterCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--engine", split = ",", paramLabel = "URL",
            description = "An engine's base URL (http://host:port); repeat or separate with commas. Its position is"
                    + " its replica id. Required with --discovery static.")
    List<URI> engines;

    @Option(names = "--discovery", defaultValue = "static", paramLabel = "static|kubernetes",
            description = "Where the engines come from: the --engine list, or the ready pods matching --selector in"
                    + " --namespace (default: ${DEFAULT-VALUE}).")
    String discovery;

    @Option(names = "--namespace", paramLabel = "NAME",
            description = "With --discovery kubernetes: the engine pods' namespace (default: the router's own).")
    String namespace;

    @Option(names = "--selector", paramLabel = "SELECTOR",
            description = "With --discovery kubernetes: the engine pods' label selector, as kubectl -l takes it"
                    + " (e.g. app=vllm).")
    String selector;

    @Option(names = "--engine-port", paramLabel = "PORT|NAME",
            description = "With --discovery kubernetes: the engine pods' port, a number or the name of a container"
                    + " port (e.g. http) (default: 8000).")
    String enginePort;

    @Option(names = "--router", defaultValue = "llq", paramLabel = "NAME",
            description = "The routing policy: a built-in (${COMPLETION-CANDIDATES}) (default: ${DEFAULT-VALUE}).",
            completionCandidates = BuiltinRouterNames.class)
    String router;

    @Option(names = "--scrape-interval", defaultValue = "0.05", paramLabel = "SECONDS",
            description = "How often each engine's /metrics is read (default: ${DEFAULT-VALUE}).")
    double scrapeInterval;

    @Option(names = "--max-queue", defaultValue = "10000", paramLabel = "N",
            description = "Most requests in the global queue; more are answered 429 (default: ${DEFAULT-VALUE}).")
    int maxQueue;

    @Option(names = "--max-queue-seconds", defaultValue = "60", paramLabel = "SECONDS",
            description = "Longest wait in the global queue; then 503 (default: ${DEFAULT-VALUE}).")
    double maxQueueSeconds;

    @Option(names = "--scheduling-policy", defaultValue = "fcfs", paramLabel = "fcfs|priority",
            description = "What the engines run: priority makes the router stamp each request's `priority`"
                    + " (default: ${DEFAULT-VALUE}).")
    String schedulingPolicy;

    @Override
    public Integer call() {
        return Cli.guard(() -> {
            RouterOptions options = options();
            if (options.discovery() != EngineDiscovery.Kind.STATIC) {
                throw new IllegalArgumentException("--discovery kubernetes: the flags are checked, but the router does"
                        + " not follow discovered engines yet; give the engines with --engine for now");
            }
            try (RouterServer server = RouterServer.start(options, BuiltinRouters.create(router))) {
                System.out.printf("glia router: %s on http://%s:%d/v1 in front of %d engines (/metrics, /health,"
                        + " /ready)%n", router, host, server.port(), options.engines().size());
                Quarkus.waitForExit();
            }
            return 0;
        });
    }

    /** The flags as validated options; an IllegalArgumentException says which flag to change. */
    RouterOptions options() {
        if (!BuiltinRouters.exists(router)) {
            throw new IllegalArgumentException("--router " + router + ": the router serves built-in policies only"
                    + " for now (" + String.join(", ", BuiltinRouters.names()) + "); policies from Java source"
                    + " come with the shared policy runtime");
        }
        if (!schedulingPolicy.equals("fcfs") && !schedulingPolicy.equals("priority")) {
            throw new IllegalArgumentException("--scheduling-policy must be fcfs or priority, got " + schedulingPolicy);
        }
        EngineDiscovery.Kind kind = switch (discovery) {
            case "static" -> EngineDiscovery.Kind.STATIC;
            case "kubernetes" -> EngineDiscovery.Kind.KUBERNETES;
            default -> throw new IllegalArgumentException("--discovery must be static or kubernetes, got " + discovery);
        };
        if (kind == EngineDiscovery.Kind.STATIC && enginePort != null) {
            throw new IllegalArgumentException("--engine-port applies to --discovery kubernetes only (a static"
                    + " engine's port is in its --engine URL)");
        }
        Selector parsedSelector = null;
        if (selector != null) {
            try {
                parsedSelector = Selector.parse(selector);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--selector " + selector + ": " + e.getMessage(), e);
            }
        }
        EnginePort port = null;
        if (enginePort != null) {
            try {
                port = EnginePort.parse(enginePort);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--engine-port " + enginePort + ": " + e.getMessage(), e);
            }
        }
        return new RouterOptions(host, this.port, engines, scrapeInterval, maxQueue, maxQueueSeconds,
                schedulingPolicy.equals("priority"), kind, namespace, parsedSelector, port);
    }

    /** The built-in routers, for picocli's completion and help. */
    static final class BuiltinRouterNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return BuiltinRouters.names().iterator();
        }
    }
}
