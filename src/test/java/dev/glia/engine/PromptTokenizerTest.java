package dev.glia.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Prompt tokens as a Llama 3 engine counts them, with a real BPE tokenizer. */
class PromptTokenizerTest {
    private final PromptTokenizer tokenizer = new PromptTokenizer();

    @Test
    void aCompletionPromptIsItsBpeTokensPlusBeginOfText() {
        // cl100k (and Llama 3): "Hello" "," " world" "!"
        assertThat(tokenizer.completion("Hello, world!")).isEqualTo(1 + 4);
        assertThat(tokenizer.completion("")).isEqualTo(1);
    }

    @Test
    void tokensAreNotWords() {
        String text = "internationalization is tokenized into pieces";
        assertThat(tokenizer.tokens(text)).isNotEqualTo(text.split(" ").length).isGreaterThan(5);
    }

    @Test
    void aChatIsRenderedWithLlamaThreesTemplate() {
        // <|begin_of_text|> <|start_header_id|> user <|end_header_id|> \n\n Hi <|eot_id|>
        //   <|start_header_id|> assistant <|end_header_id|> \n\n  — 11 tokens, as Llama 3's tokenizer gives
        assertThat(tokenizer.chat(List.of(new PromptTokenizer.Message("user", "Hi")))).isEqualTo(11);
        int twoTurns = tokenizer.chat(List.of(new PromptTokenizer.Message("system", "Be brief."),
                new PromptTokenizer.Message("user", "Hi")));
        assertThat(twoTurns).isEqualTo(11 + 4 + tokenizer.tokens("system") + tokenizer.tokens("Be brief."));
    }

    @Test
    void specialTokensInUserTextAreCountedAsText() {
        assertThat(tokenizer.tokens("<|endoftext|>")).isGreaterThan(1);
        assertThat(tokenizer.tokens("<|eot_id|>")).isGreaterThan(1);
    }

    @Test
    void nonLatinTextIsTokenizedByBytesNotRejected() {
        assertThat(tokenizer.tokens("人人生而自由，在尊严和权利上一律平等。")).isBetween(10, 40);
    }
}
