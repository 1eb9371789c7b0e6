package dev.glia.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.policy.ReplicaView;
import dev.glia.policy.Router;
import dev.glia.policy.builtin.BuiltinRouters;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A policy sees each engine as docs/router.md says: router-side accounting plus the engine's scraped metrics. */
class RouterLiveViewTest {
    record Seen(int totalBlocks, int blockSize, int waitingSent, int streaming, int numWaiting, int numRunning,
                int queued) {
    }

    @Test
    void enginesShowTheirScrapedCacheAndTheRoutersOwnAccounting() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        Router llq = BuiltinRouters.create("llq");
        Router watching = (cluster, dispatch) -> {
            ReplicaView engine = cluster.replicas().get(0);
            seen.add(new Seen(engine.totalBlocks(), engine.blockSize(), engine.waiting().size(),
                    engine.running().size(), engine.numWaiting(), engine.numRunning(), cluster.queue().size()));
            llq.route(cluster, dispatch);
        };
        try (RouterRig rig = RouterRig.start(1, 20, watching, o -> { })) {
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                responses.add(rig.postAsync(RouterRig.completion(300, true)));
            }
            CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).get();

            assertThat(seen).isNotEmpty().allSatisfy(s -> {
                assertThat(s.totalBlocks()).isEqualTo(2240); // vllm:cache_config_info, scraped
                assertThat(s.blockSize()).isEqualTo(16);
            });
            assertThat(seen.get(0).numWaiting() + seen.get(0).numRunning()).as("an idle engine").isZero();
            // each arrival found the earlier ones sent: in flight without a first byte, or streaming
            assertThat(seen.stream().mapToInt(s -> s.waitingSent() + s.streaming()).max().orElseThrow()).isEqualTo(3);
            assertThat(rig.metric("glia_router_scrape_age_seconds{engine=\"" + rig.engineUrl(0, "") + "\",}"))
                    .isLessThan(1);
        }
    }
}
