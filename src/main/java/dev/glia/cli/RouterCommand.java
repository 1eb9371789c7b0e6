package dev.glia.cli;

import dev.glia.catalog.PolicyDocument;
import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.router.LoadedPolicy;
import dev.glia.router.RouterOptions;
import dev.glia.router.RouterServer;
import dev.glia.router.discovery.EngineDiscovery;
import dev.glia.router.discovery.EnginePort;
import dev.glia.router.discovery.Selector;
import io.quarkus.runtime.Quarkus;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    @Option(names = "--router", paramLabel = "NAME|FILE",
            description = "The routing policy: a built-in (${COMPLETION-CANDIDATES}), a bundled reference (hra,"
                    + " hra-spf), or a .java file (default: llq, unless --policy-file names one).",
            completionCandidates = BuiltinRouterNames.class)
    String router;

    @Option(names = "--batch-priority", paramLabel = "NAME|FILE",
            description = "The batch priority stamped on each request under --scheduling-policy priority: fcfs, spf,"
                    + " or a .java file (default: fcfs).")
    String batchPriority;

    @Option(names = "--param", paramLabel = "NAME=VALUE",
            description = "Set a parameter of the router (repeatable); see `glia policy check`.")
    Map<String, Double> parameters = new LinkedHashMap<>();

    @Option(names = "--policy-file", paramLabel = "FILE",
            description = "A policy document (router, batchPriority, parameters; see docs/router.md), watched: a"
                    + " change installs the new policy without a restart. Typically a mounted ConfigMap.")
    Path policyFile;

    @Option(names = "--policy-file-interval", defaultValue = "1", paramLabel = "SECONDS",
            description = "How often --policy-file is read for changes (default: ${DEFAULT-VALUE}).")
    double policyFileInterval;

    @Option(names = "--admin-port", defaultValue = "8081", paramLabel = "PORT",
            description = "Port of the admin API (/admin/policy, /admin/canary); -1 for none (default: ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--admin-host", paramLabel = "HOST",
            description = "Address the admin API listens on (default: --host).")
    String adminHost;

    @Option(names = "--scrape-interval", defaultValue = "0.05", paramLabel = "SECONDS",
            description = "How often each engine's /metrics is read (default: ${DEFAULT-VALUE}).")
    double scrapeInterval;

    @Option(names = "--max-queue", defaultValue = "10000", paramLabel = "N",
            description = "Most requests in the global queue; more are answered 429 (default: ${DEFAULT-VALUE}).")
    int maxQueue;

    @Option(names = "--max-queue-seconds", defaultValue = "60", paramLabel = "SECONDS",
            description = "Longest wait in the global queue; then 503 (default: ${DEFAULT-VALUE}).")
    double maxQueueSeconds;

    @Option(names = "--max-queue-tokens", defaultValue = "1000000", paramLabel = "N",
            description = "Most prompt tokens in the global queue; a request that would pass it is answered 429"
                    + " (default: ${DEFAULT-VALUE}).")
    long maxQueueTokens;

    @Option(names = "--first-byte-timeout", defaultValue = "0", paramLabel = "SECONDS",
            description = "How long an engine may hold a request without its first byte before it is retried on"
                    + " another engine (an engine that stalls without failing); 0: no limit (default: ${DEFAULT-VALUE}).")
    double firstByteTimeout;

    @Option(names = "--scheduling-policy", defaultValue = "fcfs", paramLabel = "fcfs|priority",
            description = "What the engines run: priority makes the router stamp each request's `priority`"
                    + " (default: ${DEFAULT-VALUE}).")
    String schedulingPolicy;

    @Override
    public Integer call() {
        return Cli.guard(() -> {
            RouterOptions options = options();
            LoadedPolicy policy = policy();
            try (RouterServer server = RouterServer.start(options, policy)) {
                System.out.printf("glia router: %s on http://%s:%d/v1 in front of %s (/metrics, /health,"
                        + " /ready)%s%n", policy == null ? options.policyFile() : policy.name(), host, server.port(),
                        options.discovery() == EngineDiscovery.Kind.STATIC ? options.engines().size() + " engines"
                                : "the ready pods of " + options.selector() + " in " + (options.namespace() == null
                                        ? "its namespace" : options.namespace()), server.adminPort() < 0 ? ""
                                : "; admin API on http://" + options.adminHost() + ":" + server.adminPort() + "/admin");
                Quarkus.waitForExit();
            }
            return 0;
        });
    }

    /** The flags as validated options; an IllegalArgumentException says which flag to change. */
    RouterOptions options() {
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
                schedulingPolicy.equals("priority"), kind, namespace, parsedSelector, port,
                adminHost == null ? host : adminHost, adminPort, policyFile, policyFileInterval, maxQueueTokens,
                firstByteTimeout);
    }

    /** The policy the flags name, loaded (compiled if from source); null when --policy-file gives it. */
    LoadedPolicy policy() {
        if (policyFile != null) {
            if (router != null || batchPriority != null || !parameters.isEmpty()) {
                throw new IllegalArgumentException("--policy-file names the policy: drop --router, --batch-priority"
                        + " and --param, or drop --policy-file");
            }
            return null;
        }
        if (batchPriority != null && !batchPriority.equals("fcfs") && !schedulingPolicy.equals("priority")) {
            throw new IllegalArgumentException("--batch-priority " + batchPriority + " needs --scheduling-policy"
                    + " priority: engines that schedule first come, first served ignore a request's priority");
        }
        String name = router == null ? "llq" : router;
        try {
            return LoadedPolicy.load(new PolicyDocument(PolicyDocument.Part.named(name, parameters),
                    batchPriority == null ? null : PolicyDocument.Part.named(batchPriority, Map.of())));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--router/--batch-priority: " + e.getMessage(), e);
        }
    }

    /** The built-in routers, for picocli's completion and help. */
    static final class BuiltinRouterNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return BuiltinRouters.names().iterator();
        }
    }
}
