package dev.glia.research.agent;

import dev.glia.research.BudgetExhausted;
import dev.glia.research.SessionStopped;
import dev.glia.research.Spend;
import dev.glia.research.Stop;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.NonRetriableException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Calls the model for an agent, with the budget checked before each call and paid after it, and
 * with transient failures (429 rate limits, 5xx, timeouts, dropped connections) retried with
 * exponential back-off. A prompt longer than the model's context is raised as
 * {@link ContextTooLong}, for the caller to compact; a failure that retrying cannot fix as
 * {@link LlmUnavailable}, saying whether the key was refused or the model could not be reached.
 */
public final class ChatClient {
    /** The model did not answer usefully after every attempt; the session keeps what it has. */
    public static final class LlmUnavailable extends SessionStopped {
        LlmUnavailable(Stop.Reason reason, String message, Throwable cause) {
            super(reason, message, cause);
        }
    }

    /** The server refused the prompt as longer than the model's context window. */
    public static final class ContextTooLong extends RuntimeException {
        ContextTooLong(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final ChatModel model;
    private final LlmSettings settings;
    private final Spend spend;
    private final long backoffMillis;
    private final Consumer<String> log;

    public ChatClient(ChatModel model, LlmSettings settings, Spend spend, long backoffMillis, Consumer<String> log) {
        this.model = model;
        this.settings = settings;
        this.spend = spend;
        this.backoffMillis = backoffMillis;
        this.log = log;
    }

    public ChatResponse chat(List<ChatMessage> messages, List<ToolSpecification> tools) {
        // a call costs at least its prompt: estimate ~4 characters a token
        long promptChars = messages.stream().mapToLong(m -> m.toString().length()).sum();
        spend.ensureUsd(settings.cost(promptChars / 4, 0));
        RuntimeException last = null;
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            try {
                ChatRequest.Builder request = ChatRequest.builder().messages(messages);
                if (!tools.isEmpty()) {
                    request.toolSpecifications(tools);
                }
                ChatResponse response = model.chat(request.build());
                TokenUsage usage = response.tokenUsage();
                long in = usage == null || usage.inputTokenCount() == null ? promptChars / 4 : usage.inputTokenCount();
                long out = usage == null || usage.outputTokenCount() == null ? 0 : usage.outputTokenCount();
                spend.tokens(in, out, settings.cost(in, out));
                return response;
            } catch (BudgetExhausted e) {
                throw e;
            } catch (RuntimeException e) {
                if (contextLengthExceeded(e)) {
                    throw new ContextTooLong(describe(e), e);
                }
                last = e;
                if (!retriable(e) || attempt == settings.maxAttempts()) {
                    break;
                }
                long wait = backoffMillis * (1L << (attempt - 1));
                log.accept(String.format(Locale.ROOT, "LLM call failed (%s); retry %d of %d in %d ms", describe(e),
                        attempt, settings.maxAttempts() - 1, wait));
                sleep(wait);
                spend.checkTime();
            }
        }
        if (authenticationFailed(last)) {
            throw new LlmUnavailable(Stop.Reason.AUTH_FAILED, "the model at " + settings.baseUrl() + " refused the API "
                    + "key (set --llm-api-key or GLIA_LLM_API_KEY): " + describe(last), last);
        }
        throw new LlmUnavailable(Stop.Reason.MODEL_UNAVAILABLE, (unreachable(last) ? "cannot reach the model at "
                : "the model at ") + settings.baseUrl() + (unreachable(last) ? ": " : " did not answer: ") + describe(last)
                + (retriable(last) ? " (after " + settings.maxAttempts() + " attempts)" : ""), last);
    }

    static boolean authenticationFailed(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (t instanceof AuthenticationException || m.contains("invalid_api_key") || m.matches("(?s).*\\b40[13]\\b.*")) {
                return true;
            }
        }
        return false;
    }

    static boolean contextLengthExceeded(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("context_length_exceeded") || m.contains("maximum context length")) {
                return true;
            }
        }
        return false;
    }

    private static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException
                    || t instanceof java.nio.channels.UnresolvedAddressException) {
                return true;
            }
        }
        return false;
    }

    /** 429, 5xx, timeouts and I/O failures are worth another try; 400, 401, 404 are not. */
    static boolean retriable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NonRetriableException) {
                return false;
            }
            if (t instanceof RetriableException || t instanceof IOException
                    || t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("429") || m.contains("rate limit") || m.contains("timeout") || m.contains("timed out")
                    || m.matches("(?s).*\\b50[0234]\\b.*") || t.getClass().getSimpleName().contains("Timeout")) {
                return true;
            }
        }
        return false;
    }

    static String describe(Throwable e) {
        String m = e == null ? "unknown error" : e.getMessage();
        return (e == null ? "" : e.getClass().getSimpleName() + ": ") + (m == null ? "" : m.lines().findFirst().orElse(""));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BudgetExhausted(Stop.Reason.BUDGET_TIME, "interrupted");
        }
    }
}
