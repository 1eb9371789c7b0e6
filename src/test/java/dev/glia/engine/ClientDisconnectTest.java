package dev.glia.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A client that goes away frees its request in the engine, as vLLM aborts it. */
class ClientDisconnectTest {

    @Test
    void closingTheConnectionMidStreamAbortsTheRequest() throws Exception {
        try (EngineHttp engine = new EngineHttp(new ScriptedBackend(5, 20), EngineHttp.options())) {
            try (Socket socket = request(engine, "{\"prompt\": \"Hi\", \"max_tokens\": 500, \"stream\": true}")) {
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null && !line.contains("\"text\"")) {
                    // headers, then the first chunk
                }
                assertThat(line).as("a first chunk").isNotNull();
            }

            awaitAbort(engine);
            assertThat(engine.backend.aborted).singleElement().isEqualTo(engine.backend.submitted.get(0).requestId());
        }
    }

    @Test
    void closingTheConnectionBeforeAWholeAnswerAbortsTheRequest() throws Exception {
        try (EngineHttp engine = new EngineHttp(new ScriptedBackend(5, 20), EngineHttp.options())) {
            try (Socket socket = request(engine, "{\"prompt\": \"Hi\", \"max_tokens\": 500}")) {
                Instant deadline = Instant.now().plusSeconds(5);
                while (engine.backend.submitted.isEmpty() && Instant.now().isBefore(deadline)) {
                    Thread.sleep(5);
                }
            }

            awaitAbort(engine);
            assertThat(engine.backend.aborted).hasSize(1);
        }
    }

    @Test
    void aFinishedRequestIsNotAbortedWhenItsKeptAliveConnectionCloses() throws Exception {
        try (EngineHttp engine = new EngineHttp(new ScriptedBackend(1, 1), EngineHttp.options())) {
            try (Socket socket = request(engine, "{\"prompt\": \"Hi\", \"max_tokens\": 2, \"stream\": true}")) {
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null && !line.contains("[DONE]")) {
                    // the whole stream
                }
            }
            Thread.sleep(100);

            assertThat(engine.backend.aborted).isEmpty();
        }
    }

    private static Socket request(EngineHttp engine, String body) throws Exception {
        Socket socket = new Socket("127.0.0.1", engine.server.port());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        return socket;
    }

    private static void awaitAbort(EngineHttp engine) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
        while (engine.backend.aborted.isEmpty() && Instant.now().isBefore(deadline)) {
            Thread.sleep(10);
        }
    }
}
