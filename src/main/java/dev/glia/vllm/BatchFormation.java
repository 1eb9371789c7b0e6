package dev.glia.vllm;

import java.util.Locale;
import java.util.StringJoiner;

/** How an engine forms its next batch from its running set and waiting queue (vLLM's scheduler). */
public enum BatchFormation {
    /**
     * Chunked prefill (Sarathi-Serve; vLLM V1 and {@code --enable-chunked-prefill}): decodes first,
     * then prefill chunks of running requests, then newly admitted ones, in one token budget.
     */
    CHUNKED_PREFILL("chunked-prefill", "sarathi") {
        @Override
        void form(Engine<?> engine, Batch batch) {
            int budget = engine.appendDecodes(batch, engine.maxNumBatchedTokens);
            for (int i = 0; i < engine.running.size() && budget > 0; i++) {
                EngineRequest r = engine.running.get(i);
                if (!r.inDecode() && r.batchMark != engine.batchSeq) {
                    int chunk = Math.min(r.prefillTarget - r.prefilled, budget);
                    engine.mark(r);
                    batch.addPrefill(r, chunk);
                    budget -= chunk;
                }
            }
            while (budget > 0 && engine.canAdmitHead()) {
                EngineRequest r = engine.admitHead();
                int chunk = Math.min(r.prefillTarget, budget);
                batch.addPrefill(r, chunk);
                budget -= chunk;
            }
        }
    },

    /**
     * vLLM V0's legacy scheduler: a prefill-only batch whenever the head of the waiting queue can
     * be admitted (strict head-of-line, padded token budget), otherwise one decode step for all.
     */
    PREFILL_FIRST("prefill-first", "vllm") {
        @Override
        void form(Engine<?> engine, Batch batch) {
            int longest = 0;
            while (engine.canAdmitHead()) {
                EngineRequest head = engine.waiting.peek();
                int padded = (batch.size + 1) * Math.max(longest, head.prefillTarget);
                if (batch.size > 0 && padded > engine.maxNumBatchedTokens) {
                    break;
                }
                EngineRequest r = engine.admitHead();
                longest = Math.max(longest, r.prefillTarget);
                batch.addPrefill(r, r.prefillTarget);
            }
            if (batch.size == 0) {
                engine.appendDecodes(batch, Integer.MAX_VALUE);
            }
        }
    };

    private final String label;
    private final String alias;

    BatchFormation(String label, String alias) {
        this.label = label;
        this.alias = alias;
    }

    abstract void form(Engine<?> engine, Batch batch);

    /** The name scenarios and flags use. */
    public String label() {
        return label;
    }

    /** By name: {@code chunked-prefill} or {@code prefill-first}, or the older {@code sarathi} and {@code vllm}. */
    public static BatchFormation named(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (BatchFormation f : values()) {
            if (f.label.equals(n) || f.alias.equals(n)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown batch formation '" + name + "': use one of " + names());
    }

    /** Every accepted name, canonical ones first. */
    public static String names() {
        StringJoiner labels = new StringJoiner(", ");
        StringJoiner aliases = new StringJoiner(", ", " (aliases: ", ")");
        for (BatchFormation f : values()) {
            labels.add(f.label);
            aliases.add(f.alias);
        }
        return labels + aliases.toString();
    }
}
