package dev.glia.vllm;

import dev.glia.vllm.exec.ExecutionModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One vLLM engine as a clock-agnostic state machine: a waiting queue, a running set, a paged KV
 * cache, and the batch in flight. Whoever drives it owns the clock: {@link #startBatch} says when
 * the batch will end, and the driver calls {@link #endBatch} at that time — an event on the
 * simulator's virtual clock, a timer on the emulated engine's wall clock. Not thread-safe: one
 * driver thread.
 *
 * <p>A batch of decodes only keeps the same membership until a request completes, a decode needs
 * a block that is not free, or a request arrives. With {@link EngineSettings#decodeRuns()} such a
 * batch runs as a <em>decode run</em> of k iterations planned at once: their durations and block
 * needs follow from the members' context lengths, so nothing per request is touched until the run
 * ends. The run is cut short at the next iteration boundary when a request arrives
 * ({@link #cutRun}), and views between boundaries report exactly what stepping one iteration at a
 * time would (see {@link #sync}).
 *
 * @param <R> the requests this engine serves (the simulator's and the emulator's own subclasses)
 */
public class Engine<R extends EngineRequest> {
    private static final int MAX_RUN = 1 << 14;
    /** vLLM keeps 1% of the blocks free at admission, so that running requests can grow. */
    private static final double WATERMARK = 0.01;

    final int id;
    final int numBlocks;
    final int blockSize;
    final int watermark;
    final int maxNumSeqs;
    final int maxNumBatchedTokens;
    final boolean priorityScheduling;
    private final BatchFormation formation;
    private final ExecutionModel model;
    private final boolean decodeRuns;

    final WaitingQueue<R> waiting = new WaitingQueue<>();
    final ArrayList<R> running = new ArrayList<>();
    private final List<R> waitingView = Collections.unmodifiableList(waiting);
    private final List<R> runningView = Collections.unmodifiableList(running);

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

    public Engine(int id, EngineSettings settings, ExecutionModel model) {
        this.id = id;
        this.numBlocks = settings.numGpuBlocks();
        this.blockSize = settings.blockSize();
        this.watermark = (int) (WATERMARK * numBlocks);
        this.maxNumSeqs = settings.maxNumSeqs();
        this.maxNumBatchedTokens = settings.maxNumBatchedTokens();
        this.priorityScheduling = settings.priorityScheduling();
        this.formation = settings.batchFormation();
        this.model = model;
        this.decodeRuns = settings.decodeRuns();
        this.phaseCount = new int[blockSize];
    }

    // ---- state, as vLLM's /metrics and a router's accounting see it ------------------------------

    public final int id() {
        return id;
    }

    public final int numWaiting() {
        return waiting.size();
    }

    public final int numRunning() {
        return running.size();
    }

    public final List<R> waiting() {
        return waitingView;
    }

    public final List<R> running() {
        return runningView;
    }

    public final int allocatedBlocks() {
        return runStarted > 0 ? allocated + runNeed[runStarted - 1] : allocated;
    }

    public final int totalBlocks() {
        return numBlocks;
    }

    public final int blockSize() {
        return blockSize;
    }

    /** Recompute preemptions so far ({@code vllm:num_preemptions_total}). */
    public final long preemptions() {
        return preemptions;
    }

    /** Output tokens of a request, counting the iterations of a decode run ended by the last {@link #sync}. */
    final int generatedOf(EngineRequest r) {
        boolean inRun = runLength > 0 && r.state == EngineRequest.State.RUNNING && r.batchMark == batchSeq;
        return inRun ? r.generated + runEnded : r.generated;
    }

    /** Output tokens generated on this engine so far, as of the last {@link #sync}. */
    public final long generatedTotal() {
        return generatedTotal + (long) runEnded * (runLength > 0 ? batch.decodes : 0);
    }

    /** Brings the views up to time {@code now} inside a decode run: iterations started and ended. */
    public final void sync(double now) {
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

    /** A request arrives: it waits in arrival order, or by (priority, arrival) under priority scheduling. */
    public final void enqueue(R r) {
        r.state = EngineRequest.State.WAITING;
        r.engine = this;
        r.waitKey = priorityScheduling ? r.arrival : ++enqueueKey;
        waiting.insert(r);
    }

    /**
     * The client went away: the request leaves the engine and its KV blocks are freed. A request
     * in the batch in flight cannot leave before the batch ends (vLLM too aborts between steps):
     * then this returns false and the driver tries again after {@link #endBatch}.
     */
    public final boolean abort(R r) {
        if (r.engine != this) {
            return true;
        }
        switch (r.state) {
            case WAITING -> waiting.drop(r);
            case RUNNING -> {
                if (busy && r.batchMark == batchSeq) {
                    return false;
                }
                running.remove(r);
                allocated -= r.blocks;
                r.blocks = 0;
            }
            default -> {
                return true;
            }
        }
        r.state = EngineRequest.State.ABORTED;
        return true;
    }

    final boolean canAdmitHead() {
        EngineRequest head = waiting.peek();
        return head != null && running.size() < maxNumSeqs
                && numBlocks - allocated - blocksFor(head.prefillTarget) >= watermark;
    }

    final R admitHead() {
        R r = waiting.poll();
        int need = blocksFor(r.prefillTarget);
        r.blocks = need;
        allocated += need;
        r.state = EngineRequest.State.RUNNING;
        running.add(r);
        mark(r);
        return r;
    }

    final int blocksFor(int tokens) {
        return (tokens + blockSize - 1) / blockSize;
    }

    final void mark(EngineRequest r) {
        r.batchMark = batchSeq;
    }

    /**
     * One decode step for each running request in decode, oldest first, within {@code budget}
     * tokens; a step that needs a block when none is free preempts the lowest-priority request
     * not yet in this batch (perhaps itself). Returns the budget left.
     */
    final int appendDecodes(Batch batch, int budget) {
        for (int i = 0; i < running.size() && budget > 0; i++) {
            R r = running.get(i);
            if (!r.inDecode()) {
                continue;
            }
            if (r.kv % blockSize == 0) {
                boolean preemptedItself = false;
                while (allocated == numBlocks) {
                    int v = victim();
                    R victim = running.get(v);
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
            R r = running.get(i);
            if (r.batchMark == batchSeq) {
                continue;
            }
            if (best < 0 || later(r, running.get(best))) {
                best = i;
            }
        }
        return best;
    }

    private static boolean later(EngineRequest a, EngineRequest b) {
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
        R r = running.remove(index);
        allocated -= r.blocks;
        r.wastedTokens += r.kv;
        r.blocks = 0;
        r.kv = 0;
        r.prefilled = 0;
        r.prefillTarget = r.prompt + r.generated;
        r.restarts++;
        r.state = EngineRequest.State.WAITING;
        r.waitKey = priorityScheduling ? r.arrival : --frontKey;
        waiting.insert(r);
        preemptions++;
    }

    // ---- batches -------------------------------------------------------------------------------

    public final boolean hasWork() {
        return !running.isEmpty() || waiting.size() > 0;
    }

    /** True from {@link #startBatch} until {@link #endBatch}. */
    public final boolean busy() {
        return busy;
    }

    /** When the batch in flight started and ends (a decode run's last iteration), in the driver's clock. */
    public final double batchStart() {
        return batchStart;
    }

    public final double batchEnd() {
        return batchEnd;
    }

    /** Changes whenever the end of the batch in flight moves, so a driver can ignore a stale end event. */
    public final int version() {
        return version;
    }

    /** The batch in flight, or the last one after {@link #endBatch}. */
    public final Batch batch() {
        return batch;
    }

    /** Iterations the batch in flight stands for: a decode run's length, otherwise 1. */
    public final int iterations() {
        return Math.max(1, runLength);
    }

    /** Forms and starts the next batch at {@code now}; returns false if there is nothing to run. */
    public final boolean startBatch(double now) {
        batch.clear();
        batchSeq++;
        formation.form(this, batch);
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
        Arrays.fill(phaseCount, 0);
        int maxIterations = MAX_RUN;
        for (int i = 0; i < n; i++) {
            EngineRequest r = batch.members[i];
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
            runEnds = Arrays.copyOf(runEnds, size);
            runNeed = Arrays.copyOf(runNeed, size);
        }
    }

    /**
     * A request arrived while a decode run is in flight: the run ends with the iteration in
     * progress, so that the next batch can take the newcomer, as stepping would. Returns true if
     * the batch's end moved.
     */
    public final boolean cutRun(double now) {
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
    public final void endBatch(double now, List<? super R> finished) {
        if (runLength > 0) {
            int k = runLength;
            allocated += runNeed[k - 1];
            for (int i = 0; i < batch.size; i++) {
                EngineRequest r = batch.members[i];
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
                EngineRequest r = batch.members[i];
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

    @SuppressWarnings("unchecked")
    private void finish(EngineRequest r, double now, List<? super R> finished) {
        running.remove(r);
        allocated -= r.blocks;
        r.blocks = 0;
        r.state = EngineRequest.State.DONE;
        r.completedAt = now;
        finished.add((R) r);
    }

    /** Blocks held by running requests, summed: equals {@link #allocatedBlocks} between batches. */
    public final int blocksHeld() {
        int sum = 0;
        for (R r : running) {
            sum += r.blocks;
        }
        return sum;
    }

    /** By id, so that hash-based collections in policies iterate in the same order on every run. */
    @Override
    public final int hashCode() {
        return Integer.hashCode(id);
    }

    @Override
    public final boolean equals(Object o) {
        return o == this;
    }

    @Override
    public String toString() {
        return "engine " + id;
    }
}
