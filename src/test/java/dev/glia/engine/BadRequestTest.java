package dev.glia.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glia.vllm.SchedulingPolicy;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each row of docs/engine.md's error table: vLLM's status, error type and message; nothing reaches the engine. */
class BadRequestTest {
    private static EngineHttp engine;

    @BeforeAll
    static void start() {
        engine = EngineHttp.start(); // max_model_len 1024, fcfs
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void malformedJsonIs400BadRequest() {
        assertRefused(engine.post("/v1/completions", "{\"prompt\": \"Hi\","), 400, "Bad Request", "JSON decode error");
    }

    @Test
    void aBodyThatIsNotJsonContentIs400() {
        HttpResponse<String> response = engine.send(HttpRequest.newBuilder(URI.create(engine.url("/v1/completions")))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"Hi\"}")).build());
        assertRefused(response, 400, "Bad Request", "Only 'application/json' is allowed");
    }

    @Test
    void aWrongTypeIs400NamingTheField() {
        JsonNode error = assertRefused(engine.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": \"ten\"}"),
                400, "Bad Request", "Input should be a valid integer, unable to parse string as an integer");
        assertThat(error.get("message").asText()).contains("'loc': ('body', 'max_tokens')").contains("'input': 'ten'");
    }

    @Test
    void aCompletionWithoutPromptIs400() {
        assertRefused(engine.post("/v1/completions", "{\"max_tokens\": 5}"), 400, "Bad Request",
                "Either prompt or prompt_embeds must be provided and non-empty.");
    }

    @Test
    void aChatWithoutMessagesIs400() {
        assertRefused(engine.post("/v1/chat/completions", "{\"max_tokens\": 5}"), 400, "Bad Request",
                "'loc': ('body', 'messages'), 'msg': 'Field required'");
    }

    @Test
    void anUnknownModelIs404() {
        JsonNode error = assertRefused(engine.post("/v1/completions", "{\"model\": \"gpt-4\", \"prompt\": \"Hi\"}"),
                404, "NotFoundError", "The model `gpt-4` does not exist.");
        assertThat(error.get("param").asText()).isEqualTo("model");
    }

    @Test
    void aPromptAsLongAsTheContextIs400() {
        JsonNode error = assertRefused(engine.post("/v1/completions", "{\"prompt\": " + tokenIds(1024) + "}"), 400,
                "BadRequestError", "This model's maximum context length is 1024 tokens. However, your request has 1024"
                        + " input tokens. Please reduce the length of the input messages.");
        assertThat(error.get("param").asText()).isEqualTo("input_tokens");
    }

    @Test
    void aPromptPlusMaxTokensOverTheContextIs400() {
        JsonNode error = assertRefused(engine.post("/v1/completions", "{\"prompt\": " + tokenIds(1000)
                + ", \"max_tokens\": 100}"), 400, "BadRequestError", "'max_tokens' or 'max_completion_tokens' is too"
                        + " large: 100. This model's maximum context length is 1024 tokens and your request has 1000"
                        + " input tokens (100 > 1024 - 1000).");
        assertThat(error.get("param").asText()).isEqualTo("max_tokens");
    }

    @Test
    void zeroMaxTokensIs400() {
        assertRefused(engine.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 0}"), 400, "BadRequestError",
                "max_tokens must be at least 1, got 0.");
    }

    @Test
    void negativeMaxTokensIs400() {
        assertRefused(engine.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                + " \"max_completion_tokens\": -5}"), 400, "BadRequestError", "max_tokens must be at least 1, got -5.");
    }

    @Test
    void aPriorityWithoutPrioritySchedulingIs400() {
        assertRefused(engine.post("/v1/completions", "{\"prompt\": \"Hi\", \"priority\": 5}"), 400, "BadRequestError",
                "Got priority 5 but Priority scheduling is not enabled.");
    }

    @Test
    void aPriorityWithPrioritySchedulingReachesTheEngine() {
        try (EngineHttp priority = new EngineHttp(new ScriptedBackend(1, 1),
                EngineHttp.options().schedulingPolicy(SchedulingPolicy.PRIORITY))) {
            HttpResponse<String> response = priority.post("/v1/completions", "{\"prompt\": \"Hi\", \"priority\": -3, \"max_tokens\": 2}");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(priority.backend.submitted).singleElement().satisfies(r -> assertThat(r.priority()).isEqualTo(-3));
        }
    }

    @Test
    void moreThanOneChoiceIs400() {
        assertRefused(engine.post("/v1/completions", "{\"prompt\": \"Hi\", \"n\": 2}"), 400, "BadRequestError",
                "only n=1 is supported");
    }

    @Test
    void aNegativeTemperatureIs400() {
        assertRefused(engine.post("/v1/completions", "{\"prompt\": \"Hi\", \"temperature\": -0.5}"), 400,
                "BadRequestError", "temperature must be non-negative, got -0.5.");
    }

    @Test
    void aBatchOfPromptsIs400() {
        assertRefused(engine.post("/v1/completions", "{\"prompt\": [\"Hi\", \"Hello\"]}"), 400, "BadRequestError",
                "serves one prompt per request, got a batch of 2");
    }

    @Test
    void streamOptionsWithoutStreamIs400() {
        assertRefused(engine.post("/v1/completions", "{\"prompt\": \"Hi\", \"stream_options\": {\"include_usage\": true}}"),
                400, "Bad Request", "Stream options can only be defined when `stream=True`.");
    }

    @Test
    void anImageInAChatIs400() {
        assertRefused(engine.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\":"
                + " \"image_url\", \"image_url\": {\"url\": \"http://x\"}}]}]}"), 400, "BadRequestError", "serves text only");
    }

    @Test
    void anUnknownRouteIs404WithFastApisDetail() {
        HttpResponse<String> response = engine.post("/v1/embeddings", "{}");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(EngineHttp.json(response).get("detail").asText()).isEqualTo("Not Found");
    }

    @Test
    void aWrongMethodIs405WithFastApisDetail() {
        HttpResponse<String> response = engine.get("/v1/completions");
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
        assertThat(EngineHttp.json(response).get("detail").asText()).isEqualTo("Method Not Allowed");
    }

    @Test
    void aDeadEngineAnswers500WithAnEmptyBodyAndUnhealthy() {
        try (EngineHttp dead = new EngineHttp(new ScriptedBackend(1, 1), EngineHttp.options())) {
            dead.backend.kill("test");

            HttpResponse<String> response = dead.post("/v1/completions", "{\"prompt\": \"Hi\", \"stream\": true}");

            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(response.body()).isEmpty();
            assertThat(dead.get("/health").statusCode()).isEqualTo(503);
        }
    }

    @Test
    void refusedRequestsNeverReachTheEngine() {
        int before = engine.backend.submitted.size();
        engine.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 0}");
        engine.post("/v1/completions", "{\"model\": \"nope\", \"prompt\": \"Hi\"}");
        assertThat(engine.backend.submitted).hasSize(before);
    }

    /** The error object, after checking the status and vLLM's envelope. */
    private static JsonNode assertRefused(HttpResponse<String> response, int status, String type, String message) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode error = EngineHttp.json(response).get("error");
        assertThat(error).as(response.body()).isNotNull();
        assertThat(error.get("type").asText()).isEqualTo(type);
        assertThat(error.get("code").asInt()).isEqualTo(status);
        assertThat(error.has("param")).isTrue();
        assertThat(error.get("message").asText()).contains(message);
        return error;
    }

    private static String tokenIds(int n) {
        StringBuilder ids = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            ids.append(i == 0 ? "" : ",").append(100 + i);
        }
        return ids.append("]").toString();
    }
}
