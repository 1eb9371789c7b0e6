package dev.glia.router;

import dev.glia.router.discovery.EngineDiscovery;
import dev.glia.router.discovery.EnginePort;
import dev.glia.router.discovery.KubernetesDiscovery;
import dev.glia.router.discovery.Selector;
import dev.glia.router.discovery.StaticDiscovery;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How one {@code glia router} is configured. Validated on construction, with messages that say which flag to change.
 *
 * @param engines the upstream engines' base URLs ({@code http://host:port}), in discovery order: an engine's index
 *                here is its {@code ReplicaView.id()}
 * @param scrapeIntervalSeconds how often each engine's {@code /metrics} is read
 * @param maxQueue most requests the global queue holds; one more is refused with 429
 * @param maxQueueSeconds longest a request may wait in the global queue; then it is refused with 503
 * @param priorityScheduling the engines run {@code --scheduling-policy priority}: requests carry a {@code priority}
 * @param discovery where the engines come from: the {@code engines} list ({@code STATIC}) or the ready pods that
 *                  match {@code selector} in {@code namespace} ({@code KUBERNETES}, {@code engines} then empty)
 * @param namespace the pods' namespace; null for the router's own (only with {@code KUBERNETES})
 * @param selector the engine pods' label selector (required with {@code KUBERNETES}, null otherwise)
 * @param enginePort the engine pods' port, a number or a container port's name (8000 when null is given)
 * @param adminHost, adminPort where the admin API listens ({@code -1}: no admin API; 0: any free port)
 * @param policyFile the watched policy document ({@code --policy-file}); null when there is none
 * @param policyFilePollSeconds how often the policy file is read for changes
 * @param maxQueueTokens most prompt tokens the global queue holds; a request that would exceed it is refused with 429
 * @param firstByteTimeoutSeconds how long an engine may hold a request without its first byte before the router
 *                                retries it on another engine, as a failure before the first byte; 0: no limit
 */
