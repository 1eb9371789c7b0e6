package dev.glia.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bytes on the wire, chunk by chunk, in vLLM's shapes. */
class StreamingWireFormatTest {
    private static EngineHttp engine;

    @BeforeAll
    static void start() {
        engine = EngineHttp.start();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void aStreamedCompletionSendsOneTextCompletionChunkPerTokenThenTheFinishReasonThenDone() {
        HttpResponse<String> response = engine.post("/v1/completions", """
                {"model": "llama-3-8b", "prompt": [1, 2, 3, 4, 5], "max_tokens": 3, "stream": true}""");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("text/event-stream"));
        assertThat(response.body()).endsWith("data: [DONE]\n\n");
        List<JsonNode> chunks = chunks(response.body());
        assertThat(chunks).hasSize(4);
        String id = chunks.get(0).get("id").asText();
        assertThat(id).matches("cmpl-[0-9a-f]{32}");
        for (int i = 0; i < 4; i++) {
            JsonNode c = chunks.get(i);
            assertThat(c.get("id").asText()).isEqualTo(id);
            assertThat(c.get("object").asText()).isEqualTo("text_completion");
            assertThat(c.get("model").asText()).isEqualTo("llama-3-8b");
            assertThat(c.get("created").asLong()).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
            JsonNode choice = c.get("choices").get(0);
            assertThat(choice.get("index").asInt()).isZero();
            assertThat(choice.get("logprobs").isNull()).isTrue();
            assertThat(choice.has("stop_reason")).isTrue();
            assertThat(choice.get("text").asText()).isEqualTo(i < 3 ? FillerText.tokens(i, 1) : "");
            assertThat(choice.get("finish_reason").isNull()).isEqualTo(i < 3);
        }
        assertThat(chunks.get(3).get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
        assertThat(engine.backend.submitted).anySatisfy(r -> assertThat(r.promptTokens()).isEqualTo(5));
    }

    @Test
    void aStreamedChatStartsWithTheAssistantRoleAndEndsWithUsageWhenAskedThenDone() {
        HttpResponse<String> response = engine.post("/v1/chat/completions", """
                {"model": "llama-3-8b", "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
                 "max_completion_tokens": 2, "stream": true, "stream_options": {"include_usage": true}}""");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).endsWith("data: [DONE]\n\n");
        List<JsonNode> chunks = chunks(response.body());
        assertThat(chunks).hasSize(5); // role, 2 tokens, finish, usage
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(c.get("id").asText()).matches("chatcmpl-[0-9a-f]{32}");
        });
        JsonNode role = chunks.get(0).get("choices").get(0);
        assertThat(role.get("delta").get("role").asText()).isEqualTo("assistant");
        assertThat(role.get("delta").get("content").asText()).isEmpty();
        assertThat(role.get("finish_reason").isNull()).isTrue();
        assertThat(chunks.get(1).get("choices").get(0).get("delta").get("content").asText()).isEqualTo(FillerText.tokens(0, 1));
        assertThat(chunks.get(2).get("choices").get(0).get("delta").get("content").asText()).isEqualTo(FillerText.tokens(1, 1));
        assertThat(chunks.get(3).get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
        JsonNode usage = chunks.get(4);
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.get("usage").get("prompt_tokens").asInt()).isEqualTo(11);
        assertThat(usage.get("usage").get("completion_tokens").asInt()).isEqualTo(2);
        assertThat(usage.get("usage").get("total_tokens").asInt()).isEqualTo(13);
    }

    @Test
    void aRequestThatEndsOnItsOwnFinishesWithStop() {
        try (EngineHttp stopping = new EngineHttp(new ScriptedBackend(1, 1).stopAfter(3), EngineHttp.options())) {
            HttpResponse<String> response = stopping.post("/v1/completions", """
                    {"prompt": "Hello", "max_tokens": 50}""");

            JsonNode body = EngineHttp.json(response);
            assertThat(body.get("choices").get(0).get("finish_reason").asText()).isEqualTo("stop");
            assertThat(body.get("choices").get(0).get("text").asText()).isEqualTo(FillerText.tokens(0, 3));
            assertThat(body.get("usage").get("completion_tokens").asInt()).isEqualTo(3);
        }
    }

    @Test
    void theClientsRequestIdNamesTheRequestInTheEngineAndComesBack() {
        HttpResponse<String> response = engine.send(HttpRequest.newBuilder(URI.create(engine.url("/v1/completions")))
                .header("Content-Type", "application/json").header("X-Request-Id", "trace-42")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"Hello\", \"max_tokens\": 2}")).build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue("trace-42");
        assertThat(EngineHttp.json(response).get("id").asText()).isEqualTo("cmpl-trace-42");
        assertThat(engine.backend.submitted).anySatisfy(r -> assertThat(r.requestId()).isEqualTo("trace-42"));
    }

    @Test
    void theEngineIsAskedForWhatTheClientAskedAndVllmsDefaultsOtherwise() {
        engine.post("/v1/chat/completions", """
                {"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 3, "min_tokens": 2, "ignore_eos": true,
                 "temperature": 0.7, "top_p": 0.9, "seed": 7, "stop": ["x"], "logprobs": false}""");
        HttpResponse<String> chat = engine.send(HttpRequest.newBuilder(URI.create(engine.url("/v1/chat/completions")))
                .header("Content-Type", "application/json").header("X-Request-Id", "chat-default")
                .POST(HttpRequest.BodyPublishers.ofString("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"))
                .build());

        assertThat(engine.backend.submitted).anySatisfy(r -> {
            assertThat(r.maxTokens()).isEqualTo(3);
            assertThat(r.minTokens()).isEqualTo(2);
            assertThat(r.ignoreEos()).isTrue();
            assertThat(r.priority()).isZero();
        });
        assertThat(chat.statusCode()).isEqualTo(200);
        // chat without max_tokens: the rest of the context, as vLLM
        assertThat(engine.backend.submitted).anySatisfy(r -> {
            assertThat(r.requestId()).isEqualTo("chat-default");
            assertThat(r.maxTokens()).isEqualTo(1024 - 11);
        });
    }

    @Test
    void aNonStreamedChatAnswersVllmsChatCompletionObject() {
        JsonNode body = EngineHttp.json(engine.post("/v1/chat/completions", """
                {"model": "llama-3-8b", "messages": [{"role": "system", "content": "Be brief."},
                 {"role": "user", "content": "Hi"}], "max_tokens": 4}"""));

        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        assertThat(body.get("id").asText()).startsWith("chatcmpl-");
        JsonNode choice = body.get("choices").get(0);
        assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
        assertThat(choice.get("message").get("content").asText()).isEqualTo(FillerText.tokens(0, 4));
        assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
        assertThat(body.get("usage").get("prompt_tokens").asInt()).isEqualTo(new PromptTokenizer().chat(List.of(
                new PromptTokenizer.Message("system", "Be brief."), new PromptTokenizer.Message("user", "Hi"))));
    }

    @Test
    void modelsVersionAndHealthAnswerAsVllms() {
        JsonNode models = EngineHttp.json(engine.get("/v1/models"));
        assertThat(models.get("object").asText()).isEqualTo("list");
        JsonNode card = models.get("data").get(0);
        assertThat(card.get("id").asText()).isEqualTo("llama-3-8b");
        assertThat(card.get("object").asText()).isEqualTo("model");
        assertThat(card.get("owned_by").asText()).isEqualTo("vllm");
        assertThat(card.get("root").asText()).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
        assertThat(card.get("parent").isNull()).isTrue();
        assertThat(card.get("max_model_len").asInt()).isEqualTo(1024);
        assertThat(card.get("permission").get(0).get("object").asText()).isEqualTo("model_permission");

        assertThat(EngineHttp.json(engine.get("/version")).get("version").asText()).isEqualTo(EngineServer.VLLM_VERSION);
        HttpResponse<String> health = engine.get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEmpty();
        assertThat(engine.get("/ping").statusCode()).isEqualTo(200);
    }

    /** The JSON events of an SSE body, {@code [DONE]} left out. */
    static List<JsonNode> chunks(String body) {
        List<JsonNode> chunks = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            assertThat(event).startsWith("data: ");
            String data = event.substring("data: ".length());
            if (!data.equals("[DONE]")) {
                try {
                    chunks.add(EngineHttp.JSON.readTree(data));
                } catch (java.io.IOException e) {
                    throw new AssertionError("not JSON: " + data, e);
                }
            }
        }
        return chunks;
    }
}
