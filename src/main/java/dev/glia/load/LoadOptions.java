package dev.glia.load;

import java.net.URI;
import java.util.List;

/**
 * How to drive a server.
 *
 * @param urls           base URLs of OpenAI-compatible servers (a trailing {@code /v1} is allowed); with several,
 *                       each request goes to the one with the fewest requests in flight from this client (LLQ
 *                       by client-side accounting), the lowest first on ties
 * @param model          the model to ask for; null: the first of {@code GET /v1/models}
 * @param timeScale      arrivals this many times faster than the scenario's; latencies reported × this
 * @param maxConcurrency requests in flight at most (and connections in the pool); later sends wait
 * @param retries        further attempts after a failure that can pass (429, 503, 5xx, lost connection)
 * @param timeoutSeconds a limit on each attempt, from sending to the end of the stream, in wall seconds
 */
public record LoadOptions(List<URI> urls, String model, Endpoint endpoint, double timeScale, int maxConcurrency,
                          int retries, double timeoutSeconds) {
    public LoadOptions {
        urls = List.copyOf(urls);
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("give at least one --url");
        }
        for (URI url : urls) {
            String scheme = url.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme) || url.getHost() == null) {
                throw new IllegalArgumentException("--url must be an http(s) URL such as http://localhost:8000, got "
                        + url);
            }
        }
        if (!(timeScale > 0)) {
            throw new IllegalArgumentException("--time-scale must be positive, got " + timeScale);
        }
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("--max-concurrency must be at least 1, got " + maxConcurrency);
        }
        if (retries < 0) {
            throw new IllegalArgumentException("--retries must not be negative, got " + retries);
        }
        if (!(timeoutSeconds > 0)) {
            throw new IllegalArgumentException("--timeout must be positive seconds, got " + timeoutSeconds);
        }
    }

    /** One server. */
    public LoadOptions(URI url, String model, Endpoint endpoint, double timeScale, int maxConcurrency, int retries,
                       double timeoutSeconds) {
        this(List.of(url), model, endpoint, timeScale, maxConcurrency, retries, timeoutSeconds);
    }

    /** The first server: where the model list is asked for. */
    public URI url() {
        return urls.get(0);
    }

    static boolean ssl(URI url) {
        return "https".equals(url.getScheme());
    }

    static int port(URI url) {
        return url.getPort() >= 0 ? url.getPort() : ssl(url) ? 443 : 80;
    }

    /** The path before {@code /v1/...}: empty for a server at the root. */
    static String basePath(URI url) {
        String path = url.getPath() == null ? "" : url.getPath().replaceAll("/+$", "");
        return path.endsWith("/v1") ? path.substring(0, path.length() - 3) : path;
    }
}
