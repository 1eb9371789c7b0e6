package dev.glia.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Prints Glia's token count of each file, for comparing with Llama 3's tokenizer (tools/tokenizer). Not a test. */
public final class TokenizerComparison {
    private TokenizerComparison() {
    }

    public static void main(String[] files) throws IOException {
        PromptTokenizer tokenizer = new PromptTokenizer();
        for (String f : files) {
            String text = Files.readString(Path.of(f));
            System.out.printf("{\"file\":\"%s\",\"chars\":%d,\"cl100k\":%d}%n", f, text.length(), tokenizer.tokens(text));
        }
    }
}
