package dev.glia.engine;

/** The emulator's generated text: token i of every request is the same word, so a request's text is reproducible. */
final class FillerText {
    private static final String[] WORDS = {" the", " engine", " model", " emits", " one", " token", " per", " step",
            " on", " a", " simulated", " clock", " while", " its", " cache", " fills"};

    private FillerText() {
    }

    /** The text of tokens {@code from} (0-based) to {@code from + count - 1}. */
    static String tokens(int from, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            text.append(WORDS[i % WORDS.length]);
        }
        return text.toString();
    }
}
