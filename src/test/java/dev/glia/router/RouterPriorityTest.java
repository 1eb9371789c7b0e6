package dev.glia.router;

import dev.glia.catalog.PolicyDocument;
import dev.glia.engine.WallClockEngine;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Under {@code --scheduling-policy priority} the router stamps each request with its batch priority, and the engine
 * (vLLM's priority scheduler, emulated) serves the lowest first: shortest-prompt-first reorders what waits.
 */
class RouterPriorityTest {

    @Test
    void shortestPromptFirstStampsPrioritiesTheEngineServesLowestFirst() throws Exception {
        assertThat(finishOrder("spf")).containsExactly(10, 500, 2000);
    }

    @Test
    void withFirstComeFirstServedEveryPriorityIsZeroAndArrivalOrderStands() throws Exception {
        assertThat(finishOrder("fcfs")).containsExactly(2000, 500, 10);
    }

    /**
     * One engine that runs one sequence at a time: a long request holds it while three wait, sent longest prompt
     * first; returns their prompt lengths in the order the engine finished them.
     */
    private static List<Integer> finishOrder(String batchPriority) throws Exception {
        LoadedPolicy policy = LoadedPolicy.load(new PolicyDocument(PolicyDocument.Part.named("llq", Map.of()),
                PolicyDocument.Part.named(batchPriority, Map.of())));
        try (RouterRig rig = RouterRig.start(1, 20, policy, o -> {
            o.maxNumSeqs = 1;
            o.priorityScheduling = true;
        })) {
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            responses.add(rig.postAsync(tokens(3, 600)));
            RouterRig.sleep(200);
            for (int prompt : new int[] {2000, 500, 10}) {
                responses.add(rig.postAsync(tokens(prompt, 4)));
                RouterRig.sleep(50);
            }
            for (CompletableFuture<HttpResponse<String>> r : responses) {
                assertThat(r.get(60, TimeUnit.SECONDS).statusCode()).as(r.get().body()).isEqualTo(200);
            }
            return rig.finished.stream().map(WallClockEngine.FinishedRequest::times)
                    .filter(t -> t.generatedTokens() == 4).map(t -> t.promptTokens()).toList();
        }
    }

    /** A streamed completion whose prompt is {@code n} token ids. */
    private static String tokens(int n, int maxTokens) {
        String ids = IntStream.range(0, n).mapToObj(i -> Integer.toString(100 + i % 1000)).collect(Collectors.joining(","));
        return """
                {"model": "%s", "prompt": [%s], "max_tokens": %d, "ignore_eos": true, "stream": true}"""
                .formatted(RouterRig.MODEL, ids, maxTokens);
    }
}
