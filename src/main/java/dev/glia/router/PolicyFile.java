package dev.glia.router;

import dev.glia.catalog.PolicyDocument;
import dev.glia.policy.sandbox.PolicySource;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The watched policy file ({@code --policy-file}): a {@link PolicyDocument} document, typically a ConfigMap key mounted
 * into the pod, which GitOps tools and the operator update. Polled by content, not by file events: kubelet swaps a
 * mounted ConfigMap through a symlink, which inotify on the file itself does not see. A document that does not load
 * is logged and counted, the running policy stays, and the same bytes are not tried again.
 */
final class PolicyFile {
    private static final Logger LOG = Logger.getLogger(PolicyFile.class.getName());

    private final Path path;
    /** SHA-256 of the content last tried, loaded or not. */
    private volatile String lastTried;
    private boolean loading;

    /** @param loaded the content the router started with */
    PolicyFile(Path path, String loaded) {
        this.path = path;
        this.lastTried = loaded == null ? null : PolicySource.sha256(loaded);
    }

    static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --policy-file " + path + ": " + e.getMessage(), e);
        }
    }

    /** Reads the file off the event loop; if its content changed, loads it and hands it to {@code install}. */
    void poll(Vertx vertx, Consumer<LoadedPolicy> install, RouterMetrics metrics) {
        if (loading) {
            return;
        }
        loading = true;
        String tried = lastTried;
        vertx.executeBlocking(() -> {
            if (!Files.exists(path)) {
                return null; // a ConfigMap being replaced: the next poll sees the new one
            }
            String text = read(path);
            String hash = PolicySource.sha256(text);
            if (hash.equals(tried)) {
                return null;
            }
            lastTried = hash;
            return LoadedPolicy.load(PolicyDocument.parse(text, path.toString()));
        }, false).onComplete(loaded -> {
            loading = false;
            if (loaded.failed()) {
                LOG.log(Level.WARNING, "--policy-file " + path + " did not load; the running policy stays: "
                        + loaded.cause().getMessage());
                metrics.policyChanges.labels("file", "failed").inc();
            } else if (loaded.result() != null) {
                install.accept(loaded.result());
                metrics.policyChanges.labels("file", "installed").inc();
            }
        });
    }
}
