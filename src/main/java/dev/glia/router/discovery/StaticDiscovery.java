package dev.glia.router.discovery;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The {@code --engine} list, published once, in the order given (an engine's position is its replica id), with
 * each URL as its identity. A URL given twice counts once.
 */
public final class StaticDiscovery implements EngineDiscovery {
    private final List<Endpoint> endpoints;

    public StaticDiscovery(List<URI> engines) {
        List<Endpoint> list = new ArrayList<>();
        for (URI u : engines) {
            Endpoint e = new Endpoint(u.toString(), u);
            if (!list.contains(e)) {
                list.add(e);
            }
        }
        this.endpoints = List.copyOf(list);
    }

    /** Publishes the list on the caller's thread, before returning. */
    @Override
    public CompletionStage<Void> start(Consumer<List<Endpoint>> onChange) {
        onChange.accept(endpoints);
        return CompletableFuture.completedFuture(null);
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    @Override
    public void close() {
    }
}
