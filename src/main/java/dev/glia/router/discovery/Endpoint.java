package dev.glia.router.discovery;

import java.net.URI;
import java.util.Objects;

/**
 * One engine as discovery sees it: a stable identity and the base URL to send to.
 *
 * @param id  stable while the engine lives: {@code namespace/name} for a pod, the URL itself for a static engine
 * @param url the engine's base URL, {@code http://host:port}
 */
public record Endpoint(String id, URI url) implements Comparable<Endpoint> {

    public Endpoint {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(url, "url");
    }

    @Override
    public int compareTo(Endpoint o) {
        int c = id.compareTo(o.id);
        return c != 0 ? c : url.toString().compareTo(o.url.toString());
    }

    @Override
    public String toString() {
        return id.equals(url.toString()) ? id : id + " (" + url + ")";
    }
}
