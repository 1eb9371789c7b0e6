package dev.glia.router.discovery;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Where the router's engines come from. A discovery publishes the <em>whole</em> current set of engines to one
 * listener: once when it starts (possibly empty), then each time the set changes, and never the same set twice in a
 * row. Calls to the listener never overlap, come from the discovery's own thread (not the caller's event loop), and
 * stop once {@link #close()} returns. The listener must return quickly (hand the set to its own thread, e.g. with
 * Vert.x's {@code runOnContext}): it runs on the discovery's threads, which also deliver the next changes.
 *
 * <p>The set comes in a stable order: the order given for {@link StaticDiscovery}, sorted by {@link Endpoint#id()}
 * for {@link KubernetesDiscovery}. Identities are unique within a set. An engine whose URL changes (a pod recreated under the same name)
 * shows as a different {@link Endpoint}: the listener should treat it as the old one gone and a new one come.
 */
public interface EngineDiscovery extends AutoCloseable {

    /** The kinds {@code glia router --discovery} offers. */
    enum Kind { STATIC, KUBERNETES }

    /**
     * Starts watching and publishing to {@code onChange}.
     *
     * @return completes once the first set was published; fails if discovery cannot start (for example the API
     *         server refuses to list pods), with a message that says why
     */
    CompletionStage<Void> start(Consumer<List<Endpoint>> onChange);

    /** Stops watching; no call to the listener starts after this returns. Idempotent. */
    @Override
    void close();
}
