package dev.glia.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.policy.Router;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A policy that fails is contained by the shared runtime: the last good router, then LLQ, routes
 * from then on (the same call again, with what was sent standing), the failure is counted, and no
 * client sees it.
 */
class RouterPolicyFailureTest {

    @Test
    void aPolicyThatThrowsOrSendsTwiceIsReplacedByLlqAndCounted() throws Exception {
        int[] calls = {0};
        Router broken = (cluster, dispatch) -> {
            if (calls[0]++ % 2 == 0) {
                throw new IllegalStateException("a bug in the policy");
            }
            dispatch.send(cluster.queue().get(0), cluster.replicas().get(0));
            dispatch.send(cluster.queue().get(0), cluster.replicas().get(0)); // a PolicyViolation
        };
        try (RouterRig rig = RouterRig.start(2, 20, broken, o -> { })) {
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                responses.add(rig.postAsync(RouterRig.completion(20, true)));
            }
            for (CompletableFuture<HttpResponse<String>> r : responses) {
                assertThat(r.get().statusCode()).isEqualTo(200);
                assertThat(r.get().body()).endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
            }
            assertThat(rig.metric("glia_router_policy_failures_total")).isEqualTo(1); // then LLQ routes
            assertThat(rig.router.requests("completed")).isEqualTo(8);
        }
    }
}
