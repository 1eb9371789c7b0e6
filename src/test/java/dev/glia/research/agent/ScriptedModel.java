package dev.glia.research.agent;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/** A chat model that replays a script: tool calls, text, or failures, one per call. */
final class ScriptedModel implements ChatModel {
    private final Deque<Supplier<AiMessage>> script = new ArrayDeque<>();
    private final Supplier<AiMessage> whenDone;
    final List<ChatRequest> requests = new ArrayList<>();
    private int ids;

    ScriptedModel(Supplier<AiMessage> whenDone) {
        this.whenDone = whenDone;
    }

    ScriptedModel call(String tool, String argumentsJson) {
        script.add(() -> AiMessage.from(ToolExecutionRequest.builder().id("call-" + (++ids)).name(tool)
                .arguments(argumentsJson).build()));
        return this;
    }

    ScriptedModel say(String text) {
        script.add(() -> AiMessage.from(text));
        return this;
    }

    ScriptedModel fail(RuntimeException e) {
        script.add(() -> {
            throw e;
        });
        return this;
    }

    @Override
    public synchronized ChatResponse doChat(ChatRequest request) {
        requests.add(request);
        AiMessage next = script.isEmpty() ? whenDone.get() : script.poll().get();
        return ChatResponse.builder().aiMessage(next).tokenUsage(new TokenUsage(1000, 200)).build();
    }

    synchronized int remaining() {
        return script.size();
    }
}
