package dev.glia.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The OpenAI API a load run speaks, with the body vLLM's serving benchmark sends: streamed, the
 * usage in a final chunk, {@code ignore_eos} so the server generates exactly the planned output
 * length.
 */
public enum Endpoint {
    /** {@code /v1/completions} with a token-ID prompt: the prompt length is exact. */
    COMPLETIONS("/v1/completions") {
        @Override
        void prompt(ObjectNode body, int[] ids, int outputTokens) {
            ArrayNode prompt = body.putArray("prompt");
            for (int id : ids) {
                prompt.add(id);
            }
            body.put("max_tokens", outputTokens);
        }

        @Override
        String text(JsonNode choice) {
            return choice.path("text").asText("");
        }
    },
    /**
     * {@code /v1/chat/completions} with one user message of filler words ("a" is one token in
     * Llama 3's and cl100k's vocabularies): the prompt length is about the planned one plus the
     * chat template's tokens, not exact.
     */
    CHAT("/v1/chat/completions") {
        @Override
        void prompt(ObjectNode body, int[] ids, int outputTokens) {
            ObjectNode message = body.putArray("messages").addObject();
            message.put("role", "user");
            message.put("content", "a ".repeat(ids.length).strip());
            body.put("max_completion_tokens", outputTokens);
        }

        @Override
        String text(JsonNode choice) {
            return choice.path("delta").path("content").asText("");
        }
    };

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String path;

    Endpoint(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }

    /** The request body: the prompt of {@code ids}, exactly {@code outputTokens} tokens out. */
    byte[] body(String model, int[] ids, int outputTokens) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        prompt(body, ids, outputTokens);
        body.put("ignore_eos", true);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        try {
            return JSON.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    abstract void prompt(ObjectNode body, int[] ids, int outputTokens);

    /** The text a streamed choice carries ("" for none). */
    abstract String text(JsonNode choice);
}
