package dev.glia.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glia.vllm.SchedulingPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an OpenAI request body into a {@link ServingRequest}, refusing what vLLM refuses, in vLLM's order: the
 * body's types (pydantic, 400 "Bad Request"), the model (404), the prompt against {@code max_model_len}, the
 * sampling parameters, then the priority (400 BadRequestError). Parameters the emulator does not act on
 * (temperature, top_p, seed, stop, logprobs, ...) are checked where vLLM would reject their values, then ignored.
 */
final class RequestValidator {
    private final EngineOptions options;
    private final PromptTokenizer tokenizer;

    RequestValidator(EngineOptions options, PromptTokenizer tokenizer) {
        this.options = options;
        this.tokenizer = tokenizer;
    }

    ServingRequest validate(Endpoint endpoint, JsonNode body) {
        Fields f = new Fields(body);
        if (!body.isObject()) {
            throw ApiError.validation(List.of("{'type': 'model_attributes_type', 'loc': ('body',), 'msg': 'Input should"
                    + " be a valid dictionary or object to extract fields from', 'input': " + Fields.repr(body) + "}"));
        }
        String model = f.string("model");
        boolean stream = Boolean.TRUE.equals(f.bool("stream"));
        JsonNode streamOptions = body.path("stream_options");
        Boolean includeUsage = streamOptions.isObject() ? f.nested("stream_options").bool("include_usage") : null;
        Integer maxTokens = f.integer("max_tokens");
        Integer maxCompletionTokens = endpoint == Endpoint.CHAT ? f.integer("max_completion_tokens") : null;
        Integer minTokens = f.integer("min_tokens");
        Integer n = f.integer("n");
        Integer priority = f.integer("priority");
        Boolean ignoreEos = f.bool("ignore_eos");
        Double temperature = f.number("temperature");
        Double topP = f.number("top_p");
        f.integer("seed");
        Prompt prompt = endpoint == Endpoint.CHAT ? chatPrompt(f, body) : completionPrompt(f, body);
        if (!streamOptions.isMissingNode() && !streamOptions.isNull() && !stream) {
            f.valueError("Stream options can only be defined when `stream=True`.");
        }
        f.throwIfAny();

        if (model != null && !model.equals(options.servedModelName())) {
            throw ApiError.modelNotFound(model);
        }
        int promptTokens = prompt.tokens();
        Integer requested = requestedMaxTokens(endpoint, body, maxTokens, maxCompletionTokens);
        checkContext(promptTokens, requested);
        int max = requested != null ? requested : options.maxModelLen() - promptTokens;
        int min = minTokens != null ? minTokens : 0;
        checkSampling(n, temperature, topP, max, min);
        int p = priority != null ? priority : 0;
        if (p != 0 && options.schedulingPolicy() != SchedulingPolicy.PRIORITY) {
            throw ApiError.badRequest("Got priority " + p + " but Priority scheduling is not enabled.");
        }
        return new ServingRequest(endpoint, promptTokens, max, min, Boolean.TRUE.equals(ignoreEos), p, stream,
                stream && Boolean.TRUE.equals(includeUsage));
    }

    /** What the client asked for; {@code null}: as much as the context leaves (JSON null, or a chat without it). */
    private static Integer requestedMaxTokens(Endpoint endpoint, JsonNode body, Integer maxTokens,
            Integer maxCompletionTokens) {
        if (endpoint == Endpoint.CHAT) {
            return maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
        }
        return body.has("max_tokens") ? maxTokens : Integer.valueOf(16); // vLLM's CompletionRequest default, as OpenAI's
    }

    /** vLLM's {@code _validate_input}: the prompt leaves room for one token, and for {@code max_tokens} if given. */
    private void checkContext(int promptTokens, Integer maxTokens) {
        int maxModelLen = options.maxModelLen();
        if (promptTokens >= maxModelLen) {
            throw ApiError.invalid("This model's maximum context length is " + maxModelLen + " tokens. However, your"
                    + " request has " + promptTokens + " input tokens. Please reduce the length of the input"
                    + " messages.", "input_tokens", promptTokens);
        }
        if (maxTokens != null && promptTokens + maxTokens > maxModelLen) {
            throw ApiError.invalid("'max_tokens' or 'max_completion_tokens' is too large: " + maxTokens + ". This"
                    + " model's maximum context length is " + maxModelLen + " tokens and your request has "
                    + promptTokens + " input tokens (" + maxTokens + " > " + maxModelLen + " - " + promptTokens + ").",
                    "max_tokens", maxTokens);
        }
    }

