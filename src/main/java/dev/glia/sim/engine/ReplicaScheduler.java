package dev.glia.sim.engine;

/** How a replica forms its next batch (vLLM's engine-side scheduler). */
interface ReplicaScheduler {
    void formBatch(Replica replica, Batch batch);

    /** Sarathi-Serve / vLLM v1 chunked prefill: decodes first, then prefill chunks, in one token budget. */
    static ReplicaScheduler sarathi(int chunkSize) {
        return (replica, batch) -> {
            int budget = replica.appendDecodes(batch, chunkSize);
            for (int i = 0; i < replica.running.size() && budget > 0; i++) {
                Request r = replica.running.get(i);
                if (!r.inDecode() && r.batchMark != replica.batchSeq) {
                    int chunk = Math.min(r.prefillTarget - r.prefilled, budget);
                    replica.mark(r);
                    batch.addPrefill(r, chunk);
                    budget -= chunk;
                }
            }
            while (budget > 0 && replica.canAdmitHead()) {
                Request r = replica.admitHead();
                int chunk = Math.min(r.prefillTarget, budget);
                batch.addPrefill(r, chunk);
                budget -= chunk;
            }
        };
    }

    /**
     * vLLM's legacy prefill-first scheduler: a prefill-only batch whenever the head of the waiting
     * queue can be admitted (strict head-of-line, padded token budget), otherwise one decode step.
     */
    static ReplicaScheduler vllm(int maxTokensInBatch) {
        return (replica, batch) -> {
            int longest = 0;
            while (replica.canAdmitHead()) {
                Request head = replica.waiting.peek();
                int padded = (batch.size + 1) * Math.max(longest, head.prefillTarget);
                if (batch.size > 0 && padded > maxTokensInBatch) {
                    break;
                }
                Request r = replica.admitHead();
                longest = Math.max(longest, r.prefillTarget);
                batch.addPrefill(r, r.prefillTarget);
            }
            if (batch.size == 0) {
                replica.appendDecodes(batch, Integer.MAX_VALUE);
            }
        };
    }
}
