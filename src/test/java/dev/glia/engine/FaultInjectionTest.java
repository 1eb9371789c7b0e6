package dev.glia.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The faults the emulator injects from the HTTP side: dying, stalling, loading slowly, and the admin endpoints. */
class FaultInjectionTest {

    @Test
    void failAfterKillsTheEngineWhenTheNextRequestArrives() {
        try (EngineHttp engine = new EngineHttp(new ScriptedBackend(1, 1), EngineHttp.options().failAfter(2))) {
            assertThat(engine.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 2}").statusCode()).isEqualTo(200);
            assertThat(engine.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 2}").statusCode()).isEqualTo(200);

            HttpResponse<String> third = engine.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 2}");

            assertThat(third.statusCode()).isEqualTo(500);
            assertThat(third.body()).isEmpty();
            assertThat(engine.get("/health").statusCode()).isEqualTo(503);
            assertThat(engine.backend.submitted).hasSize(2);
        }
    }

    @Test
    void aStreamInFlightWhenTheEngineDiesEndsWithAnErrorEventThenDone() throws Exception {
        try (EngineHttp engine = new EngineHttp(new ScriptedBackend(5, 20), EngineHttp.options())) {
            CompletableFuture<HttpResponse<String>> stream = CompletableFuture.supplyAsync(() ->
                    engine.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                            + " \"max_tokens\": 500, \"stream\": true}"));
            while (engine.backend.inFlight() == 0) {
                Thread.sleep(5);
            }
            Thread.sleep(50);

            assertThat(engine.post("/admin/kill", "").statusCode()).isEqualTo(200);

            HttpResponse<String> response = stream.get();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).endsWith("data: [DONE]\n\n");
            List<JsonNode> chunks = StreamingWireFormatTest.chunks(response.body());
            JsonNode error = chunks.get(chunks.size() - 1).get("error");
            assertThat(error.get("type").asText()).isEqualTo("InternalServerError");
            assertThat(error.get("code").asInt()).isEqualTo(500);
            assertThat(error.get("message").asText()).contains("/admin/kill");
            assertThat(engine.get("/health").statusCode()).isEqualTo(503);
        }
    }

    @Test
    void stallAfterStallsTheEngineOnceTheNthRequestIsAdmitted() {
        try (EngineHttp engine = new EngineHttp(new ScriptedBackend(1, 1),
                EngineHttp.options().stallAfter(new StallAfter(2, 1.5)))) {
            engine.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 1}");
            assertThat(engine.backend.stalls).isEmpty();

            engine.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 1}");
            engine.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 1}");

            assertThat(engine.backend.stalls).containsExactly(1.5);
        }
    }

    @Test
    void adminStallPassesItsSecondsToTheEngineAndRefusesNonsense() {
        try (EngineHttp engine = EngineHttp.start()) {
            assertThat(engine.post("/admin/stall?seconds=2.5", "").statusCode()).isEqualTo(200);
            assertThat(engine.post("/admin/stall?seconds=0", "").statusCode()).isEqualTo(200);
            HttpResponse<String> missing = engine.post("/admin/stall", "");

            assertThat(engine.backend.stalls).containsExactly(2.5, 0.0);
            assertThat(missing.statusCode()).isEqualTo(400);
            assertThat(EngineHttp.json(missing).get("error").get("message").asText()).contains("?seconds=S");
            assertThat(engine.post("/admin/stall?seconds=-1", "").statusCode()).isEqualTo(400);
        }
    }

    @Test
    void slowStartAnswers503UntilTheModelHasLoaded() throws Exception {
        try (EngineHttp engine = new EngineHttp(new ScriptedBackend(1, 1), EngineHttp.options().slowStartSeconds(3))) {
            HttpResponse<String> early = engine.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 1}");
            assertThat(early.statusCode()).isEqualTo(503);
            assertThat(EngineHttp.json(early).get("error").get("message").asText()).contains("loading");
            assertThat(engine.get("/health").statusCode()).isEqualTo(503);
            assertThat(engine.get("/metrics").statusCode()).isEqualTo(200);

            long deadline = System.nanoTime() + 10_000_000_000L;
            while (engine.get("/health").statusCode() == 503 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }

            assertThat(engine.get("/health").statusCode()).isEqualTo(200);
            assertThat(engine.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 1}").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void replicasListenOnConsecutivePortsEachWithItsOwnEngine() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        List<ScriptedBackend> backends = new java.util.concurrent.CopyOnWriteArrayList<>();
        EngineOptions options = EngineHttp.options().host("127.0.0.1").port(port).replicas(2).build();
        try (EngineFleet fleet = EngineFleet.start(options, (o, i) -> {
            ScriptedBackend b = new ScriptedBackend(1, 1);
            backends.add(b);
            return b;
        })) {
            assertThat(fleet.servers()).extracting(EngineServer::port).containsExactly(port, port + 1);
            assertThat(backends).hasSize(2);
            assertThat(fleet.servers().get(1).backend()).isSameAs(backends.get(1));
        }
    }
}
