package dev.glia.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Hundreds of concurrent streams on a handful of threads: the server never parks a thread on a stream. */
class ConcurrencyTest {
    private static final int STREAMS = 300;

    @Test
    void threeHundredConcurrentStreamsCompleteWithoutAThreadEach() throws Exception {
        try (EngineHttp engine = new EngineHttp(new ScriptedBackend(20, 20), EngineHttp.options())) {
            engine.get("/health"); // start the event loop before counting
            int before = Thread.activeCount();
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                    .executor(java.util.concurrent.Executors.newFixedThreadPool(2)).build();
            List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
            int peak = before;
            for (int i = 0; i < STREAMS; i++) {
                streams.add(client.sendAsync(HttpRequest.newBuilder(URI.create(engine.url("/v1/completions")))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"Hi\", \"max_tokens\": 50, \"stream\": true}"))
                        .build(), HttpResponse.BodyHandlers.ofString()));
            }
            CompletableFuture<Void> all = CompletableFuture.allOf(streams.toArray(CompletableFuture[]::new));
            int concurrent = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!all.isDone() && System.nanoTime() < deadline) {
                peak = Math.max(peak, Thread.activeCount());
                concurrent = Math.max(concurrent, engine.backend.inFlight());
                Thread.sleep(5);
            }
            all.get(1, TimeUnit.SECONDS);

            assertThat(concurrent).as("streams in flight at once").isGreaterThan(STREAMS / 2);
            for (CompletableFuture<HttpResponse<String>> s : streams) {
                assertThat(s.get().statusCode()).isEqualTo(200);
                assertThat(s.get().body()).endsWith("data: [DONE]\n\n");
                assertThat(StreamingWireFormatTest.chunks(s.get().body())).hasSize(51);
            }
            // Vert.x' event loops (2 per core) and the HTTP client's selector, not one thread per stream
            assertThat(peak - before).as("threads added while streaming").isLessThan(2 * Runtime.getRuntime().availableProcessors() + 10);
        }
    }
}
