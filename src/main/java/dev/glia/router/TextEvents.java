package dev.glia.router;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Counts the events of an OpenAI stream that carry output text: a live router's count of tokens streamed, since vLLM
 * streams one event per decoding step. A chat stream's role event, the finish event (empty text), the usage event
 * and {@code [DONE]} carry none. Reads the bytes as they pass, a chunk boundary anywhere, copying nothing.
 */
final class TextEvents {
    /** vLLM's and the emulator's JSON is compact: a key is followed by its value without a space. */
    private static final byte[][] KEYS = {"\"text\":\"".getBytes(StandardCharsets.US_ASCII),
            "\"content\":\"".getBytes(StandardCharsets.US_ASCII)};

    private final int[] matched = new int[KEYS.length];
    /** The last byte ended a key: the next says whether its string is empty. */
    private boolean afterKey;
    private boolean carriesText;
    private boolean newline;
    private int count;

    void accept(Buffer chunk) {
        for (int i = 0; i < chunk.length(); i++) {
            accept(chunk.getByte(i));
        }
    }

    private void accept(byte b) {
        if (afterKey) {
            carriesText |= b != '"';
            afterKey = false;
        }
        for (int k = 0; k < KEYS.length; k++) {
            if (b == KEYS[k][matched[k]]) {
                if (++matched[k] == KEYS[k].length) {
                    afterKey = true;
                    matched[k] = 0;
                }
            } else {
                matched[k] = b == KEYS[k][0] ? 1 : 0;
            }
        }
        if (b == '\n' && newline) { // a blank line ends an event
            count += carriesText ? 1 : 0;
            carriesText = false;
            newline = false;
        } else {
            newline = b == '\n';
        }
    }

    int count() {
        return count;
    }
}
