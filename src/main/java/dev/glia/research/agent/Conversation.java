package dev.glia.research.agent;

import dev.glia.research.Notebook;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The messages of one Researcher context, kept fit to send: a reply with neither text nor tool
 * calls is never stored (OpenAI refuses such a message), a long reply is stored clipped, and when
 * the conversation grows past its limit, or the server says it is too long, the older turns are
 * replaced by a summary of what they established (experiments, findings, files) while the system
 * prompt, the task and the latest turns stay as they are.
 */
final class Conversation {
    /** Characters of a reply kept in the conversation; the notebook keeps more. */
    static final int MAX_REPLY_CHARS = 8_000;
    /** Turns kept verbatim when older ones are summarised. */
    private static final int KEEP_TURNS = 6;

    private final SystemMessage system;
    private final UserMessage task;
    private final int maxChars;
    private final Supplier<String> summary;
    private final List<ChatMessage> turns = new ArrayList<>();
    private int compactions;

    /** @param summary what the context has established so far, in words: it replaces the turns it covers */
    Conversation(String system, String task, int maxChars, Supplier<String> summary) {
        this.system = SystemMessage.from(system);
        this.task = UserMessage.from(task);
        this.maxChars = maxChars;
        this.summary = summary;
    }

    List<ChatMessage> messages() {
        List<ChatMessage> out = new ArrayList<>(turns.size() + 2);
        out.add(system);
        out.add(task);
        out.addAll(turns);
        return out;
    }

    /** Stores a reply; false if it was empty and so not stored. */
    boolean addReply(AiMessage ai) {
        boolean text = ai.text() != null && !ai.text().isBlank();
        if (!text && !ai.hasToolExecutionRequests()) {
            return false;
        }
        String kept = text ? Notebook.clip(ai.text(), MAX_REPLY_CHARS) : null;
        turns.add(ai.hasToolExecutionRequests() ? AiMessage.from(kept, ai.toolExecutionRequests()) : AiMessage.from(kept));
        return true;
    }

    void addToolResult(ToolExecutionResultMessage result) {
        turns.add(result);
    }

    void addUser(String text) {
        turns.add(UserMessage.from(text));
    }

    /** Compacts if the conversation is past its limit. */
    void fit() {
        if (chars() > maxChars) {
            compact();
        }
    }

    /**
     * Replaces every turn before the last few by the summary (which covers the whole context, so it
     * also replaces an earlier summary). A turn starts with a reply, so a tool call is never
     * separated from its result. False if there was nothing older to replace.
     */
    boolean compact() {
        int first = compactions > 0 ? 1 : 0;
        int cut = replyFromEnd(KEEP_TURNS);
        if (cut <= first) {
            cut = replyFromEnd(1); // a few long turns: keep only the latest
        }
        if (cut <= first) {
            return false;
        }
        List<ChatMessage> kept = new ArrayList<>(turns.subList(cut, turns.size()));
        turns.clear();
        turns.add(UserMessage.from("## Summary of your earlier work in this context\n\nThe conversation grew too long, "
                + "so its older turns were replaced by this summary.\n\n" + summary.get()));
        turns.addAll(kept);
        compactions++;
        return true;
    }

    /** The index of the n-th reply from the end, or -1. */
    private int replyFromEnd(int n) {
        int replies = 0;
        for (int i = turns.size() - 1; i >= 0; i--) {
            if (turns.get(i) instanceof AiMessage && ++replies == n) {
                return i;
            }
        }
        return -1;
    }

    int chars() {
        return chars(messages());
    }

    private static int chars(List<ChatMessage> messages) {
        int n = 0;
        for (ChatMessage m : messages) {
            if (m instanceof SystemMessage s) {
                n += s.text().length();
            } else if (m instanceof UserMessage u) {
                n += u.hasSingleText() ? u.singleText().length() : u.toString().length();
            } else if (m instanceof AiMessage a) {
                n += a.text() == null ? 0 : a.text().length();
                if (a.hasToolExecutionRequests()) {
                    n += a.toolExecutionRequests().stream().mapToInt(r -> String.valueOf(r.arguments()).length() + 40).sum();
                }
            } else if (m instanceof ToolExecutionResultMessage t) {
                n += t.text().length();
            }
        }
        return n;
    }
}
