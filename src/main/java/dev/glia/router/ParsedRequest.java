package dev.glia.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glia.engine.PromptTokenizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the router reads of a request body, no more: the model, whether it streams, and the prompt's tokens as
 * {@code glia engine} counts them (token IDs counted, text through {@link PromptTokenizer}). Anything the router
 * cannot count is left to the engine to refuse.
 */
record ParsedRequest(String model, boolean stream, int promptTokens, ObjectNode json) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PromptTokenizer TOKENIZER = new PromptTokenizer();

    /** @throws IllegalArgumentException if the body is not a JSON object */
    static ParsedRequest parse(byte[] body, boolean chat) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("the request body is not valid JSON: " + e.getMessage());
        }
        if (!(json instanceof ObjectNode object)) {
            throw new IllegalArgumentException("the request body must be a JSON object");
        }
        return new ParsedRequest(object.path("model").asText(null), object.path("stream").asBoolean(false),
                chat ? chatTokens(object.path("messages")) : completionTokens(object.path("prompt")), object);
    }

    private static int completionTokens(JsonNode prompt) {
        if (prompt.isTextual()) {
            return TOKENIZER.completion(prompt.asText());
        }
        if (prompt.isArray() && prompt.size() == 1 && (prompt.get(0).isTextual() || prompt.get(0).isArray())) {
            return completionTokens(prompt.get(0)); // a batch of one is one prompt
        }
        return prompt.isArray() ? prompt.size() : 0;
    }

    private static int chatTokens(JsonNode messages) {
        List<PromptTokenizer.Message> rendered = new ArrayList<>();
        for (JsonNode m : messages) {
            JsonNode content = m.path("content");
            StringBuilder text = new StringBuilder();
            if (content.isTextual()) {
                text.append(content.asText());
            }
            for (JsonNode part : content.isArray() ? content : List.<JsonNode>of()) {
                text.append(part.path("text").asText());
            }
            rendered.add(new PromptTokenizer.Message(m.path("role").asText(), text.toString()));
        }
        return rendered.isEmpty() ? 0 : TOKENIZER.chat(rendered);
    }

    byte[] withPriority(int priority) {
        try {
            return JSON.writeValueAsBytes(json.deepCopy().put("priority", priority));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