public record RouterOptions(String host, int port, List<URI> engines, double scrapeIntervalSeconds,
        int maxQueue, double maxQueueSeconds, boolean priorityScheduling, EngineDiscovery.Kind discovery,
        String namespace, Selector selector, EnginePort enginePort, String adminHost, int adminPort,
        Path policyFile, double policyFilePollSeconds, long maxQueueTokens, double firstByteTimeoutSeconds) {
    /** The default token bound: about 2,000 ShareGPT prompts, a few seconds of prefill on a large cluster. */
    public static final long DEFAULT_MAX_QUEUE_TOKENS = 1_000_000;

    /** The engine port when none is given: vLLM's default. */
    public static final EnginePort DEFAULT_ENGINE_PORT = new EnginePort.Number(8000);
    /** A namespace's name: an RFC 1123 label. */
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    /** Static discovery of {@code engines}. */
    public RouterOptions(String host, int port, List<URI> engines, double scrapeIntervalSeconds, int maxQueue,
            double maxQueueSeconds, boolean priorityScheduling) {
        this(host, port, engines, scrapeIntervalSeconds, maxQueue, maxQueueSeconds, priorityScheduling,
                EngineDiscovery.Kind.STATIC, null, null, null, host, -1, null, 1, DEFAULT_MAX_QUEUE_TOKENS, 0);
    }

    public RouterOptions {
        require(port >= 0 && port <= 65_535, "--port must be 0 to 65535, got " + port);
        discovery = discovery == null ? EngineDiscovery.Kind.STATIC : discovery;
        engines = engines == null ? List.of() : engines;
        enginePort = enginePort == null ? DEFAULT_ENGINE_PORT : enginePort;
        if (discovery == EngineDiscovery.Kind.KUBERNETES) {
            require(engines.isEmpty(), "--engine and --discovery kubernetes exclude each other: the engines are the"
                    + " ready pods that match --selector");
            require(selector != null, "--selector: --discovery kubernetes needs the engine pods' label selector,"
                    + " e.g. --selector app=vllm");
            require(namespace == null || NAMESPACE.matcher(namespace).matches(), "--namespace " + namespace
                    + ": expected a namespace name (at most 63 lowercase letters, digits and '-')");
        } else {
            require(selector == null, "--selector applies to --discovery kubernetes only");
            require(namespace == null, "--namespace applies to --discovery kubernetes only");
        }
        require(discovery == EngineDiscovery.Kind.KUBERNETES || !engines.isEmpty(),
                "--engine: give at least one engine URL (http://host:port)");
        for (URI e : engines) {
            require("http".equals(e.getScheme()) && e.getHost() != null && e.getPort() > 0,
                    "--engine " + e + ": expected http://host:port");
        }
        engines = List.copyOf(engines);
        require(scrapeIntervalSeconds > 0 && Double.isFinite(scrapeIntervalSeconds),
                "--scrape-interval must be a positive number of seconds, got " + scrapeIntervalSeconds);
        require(maxQueue >= 1, "--max-queue must be at least 1 request, got " + maxQueue);
        require(maxQueueTokens >= 1, "--max-queue-tokens must be at least 1 prompt token, got " + maxQueueTokens);
        require(firstByteTimeoutSeconds >= 0 && Double.isFinite(firstByteTimeoutSeconds),
                "--first-byte-timeout must be 0 (no limit) or a positive number of seconds, got " + firstByteTimeoutSeconds);
        require(maxQueueSeconds > 0 && Double.isFinite(maxQueueSeconds),
                "--max-queue-seconds must be a positive number of seconds, got " + maxQueueSeconds);
        require(adminPort >= -1 && adminPort <= 65_535, "--admin-port must be 0 to 65535 (or -1 for none), got "
                + adminPort);
        require(adminPort <= 0 || adminPort != port, "--admin-port must differ from --port (" + port + ")");
        require(policyFilePollSeconds > 0 && Double.isFinite(policyFilePollSeconds),
                "--policy-file-interval must be a positive number of seconds, got " + policyFilePollSeconds);
    }

    /** These options with the admin API and the watched policy file as given. */
    public RouterOptions withAdmin(String adminHost, int adminPort, Path policyFile, double policyFilePollSeconds) {
        return new RouterOptions(host, port, engines, scrapeIntervalSeconds, maxQueue, maxQueueSeconds,
                priorityScheduling, discovery, namespace, selector, enginePort, adminHost, adminPort, policyFile,
                policyFilePollSeconds, maxQueueTokens, firstByteTimeoutSeconds);
    }

    /** These options with another bound on the prompt tokens queued. */
    public RouterOptions withMaxQueueTokens(long tokens) {
        return new RouterOptions(host, port, engines, scrapeIntervalSeconds, maxQueue, maxQueueSeconds,
                priorityScheduling, discovery, namespace, selector, enginePort, adminHost, adminPort, policyFile,
                policyFilePollSeconds, tokens, firstByteTimeoutSeconds);
    }

    /** These options with another first-byte timeout (0: none). */
    public RouterOptions withFirstByteTimeout(double seconds) {
        return new RouterOptions(host, port, engines, scrapeIntervalSeconds, maxQueue, maxQueueSeconds,
                priorityScheduling, discovery, namespace, selector, enginePort, adminHost, adminPort, policyFile,
                policyFilePollSeconds, maxQueueTokens, seconds);
    }

    /**
     * The discovery these options name, not started: the verticle starts it and closes it. For {@code KUBERNETES}
     * this builds a Kubernetes client from the environment (in a pod, its service account).
     */
    public EngineDiscovery engineDiscovery() {
        return switch (discovery) {
            case STATIC -> new StaticDiscovery(engines);
            case KUBERNETES -> KubernetesDiscovery.fromEnvironment(namespace, selector, enginePort);
        };
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
