package dev.glia.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventStreamTest {
    private final List<String> data = new ArrayList<>();
    private final EventStream stream = new EventStream(64, data::add);

    private void feed(String... parts) {
        for (String p : parts) {
            stream.feed(Buffer.buffer(p.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void anEventSplitAnywhereByTheNetworkArrivesWholeWhenItsBlankLineDoes() {
        feed("da", "ta: {\"a\"", ":1}\n", "\ndata: [DO", "NE]\n\n");

        assertThat(data).containsExactly("{\"a\":1}", "[DONE]");
        assertThat(stream.hasPartialEvent()).isFalse();
    }

    @Test
    void crlfLineBreaksCommentsAndOtherFieldsAreAccepted() {
        feed(": ping\r\n\r\nevent: message\r\nid: 7\r\ndata:{\"b\":2}\r\n\r\n");

        assertThat(data).containsExactly("{\"b\":2}");
    }

    @Test
    void aMultiByteCharacterCutInTwoIsDecodedOnce() {
        byte[] bytes = "data: é\n\n".getBytes(StandardCharsets.UTF_8);
        stream.feed(Buffer.buffer(Arrays.copyOfRange(bytes, 0, 7)));
        stream.feed(Buffer.buffer(Arrays.copyOfRange(bytes, 7, bytes.length)));

        assertThat(data).containsExactly("é");
    }

    @Test
    void aBodyThatStopsInsideAnEventIsSeenAsCutShort() {
        feed("data: {\"c\":");

        assertThat(data).isEmpty();
        assertThat(stream.hasPartialEvent()).isTrue();
    }

    @Test
    void anEventWithoutEndIsRefusedBeforeItFillsMemory() {
        assertThatThrownBy(() -> feed("data: " + "x".repeat(100)))
                .isInstanceOf(EventStream.MalformedStream.class).hasMessageContaining("64 bytes");
    }
}
