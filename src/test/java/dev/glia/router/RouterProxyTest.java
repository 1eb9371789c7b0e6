package dev.glia.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.load.Endpoint;
import dev.glia.load.LoadGenerator;
import dev.glia.load.LoadOptions;
import dev.glia.load.LoadRun;
import dev.glia.load.RequestPlan;
import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The router is a transparent OpenAI-compatible proxy in front of several engines. */
class RouterProxyTest {
    static final double TIME_SCALE = 20;
    static RouterRig rig;

    @BeforeAll
    static void start() {
        rig = RouterRig.start(3, TIME_SCALE, BuiltinRouters.create("llq"), o -> { });
    }

    @AfterAll
    static void stop() {
        rig.close();
    }

    @Test
    void aScenarioReplayedThroughTheRouterCompletesOnEveryEngine() {
        Scenario s = ScenarioLoader.complete(ScenarioLoader.parse("""
                name: three-replicas
                seed: 0
                duration: 10
                cluster: {replicas: 3, gpu: a10, model: llama-3-8b, numBlocks: 2240, maxNumSeqs: 128,
                          maxNumBatchedTokens: 8192, maxModelLen: 8192}
                workload:
                  arrivals: {process: poisson, qps: 6}
                  lengths: {table: sharegpt}
                policies: {router: llq}
                """, "test"), "test", Path.of(""));
        RequestPlan plan = RequestPlan.of(s, 0, 60);
        double completedBefore = rig.router.requests("completed");
        LoadRun run;
        try (LoadGenerator load = new LoadGenerator(new LoadOptions(URI.create(rig.url("")), null,
                Endpoint.COMPLETIONS, TIME_SCALE, 256, 0, 60))) {
            run = load.run(plan, load.firstModel());
            assertThat(load.failed()).isZero();
            assertThat(load.completed()).isEqualTo(plan.size());
        }
        assertThat(run.errors().values().stream().mapToInt(Integer::intValue).sum()).isZero();
        assertThat(rig.router.requests("completed") - completedBefore).isEqualTo(plan.size());
        Set<Integer> enginesUsed = new HashSet<>();
        rig.finished.forEach(f -> enginesUsed.add(f.engine()));
        assertThat(enginesUsed).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void aStreamPassesByteForByteWithItsUsage() {
        HttpResponse<String> direct = rig.send(withId(RouterRig.post(rig.engineUrl(0, "/v1/completions"),
                RouterRig.completion(12, true)), "same"));
        HttpResponse<String> routed = rig.send(withId(RouterRig.post(rig.url("/v1/completions"),
                RouterRig.completion(12, true)), "same"));

        assertThat(routed.statusCode()).isEqualTo(200);
        assertThat(routed.headers().firstValue("content-type")).isEqualTo(direct.headers().firstValue("content-type"));
        assertThat(withoutCreated(routed.body())).isEqualTo(withoutCreated(direct.body()));
        assertThat(routed.body()).contains("\"usage\":{\"prompt_tokens\":").endsWith("data: [DONE]\n\n");
    }

    @Test
    void aNonStreamedCompletionPassesUnchanged() {
        HttpResponse<String> direct = rig.send(withId(RouterRig.post(rig.engineUrl(1, "/v1/completions"),
                RouterRig.completion(7, false)), "whole"));
        HttpResponse<String> routed = rig.send(withId(RouterRig.post(rig.url("/v1/completions"),
                RouterRig.completion(7, false)), "whole"));

        assertThat(routed.statusCode()).isEqualTo(200);
        assertThat(withoutCreated(routed.body())).isEqualTo(withoutCreated(direct.body()));
        assertThat(routed.body()).contains("\"completion_tokens\":7");
    }

    @Test
    void modelsComeFromAnEngineAndTheRouterIsLiveAndReady() {
        assertThat(rig.get(rig.url("/v1/models")).body()).contains("\"id\":\"" + RouterRig.MODEL + "\"");
        assertThat(rig.get(rig.url("/health")).statusCode()).isEqualTo(200);
        assertThat(rig.get(rig.url("/ready")).statusCode()).isEqualTo(200);
    }

    @Test
    void aBodyThatIsNotJsonIsRefusedInOpenAisShape() {
        HttpResponse<String> refused = rig.send(RouterRig.post(rig.url("/v1/completions"), "{not json"));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).startsWith("{\"error\":{\"message\":\"the request body is not valid JSON");
    }

    private static HttpRequest withId(HttpRequest request, String id) {
        return HttpRequest.newBuilder(request, (name, value) -> true).header("X-Request-Id", id).build();
    }

    /** The one field that differs between two runs of the same request: the second it was created. */
    private static String withoutCreated(String body) {
        return body.replaceAll("\"created\":\\d+", "\"created\":0");
    }
}
