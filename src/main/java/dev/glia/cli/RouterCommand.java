package dev.glia.cli;

import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.router.RouterOptions;
import dev.glia.router.RouterServer;
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

    @Option(names = "--engine", required = true, split = ",", paramLabel = "URL",
            description = "An engine's base URL (http://host:port); repeat or separate with commas. Its position is"
                    + " its replica id.")
    List<URI> engines;

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
            try (RouterServer server = RouterServer.start(options, BuiltinRouters.create(router))) {
                System.out.printf("glia router: %s on http://%s:%d/v1 in front of %d engines (/metrics, /health,"
                        + " /ready)%n", router, host, server.port(), engines.size());
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
        return new RouterOptions(host, port, engines, scrapeInterval, maxQueue, maxQueueSeconds,
                schedulingPolicy.equals("priority"));
    }

    /** The built-in routers, for picocli's completion and help. */
    static final class BuiltinRouterNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return BuiltinRouters.names().iterator();
        }
    }
}
