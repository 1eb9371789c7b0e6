package dev.glia.vllm;

import java.util.Arrays;

/** The requests of one engine iteration and what each does in it: a decode step or a prefill chunk. */
public final class Batch {
    EngineRequest[] members = new EngineRequest[64];
    /** Prefill chunk of each member, 0 for a decode step. */
    int[] chunks = new int[64];
    int size;
    int tokens;
    int decodes;
    long decodeContext;
    int prefills;
    int prefillTokens;
    double prefillWork;
    int preemptions;

    /** Requests in the batch. */
    public int size() {
        return size;
    }

    public EngineRequest member(int i) {
        return members[i];
    }

    /** Tokens of one iteration: one per decode plus the prefill chunks. */
    public int tokens() {
        return tokens;
    }

    public int prefillTokens() {
        return prefillTokens;
    }

    /** Requests preempted while this batch was formed. */
    public int preemptions() {
        return preemptions;
    }

    void clear() {
        Arrays.fill(members, 0, size, null);
        size = 0;
        tokens = 0;
        decodes = 0;
        decodeContext = 0;
        prefills = 0;
        prefillTokens = 0;
        prefillWork = 0;
        preemptions = 0;
    }

    void addDecode(EngineRequest r) {
        add(r, 0);
        tokens++;
        decodes++;
        decodeContext += r.kv;
    }

    void addPrefill(EngineRequest r, int chunk) {
        add(r, chunk);
        tokens += chunk;
        prefills++;
        prefillTokens += chunk;
        prefillWork += chunk * (r.prefilled + chunk / 2.0);
    }

    boolean decodeOnly() {
        return prefills == 0 && decodes > 0;
    }

    private void add(EngineRequest r, int chunk) {
        if (size == members.length) {
            members = Arrays.copyOf(members, size * 2);
            chunks = Arrays.copyOf(chunks, size * 2);
        }
        members[size] = r;
        chunks[size] = chunk;
        size++;
    }
}
