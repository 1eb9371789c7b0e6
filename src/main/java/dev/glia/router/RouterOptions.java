package dev.glia.router;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * How one {@code glia router} is configured. Validated on construction, with messages that say which flag to change.
 *
 * @param engines the upstream engines' base URLs ({@code http://host:port}), in discovery order: an engine's index
 *                here is its {@code ReplicaView.id()}
 * @param scrapeIntervalSeconds how often each engine's {@code /metrics} is read
 * @param maxQueue most requests the global queue holds; one more is refused with 429
 * @param maxQueueSeconds longest a request may wait in the global queue; then it is refused with 503
 * @param priorityScheduling the engines run {@code --scheduling-policy priority}: requests carry a {@code priority}
 * @param adminHost, adminPort where the admin API listens ({@code -1}: no admin API; 0: any free port)
 * @param policyFile the watched policy document ({@code --policy-file}); null when there is none
 * @param policyFilePollSeconds how often the policy file is read for changes
 */
public record RouterOptions(String host, int port, List<URI> engines, double scrapeIntervalSeconds,
        int maxQueue, double maxQueueSeconds, boolean priorityScheduling, String adminHost, int adminPort,
        Path policyFile, double policyFilePollSeconds) {

    /** Without the admin API or a policy file. */
    public RouterOptions(String host, int port, List<URI> engines, double scrapeIntervalSeconds, int maxQueue,
            double maxQueueSeconds, boolean priorityScheduling) {
        this(host, port, engines, scrapeIntervalSeconds, maxQueue, maxQueueSeconds, priorityScheduling, host, -1, null,
                1);
    }

    public RouterOptions {
        require(port >= 0 && port <= 65_535, "--port must be 0 to 65535, got " + port);
        require(engines != null && !engines.isEmpty(), "--engine: give at least one engine URL (http://host:port)");
        for (URI e : engines) {
            require("http".equals(e.getScheme()) && e.getHost() != null && e.getPort() > 0,
                    "--engine " + e + ": expected http://host:port");
        }
        engines = List.copyOf(engines);
        require(scrapeIntervalSeconds > 0 && Double.isFinite(scrapeIntervalSeconds),
                "--scrape-interval must be a positive number of seconds, got " + scrapeIntervalSeconds);
        require(maxQueue >= 1, "--max-queue must be at least 1 request, got " + maxQueue);
        require(maxQueueSeconds > 0 && Double.isFinite(maxQueueSeconds),
                "--max-queue-seconds must be a positive number of seconds, got " + maxQueueSeconds);
        require(adminPort >= -1 && adminPort <= 65_535, "--admin-port must be 0 to 65535 (or -1 for none), got "
                + adminPort);
        require(adminPort < 0 || adminPort == 0 || adminPort != port, "--admin-port must differ from --port ("
                + port + ")");
        require(policyFilePollSeconds > 0 && Double.isFinite(policyFilePollSeconds),
                "--policy-file-interval must be a positive number of seconds, got " + policyFilePollSeconds);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
