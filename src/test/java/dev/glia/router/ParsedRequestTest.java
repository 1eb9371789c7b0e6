package dev.glia.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glia.engine.PromptTokenizer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The router reads a body just enough to queue it, and counts prompts as {@code glia engine} does. */
class ParsedRequestTest {
    static final PromptTokenizer TOKENIZER = new PromptTokenizer();

    static ParsedRequest parse(String json, boolean chat) {
        return ParsedRequest.parse(json.getBytes(StandardCharsets.UTF_8), chat);
    }

    @Test
    void aTextPromptIsCountedByTheEnginesTokenizer() {
        ParsedRequest r = parse("{\"model\": \"m\", \"prompt\": \"Hello there, engine\", \"stream\": true}", false);

        assertThat(r.model()).isEqualTo("m");
        assertThat(r.stream()).isTrue();
        assertThat(r.promptTokens()).isEqualTo(TOKENIZER.completion("Hello there, engine"));
    }

    @Test
    void tokenIdsAreCountedAndABatchOfOneIsOnePrompt() {
        assertThat(parse("{\"prompt\": [1, 2, 3, 4]}", false).promptTokens()).isEqualTo(4);
        assertThat(parse("{\"prompt\": [[1, 2, 3]]}", false).promptTokens()).isEqualTo(3);
        assertThat(parse("{\"prompt\": [\"Hi\"]}", false).promptTokens()).isEqualTo(TOKENIZER.completion("Hi"));
    }

    @Test
    void chatMessagesAreCountedWithTheChatTemplate() {
        ParsedRequest r = parse("{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief\"},"
                + " {\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"Hi\"}]}]}", true);

        assertThat(r.stream()).isFalse();
        assertThat(r.promptTokens()).isEqualTo(TOKENIZER.chat(List.of(new PromptTokenizer.Message("system", "Be brief"),
                new PromptTokenizer.Message("user", "Hi"))));
    }

    @Test
    void fieldsOfTheOtherEndpointAndNestedParametersAreSkippedWhole() {
        ParsedRequest chat = parse("{\"prompt\": [1, [2, 3]], \"logit_bias\": {\"5\": -100},"
                + " \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"stream\": true, \"model\": \"m\"}", true);
        ParsedRequest completion = parse("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                + " \"stop\": [\"a\", \"b\"], \"prompt\": [7, 8, 9], \"model\": \"m\"}", false);

        assertThat(chat.promptTokens()).isEqualTo(TOKENIZER.chat(List.of(new PromptTokenizer.Message("user", "Hi"))));
        assertThat(chat.stream()).isTrue();
        assertThat(chat.model()).isEqualTo("m");
        assertThat(completion.promptTokens()).isEqualTo(3);
        assertThat(completion.model()).isEqualTo("m");
    }

    @Test
    void onlyAJsonObjectIsARequest() {
        assertThatThrownBy(() -> parse("[1, 2]", false)).hasMessage("the request body must be a JSON object");
        assertThatThrownBy(() -> parse("{\"prompt\": ", false)).hasMessageStartingWith("the request body is not valid JSON");
    }

    @Test
    void thePriorityStampSetsVllmsPriorityFieldAndKeepsTheRest() {
        String stamped = new String(parse("{\"model\": \"m\", \"prompt\": \"x\", \"priority\": 9}", false)
                .withPriority(-3), StandardCharsets.UTF_8);

        assertThat(stamped).isEqualTo("{\"model\":\"m\",\"prompt\":\"x\",\"priority\":-3}");
    }
}
