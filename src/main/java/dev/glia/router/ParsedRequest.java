package dev.glia.router;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
record ParsedRequest(String model, boolean stream, int promptTokens, byte[] body) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PromptTokenizer TOKENIZER = new PromptTokenizer();

    /**
     * Reads the body as a stream of tokens, building a tree only of the prompt or the messages: on the router's event
     * loop a request's body is read once, and most of it (sampling parameters) is never looked at.
     *
     * @throws IllegalArgumentException if the body is not a JSON object
     */
    static ParsedRequest parse(byte[] body, boolean chat) {
        try (JsonParser in = JSON.createParser(body)) {
            if (in.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("the request body must be a JSON object");
            }
            String model = null;
            boolean stream = false;
            int tokens = 0;
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                String field = in.currentName();
                JsonToken value = in.nextToken();
                switch (field) {
                    case "model" -> model = value.isScalarValue() && value != JsonToken.VALUE_NULL ? in.getText() : null;
                    case "stream" -> stream = value == JsonToken.VALUE_TRUE
                            || value == JsonToken.VALUE_STRING && "true".equals(in.getText())
                            || value.isNumeric() && in.getDoubleValue() != 0;
                    case "prompt" -> {
                        if (chat) {
                            in.skipChildren(); // not a chat field: the engine judges it
                        } else {
                            tokens = completionTokens(in.readValueAsTree());
                        }
                    }
                    case "messages" -> {
                        if (chat) {
                            tokens = chatTokens(in.readValueAsTree());
                        } else {
                            in.skipChildren();
                        }
                    }
                    default -> in.skipChildren();
                }
            }
            return new ParsedRequest(model, stream, tokens, body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("the request body is not valid JSON: " + e.getMessage());
        }
    }

    private static int completionTokens(JsonNode prompt) {
        if (prompt == null) {
            return 0;
        }
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
        if (messages == null) {
            return 0;
        }
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

    /** The body with vLLM's {@code priority} set, every other field as the client sent it. */
    byte[] withPriority(int priority) {
        try {
            ObjectNode json = (ObjectNode) JSON.readTree(body);
            return JSON.writeValueAsBytes(json.put("priority", priority));
        } catch (IOException e) {
            throw new IllegalStateException(e); // parsed once already
        }
    }
}
