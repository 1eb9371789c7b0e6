package dev.glia.load;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Server-sent events framed from arbitrary network chunks, line by line: each event's
 * {@code data:} payload goes on when its blank line arrives. Comments ({@code :ping}) and other
 * fields are skipped. Holds at most one unfinished event, and refuses one over
 * {@code maxEventBytes}, so a broken server cannot make the client buffer without bound.
 */
final class EventStream {
    private final Consumer<String> onData;
    private final int maxEventBytes;
    private byte[] line = new byte[256];
    private int lineLength;
    private StringBuilder data;

    EventStream(int maxEventBytes, Consumer<String> onData) {
        this.maxEventBytes = maxEventBytes;
        this.onData = onData;
    }

    /** Feeds the next bytes of the body; throws {@link MalformedStream} on an oversized event. */
    void feed(Buffer chunk) {
        for (int i = 0, n = chunk.length(); i < n; i++) {
            byte b = chunk.getByte(i);
            if (b == '\n') {
                endLine();
            } else {
                if (lineLength + (data == null ? 0 : data.length()) >= maxEventBytes) {
                    throw new MalformedStream("an event of more than " + maxEventBytes + " bytes");
                }
                if (lineLength == line.length) {
                    line = Arrays.copyOf(line, 2 * lineLength);
                }
                line[lineLength++] = b;
            }
        }
    }

    /** True when the body stopped inside an event. */
    boolean hasPartialEvent() {
        return lineLength > 0 || data != null;
    }

    private void endLine() {
        int n = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
        lineLength = 0;
        if (n == 0) {
            if (data != null) {
                String payload = data.toString();
                data = null;
                onData.accept(payload);
            }
            return;
        }
        String text = new String(line, 0, n, StandardCharsets.UTF_8);
        if (!text.startsWith("data:")) {
            return; // a comment, or a field the OpenAI protocol does not use (event, id, retry)
        }
        String value = text.substring(text.startsWith("data: ") ? 6 : 5);
        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
    }

    /** The body is not a well-formed event stream. */
    static final class MalformedStream extends RuntimeException {
        MalformedStream(String message) {
            super(message);
        }
    }
}
