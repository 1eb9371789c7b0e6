package dev.glia.router.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticDiscoveryTest {

    @Test
    void publishesTheListOnceInItsOrderWithEachUrlAsItsIdentity() {
        URI b = URI.create("http://b:8000");
        URI a = URI.create("http://a:8000");
        List<List<Endpoint>> published = new ArrayList<>();

        try (StaticDiscovery discovery = new StaticDiscovery(List.of(b, a, b))) {
            assertThat(discovery.start(published::add).toCompletableFuture()).isCompleted();
        }

        assertThat(published).containsExactly(List.of(new Endpoint("http://b:8000", b),
                new Endpoint("http://a:8000", a)));
    }
}
