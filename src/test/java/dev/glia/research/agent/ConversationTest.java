package dev.glia.research.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Researcher's conversation stays sendable: no empty turns, clipped replies, summaries instead of silent cuts. */
class ConversationTest {
    static Conversation conversation(int maxChars) {
        return new Conversation("system prompt", "the task", maxChars, () -> "run-002 MyRouter, 3 seeds: e2e.mean 24.1");
    }

    static void toolTurn(Conversation c, int i, String result) {
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("call-" + i).name("query_runs").arguments("{}").build();
        c.addReply(AiMessage.from(List.of(call)));
        c.addToolResult(ToolExecutionResultMessage.from(call, result));
    }

    @Test
    void anEmptyReplyIsNotStoredAndALongOneIsClipped() {
        Conversation c = conversation(100_000);
        assertThat(c.addReply(AiMessage.from(""))).isFalse();
        assertThat(c.messages()).hasSize(2);
        assertThat(c.addReply(AiMessage.from("y".repeat(300_000)))).isTrue();
        String kept = ((AiMessage) c.messages().get(2)).text();
        assertThat(kept).hasSizeLessThan(Conversation.MAX_REPLY_CHARS + 100).endsWith("(292000 more characters)");
    }

    @Test
    void pastItsLimitOlderTurnsBecomeASummaryAndToolCallsStayWithTheirResults() {
        Conversation c = conversation(5_000);
        for (int i = 1; i <= 10; i++) {
            toolTurn(c, i, "row ".repeat(200));
        }
        c.fit();
        List<ChatMessage> m = c.messages();
        assertThat(m.get(0)).isInstanceOf(SystemMessage.class);
        assertThat(((UserMessage) m.get(1)).singleText()).isEqualTo("the task");
        assertThat(((UserMessage) m.get(2)).singleText()).contains("Summary of your earlier work")
                .contains("run-002 MyRouter, 3 seeds: e2e.mean 24.1");
        assertThat(m.get(3)).isInstanceOf(AiMessage.class);
        assertThat(m).hasSize(3 + 2 * 6); // the last six turns, each a call and its result
        assertThat(((ToolExecutionResultMessage) m.get(m.size() - 1)).id()).isEqualTo("call-10");
        assertThat(c.chars()).isLessThan(10 * 800);
    }

    @Test
    void compactingAgainKeepsOnlyTheLatestTurnAndThenHasNothingLeftToDo() {
        Conversation c = conversation(1_000_000);
        for (int i = 1; i <= 3; i++) {
            toolTurn(c, i, "x");
        }
        assertThat(c.compact()).isTrue();   // fewer than six turns: keeps the latest
        assertThat(c.messages()).hasSize(5);
        assertThat(c.compact()).isFalse();  // only the summary and one turn are left
    }
}
