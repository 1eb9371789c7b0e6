package dev.glia.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiLanguageModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real OpenAI client (langchain4j's, through quarkus-langchain4j, hence a Quarkus test for its CDI) talks to
 * the emulated engine as it would to vLLM. Streaming text completions are checked on the wire
 * ({@link StreamingWireFormatTest}): quarkus-langchain4j 1.7.4's streaming language model posts the prompt to
 * {@code /v1/chat/completions}, which vLLM refuses too.
 */
@io.quarkus.test.junit.QuarkusTest
class OpenAiClientTest {
    private static final PromptTokenizer TOKENIZER = new PromptTokenizer();
    private static EngineHttp engine;

    @BeforeAll
    static void start() {
        engine = EngineHttp.start();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static String baseUrl() {
        return engine.url("/v1");
    }

    @Test
    void streamsAChatCompletionTokenByTokenWithItsUsage() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(baseUrl()).apiKey("EMPTY")
                .modelName(EngineHttp.MODEL).maxTokens(12).timeout(Duration.ofSeconds(10)).build();
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
        assertThat(response.aiMessage().text()).isEqualTo(FillerText.tokens(0, 12));
        assertThat(partials).hasSize(12);
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(11); // Llama 3's template around "Hi"
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(12);
        assertThat(response.tokenUsage().totalTokenCount()).isEqualTo(23);
    }

    @Test
    void answersAChatCompletionInOneResponseWithItsUsage() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(baseUrl()).apiKey("EMPTY")
                .modelName(EngineHttp.MODEL).maxTokens(7).timeout(Duration.ofSeconds(10)).build();

        ChatResponse response = model.chat(dev.langchain4j.data.message.UserMessage.from("Hi"));

        assertThat(response.aiMessage().text()).isEqualTo(FillerText.tokens(0, 7));
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(11);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(7);
    }

    @Test
    void answersATextCompletionInOneResponseWithItsUsage() {
        OpenAiLanguageModel model = OpenAiLanguageModel.builder().baseUrl(baseUrl()).apiKey("EMPTY")
                .modelName(EngineHttp.MODEL).timeout(Duration.ofSeconds(10)).build();

        Response<String> response = model.generate("Once upon a time");

        assertThat(response.content()).isEqualTo(FillerText.tokens(0, 16));
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(TOKENIZER.completion("Once upon a time"));
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(16);
        assertThat(response.tokenUsage().totalTokenCount()).isEqualTo(TOKENIZER.completion("Once upon a time") + 16);
    }
}
