package dev.glia.router;

import java.net.URI;
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
 */
public record RouterOptions(String host, int port, List<URI> engines, double scrapeIntervalSeconds,
        int maxQueue, double maxQueueSeconds, boolean priorityScheduling) {

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
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