    /** vLLM's {@code SamplingParams._verify_args} for the parameters that matter here, and the emulator's n = 1. */
    private static void checkSampling(Integer n, Double temperature, Double topP, int maxTokens, int minTokens) {
        if (n != null && n < 1) {
            throw ApiError.badRequest("n must be at least 1, got " + n + ".");
        }
        if (n != null && n > 1) {
            throw ApiError.invalid("The emulated engine (glia engine) serves one choice per request: only n=1 is"
                    + " supported; send n requests instead.", "n", n);
        }
        if (temperature != null && temperature < 0) {
            throw ApiError.invalid("temperature must be non-negative, got " + temperature + ".", "temperature", temperature);
        }
        if (topP != null && !(topP > 0 && topP <= 1)) {
            throw ApiError.invalid("top_p must be in (0, 1], got " + topP + ".", "top_p", topP);
        }
        if (maxTokens < 1) {
            throw ApiError.invalid("max_tokens must be at least 1, got " + maxTokens + ".", "max_tokens", maxTokens);
        }
        if (minTokens < 0) {
            throw ApiError.invalid("min_tokens must be greater than or equal to 0, got " + minTokens + ".", "min_tokens",
                    minTokens);
        }
        if (minTokens > maxTokens) {
            throw ApiError.invalid("min_tokens must be less than or equal to max_tokens=" + maxTokens + ", got "
                    + minTokens + ".", "min_tokens", minTokens);
        }
    }

    /** The prompt's token count, or why it cannot be served. */
    private interface Prompt {
        int tokens();
    }

    private Prompt completionPrompt(Fields f, JsonNode body) {
        JsonNode prompt = body.path("prompt");
        if (prompt.isMissingNode() || prompt.isNull() || prompt.isTextual() && prompt.asText().isEmpty()
                || prompt.isArray() && prompt.isEmpty()) {
            f.valueError("Either prompt or prompt_embeds must be provided and non-empty.");
            return () -> 0;
        }
        if (prompt.isTextual()) {
            String text = prompt.asText();
            return () -> tokenizer.completion(text);
        }
        if (!prompt.isArray()) {
            f.error("string_type", "prompt", "Input should be a valid string or a list of token IDs", prompt);
            return () -> 0;
        }
        JsonNode first = prompt.get(0);
        if (first.isArray() || first.isTextual()) {
            if (prompt.size() == 1) { // a batch of one is one prompt
                return first.isTextual() ? () -> tokenizer.completion(first.asText()) : tokenIds(f, first);
            }
            return () -> {
                throw ApiError.badRequest("The emulated engine (glia engine) serves one prompt per request, got a batch"
                        + " of " + prompt.size() + ": send them as separate requests.");
            };
        }
        return tokenIds(f, prompt);
    }

    private static Prompt tokenIds(Fields f, JsonNode ids) {
        for (int i = 0; i < ids.size(); i++) {
            if (!ids.get(i).canConvertToInt() || !ids.get(i).isIntegralNumber() || ids.get(i).asInt() < 0) {
                f.errorAt("int_type", "'prompt', " + i, "Input should be a valid integer", ids.get(i));
            }
        }
        int n = ids.size();
        return () -> n;
    }

    private Prompt chatPrompt(Fields f, JsonNode body) {
        JsonNode messages = body.path("messages");
        if (messages.isMissingNode() || messages.isNull()) {
            f.error("missing", "messages", "Field required", body);
            return () -> 0;
        }
        if (!messages.isArray()) {
            f.error("list_type", "messages", "Input should be a valid list", messages);
            return () -> 0;
        }
        List<PromptTokenizer.Message> rendered = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String loc = "'messages', " + i + ", ";
            if (!m.path("role").isTextual()) {
                f.errorAt("missing", loc + "'role'", "Field required", m);
                continue;
            }
            JsonNode content = m.path("content");
            StringBuilder text = new StringBuilder();
            if (content.isTextual()) {
                text.append(content.asText());
            } else if (content.isArray()) {
                for (JsonNode part : content) {
                    if (!"text".equals(part.path("type").asText())) {
                        return () -> {
                            throw ApiError.badRequest("The emulated engine (glia engine) serves text only: content part"
                                    + " type '" + part.path("type").asText() + "' is not supported.");
                        };
                    }
                    text.append(part.path("text").asText());
                }
            } else if (!content.isMissingNode() && !content.isNull()) {
                f.errorAt("string_type", loc + "'content'", "Input should be a valid string", content);
                continue;
            }
            rendered.add(new PromptTokenizer.Message(m.get("role").asText(), text.toString()));
        }
        return () -> tokenizer.chat(rendered);
    }
}
