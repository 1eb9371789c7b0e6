package dev.glia.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Prometheus (Debian's {@code prometheus} package) for tests: found on the PATH, or installed with
 * apt-get when the tests run as root; otherwise the calling test is skipped, saying why. It scrapes the
 * given targets every second, listens on a free loopback port, keeps its TSDB in a temporary folder and
 * is stopped by {@link #close()}. {@code -Dglia.test.prometheus=PATH} picks a particular binary.
 */
public final class RealPrometheus implements AutoCloseable {
    /** A scrape target: the {@code job} label and {@code host:port} (its {@code /metrics} is scraped). */
    public record Target(String job, String hostPort) {
    }

    private static String binary;
    private static String unavailable;

    private final Process process;
    private final URI url;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private RealPrometheus(Process process, URI url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    /** Skips the calling test, saying why, when no Prometheus can be had (installing it if need be). */
    public static void assumeAvailable() {
        Assumptions.assumeTrue(binary() != null, () -> "no real Prometheus: " + unavailable);
    }

    /** Starts Prometheus scraping {@code targets} every second; skips the test when it cannot be had. */
    public static RealPrometheus start(Path dir, List<Target> targets) {
        return start(dir, targets, null, null);
    }

    /**
     * The same, plus job {@code fileJob} whose targets Prometheus reads from {@code targetsFile} (file-based service
     * discovery, re-read when the file changes: targets that come and go, each with its own labels, as Kubernetes'
     * pod discovery gives them). Write the file with {@link #writeFileTargets}.
     */
    public static RealPrometheus start(Path dir, List<Target> targets, String fileJob, Path targetsFile) {
        assumeAvailable();
        String bin = binary();
        try {
            Path config = dir.resolve("prometheus.yml");
            StringBuilder yaml = new StringBuilder("""
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                    """);
            java.util.Map<String, List<String>> byJob = new java.util.LinkedHashMap<>();
            targets.forEach(t -> byJob.computeIfAbsent(t.job(), j -> new ArrayList<>()).add("'" + t.hostPort() + "'"));
            byJob.forEach((job, hosts) -> yaml.append("  - job_name: '").append(job).append("'\n")
                    .append("    static_configs:\n")
                    .append("      - targets: [").append(String.join(", ", hosts)).append("]\n"));
            if (fileJob != null) {
                if (!Files.exists(targetsFile)) {
                    writeFileTargets(targetsFile, java.util.Map.of());
                }
                yaml.append("  - job_name: '").append(fileJob).append("'\n")
                        .append("    file_sd_configs:\n")
                        .append("      - files: ['").append(targetsFile.toAbsolutePath()).append("']\n")
                        .append("        refresh_interval: 1s\n");
            }
            Files.writeString(config, yaml);
            IOException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = freePort();
                Path data = Files.createTempDirectory(dir, "tsdb");
                Path log = dir.resolve("prometheus-" + attempt + ".log");
                Process p = new ProcessBuilder(bin, "--config.file=" + config, "--storage.tsdb.path=" + data,
                        "--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.retention.time=1h",
                        "--log.level=warn").redirectErrorStream(true).redirectOutput(log.toFile()).start();
                RealPrometheus prometheus = new RealPrometheus(p, URI.create("http://127.0.0.1:" + port), log);
                if (prometheus.awaitReady(Duration.ofSeconds(30))) {
                    return prometheus;
                }
                prometheus.close();
                last = new IOException("Prometheus did not become ready on port " + port + ": " + tail(log));
            }
            throw last;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Replaces the file-discovered targets: {@code host:port} to its labels (e.g. {@code pod}). Written to a
     * temporary file and moved into place, so that Prometheus never reads half a file.
     */
    public static void writeFileTargets(Path targetsFile, java.util.Map<String, java.util.Map<String, String>> targets) {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ArrayNode json = mapper.createArrayNode();
        targets.forEach((hostPort, labels) -> {
            var group = json.addObject();
            group.putArray("targets").add(hostPort);
            group.set("labels", mapper.valueToTree(labels));
        });
        try {
            Path tmp = targetsFile.resolveSibling(targetsFile.getFileName() + ".tmp");
            Files.writeString(tmp, json.toString());
            Files.move(tmp, targetsFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server's root URL, e.g. {@code http://127.0.0.1:40123}. */
    public URI url() {
        return url;
    }

    /** Until every target reports {@code up == 1} (a first scrape succeeded), at most {@code timeout}. */
    public void awaitTargetsUp(int targets, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            body = get("/api/v1/query?query=sum(up)");
            if (body.contains("\"" + targets + "\"]")) {
                return;
            }
            sleep(100);
        }
        throw new IllegalStateException("Prometheus' targets were not all up after " + timeout + ": " + body
                + "; log: " + tail(log));
    }

    private boolean awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(url.resolve("/-/ready")).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            sleep(100);
        }
        return false;
    }

    private String get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The prometheus binary, installed if need be (once per JVM); null with {@link #unavailable} saying why. */
    static synchronized String binary() {
        if (binary != null || unavailable != null) {
            return binary;
        }
        String given = System.getProperty("glia.test.prometheus");
        if (given != null && !given.isBlank()) { // a particular binary, e.g. a newer Prometheus than Debian's
            if (Files.isExecutable(Path.of(given))) {
                binary = given;
            } else {
                unavailable = "-Dglia.test.prometheus=" + given + " is not an executable file";
            }
            return binary;
        }
        binary = onPath("prometheus");
        if (binary == null) {
            if (!"root".equals(System.getProperty("user.name"))) {
                unavailable = "`prometheus` is not on the PATH and the tests do not run as root to install Debian's"
                        + " package (apt-get install prometheus, or run .ci/run)";
            } else {
                List<String> install = List.of("apt-get", "install", "-y", "--no-install-recommends", "prometheus");
                String out = run(install);
                binary = onPath("prometheus");
                if (binary == null) { // a fresh machine may have no package lists yet
                    run(List.of("apt-get", "update"));
                    out = run(install);
                    binary = onPath("prometheus");
                }
                if (binary == null) {
                    unavailable = "`prometheus` is not on the PATH and apt-get install prometheus failed: " + out;
                }
            }
        }
        return binary;
    }

    private static String onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        Path debian = Path.of("/usr/bin", name);
        return Files.isExecutable(debian) ? debian.toString() : null;
    }

    private static String run(List<String> command) {
        try {
            Path output = Files.createTempFile("apt-get", ".log");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
            }
            String out = Files.readString(output);
            Files.deleteIfExists(output);
            return out.length() > 500 ? out.substring(out.length() - 500) : out;
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = new ArrayList<>(Files.readAllLines(log));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
