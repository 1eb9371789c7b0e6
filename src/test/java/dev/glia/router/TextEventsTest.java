package dev.glia.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** A live router counts the tokens streamed as the events that carry text. */
class TextEventsTest {
    static final String CHAT_STREAM = """
            data: {"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}

            data: {"id":"c","choices":[{"index":0,"delta":{"content":" the"}}]}

            data: {"id":"c","choices":[{"index":0,"delta":{"content":" cat"}}]}

            data: {"id":"c","choices":[{"index":0,"delta":{"content":""},"finish_reason":"length"}]}

            data: {"id":"c","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":2}}

            data: [DONE]

            """;

    @Test
    void onlyEventsWithTextCountNotTheRoleFinishOrUsageEvents() {
        TextEvents events = new TextEvents();
        events.accept(Buffer.buffer(CHAT_STREAM));

        assertThat(events.count()).isEqualTo(2);
    }

    @Test
    void aKeyOrAnEventEndSplitAcrossChunksStillCounts() {
        String completion = "data: {\"choices\":[{\"text\":\" a\"}]}\n\ndata: {\"choices\":[{\"text\":\" b\"}]}\n\n";
        TextEvents events = new TextEvents();
        for (char c : completion.toCharArray()) {
            events.accept(Buffer.buffer(String.valueOf(c)));
        }

        assertThat(events.count()).isEqualTo(2);
    }
}
