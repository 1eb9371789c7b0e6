package dev.glia.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.policy.builtin.BuiltinRouters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real OpenAI client (langchain4j's, through quarkus-langchain4j, hence a Quarkus test for its CDI) streams a
 * chat completion through the router as it would from vLLM, and the router counts its prompt as the engine does.
 */
@io.quarkus.test.junit.QuarkusTest
class RouterOpenAiClientTest {
    private static RouterRig rig;

    @BeforeAll
    static void start() {
        rig = RouterRig.start(2, 20, BuiltinRouters.create("llq"), o -> { });
    }

    @AfterAll
    static void stop() {
        rig.close();
    }

    @Test
    void streamsAChatCompletionTokenByTokenWithItsUsage() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(rig.url("/v1")).apiKey("EMPTY")
                .modelName(RouterRig.MODEL).maxTokens(12).timeout(Duration.ofSeconds(10)).build();
        List<String> partials = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        model.chat("Hi", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                partials.add(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });

        ChatResponse response = done.get(10, TimeUnit.SECONDS);
        assertThat(partials).hasSize(12);
        assertThat(response.aiMessage().text()).isEqualTo(String.join("", partials));
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(11); // Llama 3's template around "Hi"
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(12);
        assertThat(rig.metric("glia_router_prompt_tokens_sum")).isEqualTo(11); // the router counted both alike
        assertThat(rig.metric("glia_router_output_tokens_sum")).isEqualTo(12);
    }
}
