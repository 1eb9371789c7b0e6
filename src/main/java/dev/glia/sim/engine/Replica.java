package dev.glia.sim.engine;

import dev.glia.policy.ReplicaView;
import dev.glia.vllm.exec.ExecutionModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One inference engine: a waiting queue, a running set, a paged KV cache, and the batch in flight.
 *
 * <p>A batch of decodes only keeps the same membership until a request completes, a decode needs
 * a block that is not free, or the router sends this replica a request. Such a batch runs as a
 * <em>decode run</em> of k iterations planned at once: their durations and block needs follow
 * from the members' context lengths, so nothing per request is touched until the run ends. The
 * run is cut short at the next iteration boundary when a request arrives, and views between
 * boundaries report exactly what stepping one iteration at a time would (see {@link #sync}).
 */
public final class Replica implements ReplicaView {
    public enum Phase { STARTING, READY, DRAINING, REMOVED }

    private static final int MAX_RUN = 1 << 14;

    final int id;
    final int numBlocks;
    final int blockSize;
    final int watermark;
    final int maxNumSeqs;
    final boolean priorityScheduling;
    private final ReplicaScheduler scheduler;
    private final ExecutionModel model;
    private final boolean decodeRuns;

    final WaitingQueue waiting = new WaitingQueue();
    final ArrayList<Request> running = new ArrayList<>();
    private final List<Request> waitingView = Collections.unmodifiableList(waiting);
    private final List<Request> runningView = Collections.unmodifiableList(running);

    Phase phase;
    final double provisionedAt;
    double readyAt = Double.NaN;
    double removedAt = Double.NaN;

    /** Blocks allocated as of the start of the batch in flight (its first iteration included). */
    int allocated;
    final Batch batch = new Batch();
    boolean busy;
    int batchSeq;
    /** Bumped whenever the scheduled end of the batch in flight changes; stale end events are ignored. */
    int version;
    double batchStart;
    double batchEnd;

    // The decode run in flight: iterations, their end times and the blocks allocated by each start.
    int runLength;
    private double[] runEnds = new double[64];
    private int[] runNeed = new int[64];
    private final int[] phaseCount;
    /** Iterations of the run started and ended as of the last {@link #sync}. */
    private int runStarted;
    private int runEnded;

    private double enqueueKey;
    private double frontKey;
    long generatedTotal;
    long preemptions;

    Replica(int id, int numBlocks, int blockSize, int maxNumSeqs, boolean priorityScheduling,
            ReplicaScheduler scheduler, ExecutionModel model, boolean decodeRuns, double provisionedAt) {
        this.id = id;
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.watermark = (int) (0.01 * numBlocks);
        this.maxNumSeqs = maxNumSeqs;
        this.priorityScheduling = priorityScheduling;
        this.scheduler = scheduler;
        this.model = model;
        this.decodeRuns = decodeRuns;
        this.provisionedAt = provisionedAt;
        this.phaseCount = new int[blockSize];
        this.phase = Phase.STARTING;
    }

    // ---- views -------------------------------------------------------------------------------

    @Override
    public int id() {
        return id;
    }

    @Override
    public int numWaiting() {
        return waiting.size();
    }

    @Override
    public int numRunning() {
        return running.size();
    }

    @Override
    public List<Request> waiting() {
        return waitingView;
    }

    @Override
    public List<Request> running() {
        return runningView;
    }

    @Override
    public int allocatedBlocks() {
        return runStarted > 0 ? allocated + runNeed[runStarted - 1] : allocated;
    }

    @Override
    public int totalBlocks() {
        return numBlocks;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public boolean accepting() {
        return phase == Phase.READY;
    }

    public Phase phase() {
        return phase;
    }

    /** Output tokens of a request, counting the iterations of a decode run ended by the last {@link #sync}. */
    int generatedOf(Request r) {
        boolean inRun = runLength > 0 && r.state == Request.State.RUNNING && r.batchMark == batchSeq;
        return inRun ? r.generated + runEnded : r.generated;
    }

    /** Output tokens generated on this replica so far, as of the last {@link #sync}. */
    long generatedTotal() {
        return generatedTotal + (long) runEnded * (runLength > 0 ? batch.decodes : 0);
    }

    /** Brings the views up to time {@code now} inside a decode run: iterations started and ended. */
    void sync(double now) {
        if (runLength == 0) {
            return;
        }
        int started = Math.max(runStarted, 1);
        while (started < runLength && runEnds[started - 1] <= now) {
            started++;
        }
        int ended = started - 1;
        if (ended < runLength && runEnds[ended] <= now) {
            ended++;
        }
        runStarted = started;
        runEnded = ended;
    }

    // ---- the waiting queue ---------------------------------------------------------------------

    void enqueue(Request r) {
        r.state = Request.State.WAITING;
        r.replica = this;
        r.waitKey = priorityScheduling ? r.arrival : ++enqueueKey;
        waiting.insert(r);
    }

    boolean canAdmitHead() {
        Request head = waiting.peek();
        return head != null && running.size() < maxNumSeqs
                && numBlocks - allocated - blocksFor(head.prefillTarget) >= watermark;
    }

    Request admitHead() {
        Request r = waiting.poll();
        int need = blocksFor(r.prefillTarget);
        r.blocks = need;
        allocated += need;
        r.state = Request.State.RUNNING;
        running.add(r);
        mark(r);
        return r;
    }

    int blocksFor(int tokens) {
        return (tokens + blockSize - 1) / blockSize;
    }

    void mark(Request r) {
        r.batchMark = batchSeq;
    }

    /**
     * One decode step for each running request in decode, oldest first, within {@code budget}
     * tokens; a step that needs a block when none is free preempts the lowest-priority request
     * not yet in this batch (perhaps itself). Returns the budget left.
     */
    int appendDecodes(Batch batch, int budget) {
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Request r = running.get(i);
            if (!r.inDecode()) {
                continue;
            }
            if (r.kv % blockSize == 0) {
                boolean preemptedItself = false;
                while (allocated == numBlocks) {
                    int v = victim();
                    Request victim = running.get(v);
                    preempt(v);
                    batch.preemptions++;
                    if (victim == r) {
                        preemptedItself = true;
                        break;
                    }
                    if (v < i) {
                        i--;
                    }
                }
                if (preemptedItself) {
                    i--;
                    continue;
                }
                r.blocks++;
                allocated++;
            }
            mark(r);
            batch.addDecode(r);
            budget--;
        }
        return budget;
    }

    /** Index in {@code running} of the largest (priority, arrival) not yet in this batch. */
    private int victim() {
        int best = -1;
        for (int i = 0; i < running.size(); i++) {
            Request r = running.get(i);
            if (r.batchMark == batchSeq) {
                continue;
            }
            if (best < 0 || later(r, running.get(best))) {
                best = i;
            }
        }
        return best;
    }

    private static boolean later(Request a, Request b) {
        if (a.priority != b.priority) {
            return a.priority > b.priority;
        }
        if (a.arrival != b.arrival) {
            return a.arrival > b.arrival;
        }
        return a.index > b.index;
    }

    /** Recompute: drop all KV, return to the front of the waiting queue with prompt = everything so far. */
    private void preempt(int index) {
        Request r = running.remove(index);
        allocated -= r.blocks;
        r.wastedTokens += r.kv;
        r.blocks = 0;
        r.kv = 0;
        r.prefilled = 0;
        r.prefillTarget = r.prompt + r.generated;
        r.restarts++;
        r.state = Request.State.WAITING;
        r.waitKey = priorityScheduling ? r.arrival : --frontKey;
        waiting.insert(r);
        preemptions++;
    }

    // ---- batches -------------------------------------------------------------------------------

    boolean hasWork() {
        return !running.isEmpty() || waiting.size() > 0;
    }

    /** Forms and starts the next batch at {@code now}; returns false if there is nothing to run. */
    boolean startBatch(double now) {
        batch.clear();
        batchSeq++;
        scheduler.formBatch(this, batch);
        if (batch.size == 0) {
            busy = false;
            return false;
        }
        busy = true;
        version++;
        batchStart = now;
        if (!batch.decodeOnly()) {
            for (int i = 0; i < batch.size; i++) {
                if (Double.isNaN(batch.members[i].scheduledAt)) {
                    batch.members[i].scheduledAt = now;
                }
            }
        }
        double end = now + model.iterationSeconds(batch.tokens, batch.decodes, batch.decodeContext,
                batch.prefills, batch.prefillWork);
        runLength = 0;
        runStarted = 0;
        runEnded = 0;
        if (batch.decodeOnly() && batch.decodes == running.size() && batch.preemptions == 0) {
            planRun(end);
            end = runEnds[runLength - 1];
        }
        batchEnd = end;
        return true;
    }

    /** Extends a decode-only batch to the iterations that must follow with the same members. */
    private void planRun(double firstEnd) {
        int n = batch.decodes;
        java.util.Arrays.fill(phaseCount, 0);
        int maxIterations = MAX_RUN;
        for (int i = 0; i < n; i++) {
            Request r = batch.members[i];
            // the member's step at iteration j writes KV position kv + j: a new block when it is a multiple of the block size
            phaseCount[Math.floorMod(-r.kv, blockSize)]++;
            maxIterations = Math.min(maxIterations, r.outputTokens - r.generated);
        }
        if (!decodeRuns) {
            maxIterations = 1;
        }
        ensureRunCapacity(Math.min(maxIterations, MAX_RUN));
        runEnds[0] = firstEnd;
        runNeed[0] = 0;
        int free = numBlocks - allocated;
        int need = 0;
        int k = 1;
        double end = firstEnd;
        while (k < maxIterations) {
            int more = phaseCount[k % blockSize];
            if (need + more > free) {
                break;
            }
            need += more;
            end += model.iterationSeconds(n, n, batch.decodeContext + (long) k * n, 0, 0);
            runEnds[k] = end;
            runNeed[k] = need;
            k++;
        }
        runLength = k;
    }

    private void ensureRunCapacity(int k) {
        if (runEnds.length < k) {
            int size = Math.max(k, runEnds.length * 2);
            runEnds = java.util.Arrays.copyOf(runEnds, size);
            runNeed = java.util.Arrays.copyOf(runNeed, size);
        }
    }

    /**
     * A request was sent here while a decode run is in flight: the run ends with the iteration in
     * progress, so that the next batch can take the newcomer, as stepping would. Returns true if
     * the batch's end moved.
     */
    boolean cutRun(double now) {
        if (runLength <= 1) {
            return false;
        }
        sync(now);
        if (runStarted >= runLength) {
            return false;
        }
        runLength = runStarted;
        batchEnd = runEnds[runLength - 1];
        version++;
        return true;
    }

    /**
     * Ends the batch in flight: applies its iterations, frees finished requests' blocks and
     * appends them to {@code finished}.
     */
    void endBatch(double now, List<Request> finished) {
        if (runLength > 0) {
            int k = runLength;
            allocated += runNeed[k - 1];
            for (int i = 0; i < batch.size; i++) {
                Request r = batch.members[i];
                r.kv += k;
                r.generated += k;
                r.blocks = blocksFor(r.kv);
                if (r.generated == r.outputTokens) {
                    finish(r, now, finished);
                }
            }
            generatedTotal += (long) k * batch.size;
            runLength = 0;
            runStarted = 0;
            runEnded = 0;
        } else {
            for (int i = 0; i < batch.size; i++) {
                Request r = batch.members[i];
                int chunk = batch.chunks[i];
                if (chunk == 0) {
                    r.kv++;
                    r.generated++;
                    generatedTotal++;
                } else {
                    r.prefilled += chunk;
                    r.kv += chunk;
                    if (r.prefilled == r.prefillTarget) {
                        r.generated++;
                        generatedTotal++;
                        if (Double.isNaN(r.firstTokenAt)) {
                            r.firstTokenAt = now;
                        }
                    }
                }
                if (r.generated == r.outputTokens) {
                    finish(r, now, finished);
                }
            }
        }
        busy = false;
    }

    private void finish(Request r, double now, List<Request> finished) {
        running.remove(r);
        allocated -= r.blocks;
        r.blocks = 0;
        r.state = Request.State.DONE;
        r.completedAt = now;
        finished.add(r);
    }

    /** Blocks held by running requests, summed: equals {@link #allocated} between batches. */
    int blocksHeld() {
        int sum = 0;
        for (Request r : running) {
            sum += r.blocks;
        }
        return sum;
    }

    /** By id, so that hash-based collections in policies iterate in the same order on every run. */
    @Override
    public int hashCode() {
        return Integer.hashCode(id);
    }

    @Override
    public boolean equals(Object o) {
        return o == this;
    }

    @Override
    public String toString() {
        return "replica " + id;
    }
}
