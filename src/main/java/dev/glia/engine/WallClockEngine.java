package dev.glia.engine;

import dev.glia.sim.workload.LengthSampler;
import dev.glia.vllm.Batch;
import dev.glia.vllm.Engine;
import dev.glia.vllm.EngineRequest;
import dev.glia.vllm.EngineSettings;
import dev.glia.vllm.exec.ExecutionModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The simulator's engine model on the wall clock: the same {@link Engine} the simulator drives,
 * stepped one iteration at a time by one clock thread, each iteration lasting what the execution
 * model says divided by the time scale. A token leaves when its iteration ends. HTTP threads only
 * post commands (submit, abort) to the clock thread; it alone touches the engine.
 *
 * <p>Model time runs {@code timeScale} times faster than the wall clock from the engine's start.
 * Every decision is taken on the model clock, never on when the clock thread happens to run:
 * iterations chain (the next starts where the last ended), and a request stamped on arrival joins
 * the first batch formed at or after its stamp, as in the simulator. So a clock thread that wakes
 * late changes when tokens leave, measured as lateness ({@link #timing()}), but not what the engine
 * does. Only an injected stall restarts the chain at the present.
 */
public final class WallClockEngine implements EngineBackend, AutoCloseable {
    private final int id;
    private final Engine<LiveRequest> engine;
    private final double timeScale;
    private final LengthSampler outputLengths;
    private final long seed;
    private final long startNanos;
    private final Thread clock;
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final TokenTiming timing = new TokenTiming();
    private final Consumer<FinishedRequest> finishedLog;

    // clock thread only
    private final LinkedHashSet<LiveRequest> live = new LinkedHashSet<>();
    private final List<LiveRequest> deferredAborts = new ArrayList<>();
    private final List<LiveRequest> finished = new ArrayList<>();
    /** Arrived but not yet in the engine: they join the first batch formed at or after their arrival. */
    private final PriorityQueue<LiveRequest> arrivals = new PriorityQueue<>(
            Comparator.comparingDouble(LiveRequest::arrival).thenComparingInt(LiveRequest::index));
    private final AtomicInteger nextIndex = new AtomicInteger();
    private double lastEnd;
    private boolean stalled;
    private boolean logBroken;

    private volatile EngineStats stats;
    private volatile long stalledUntilNanos;
    private volatile String deathReason;
    private volatile boolean closed;

    /** One request as it left the engine: what {@code --request-log} writes. */
    public record FinishedRequest(int engine, String requestId, RequestTimes times, String finishReason) {
    }

    /**
     * @param outputLengths the model's end of sequence: how many tokens a request generates when
     *                      it does not ignore EOS (capped by max_tokens, at least min_tokens)
     * @param finishedLog   hears every finished request on the clock thread (may be null)
     */
    public WallClockEngine(int id, EngineSettings settings, ExecutionModel model, double timeScale,
                           LengthSampler outputLengths, long seed, Consumer<FinishedRequest> finishedLog) {
        if (!(timeScale > 0) || Double.isInfinite(timeScale)) {
            throw new IllegalArgumentException("time scale must be a positive number, got " + timeScale);
        }
        this.id = id;
        this.engine = new Engine<>(id, settings.withDecodeRuns(false), model);
        this.timeScale = timeScale;
        this.outputLengths = outputLengths;
        this.seed = seed;
        this.finishedLog = finishedLog;
        this.stats = new EngineStats(0, 0, 0, settings.numGpuBlocks(), settings.blockSize(), 0, true);
        this.startNanos = System.nanoTime();
        this.clock = new Thread(this::run, "glia-engine-" + id);
        clock.setDaemon(true);
        clock.start();
    }

    // ---- EngineBackend (any thread) ------------------------------------------------------------

    @Override
    public Generation submit(GenerationRequest request, GenerationListener listener) {
        double arrival = modelNow();
        String dead = deathReason;
        if (dead != null) {
            listener.onError(dead);
            return () -> { };
        }
        int output = request.ignoreEos() ? request.maxTokens() : endOfSequence(request);
        LiveRequest r = new LiveRequest(this, nextIndex.getAndIncrement(), arrival, request, output, listener);
        post(() -> {
            if (deathReason != null) {
                listener.onError(deathReason);
                return;
            }
            live.add(r);
            arrivals.add(r);
        });
        return r;
    }

    /** Output length without ignore_eos: drawn per request id, so it does not depend on arrival order. */
    private int endOfSequence(GenerationRequest request) {
        SplittableRandom random = new SplittableRandom(seed ^ (request.requestId().hashCode() * 0x9E3779B97F4A7C15L));
        int drawn = outputLengths.sample(random);
        return Math.max(1, Math.min(request.maxTokens(), Math.max(request.minTokens(), drawn)));
    }

    @Override
    public EngineStats stats() {
        return stats;
    }

    @Override
    public void stall(double seconds) {
        stalledUntilNanos = System.nanoTime() + (long) (seconds * 1e9);
        LockSupport.unpark(clock);
    }

    @Override
    public void kill(String reason) {
        deathReason = reason == null || reason.isBlank() ? "the engine died" : reason;
        stats = dead(stats);
        post(this::failAll);
    }

    /** Lateness of the tokens emitted so far. */
    public TokenTiming timing() {
        return timing;
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(clock);
        try {
            clock.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void abort(LiveRequest r) {
        if (Thread.currentThread() != clock) {
            post(() -> abort(r));
            return;
        }
        r.aborted = true;
        if (arrivals.remove(r) || engine.abort(r)) {
            live.remove(r);
        } else {
            deferredAborts.add(r);
        }
    }

    private void post(Runnable command) {
        inbox.add(command);
        LockSupport.unpark(clock);
    }

    // ---- the clock thread ----------------------------------------------------------------------

    private double modelNow() {
        return (System.nanoTime() - startNanos) * 1e-9 * timeScale;
    }

    private long wallOf(double modelSeconds) {
        return startNanos + (long) (modelSeconds / timeScale * 1e9);
    }

    private void run() {
        while (!closed) {
            long now = System.nanoTime();
            long stallEnd = stalledUntilNanos;
            if (stallEnd > now) {
                // a hung engine: no iteration ends, nothing is emitted, requests still queue up
                stalled = true;
                drain();
                park(stallEnd - now);
                continue;
            }
            if (engine.busy()) {
                long end = wallOf(engine.batchEnd());
                if (now < end) {
                    drain();
                    LockSupport.parkNanos(this, end - System.nanoTime());
                    continue;
                }
                endBatch();
            }
            drain();
            if (deathReason != null) {
                failAll();
                park(Long.MAX_VALUE);
                continue;
            }
            boolean started = (engine.hasWork() || !arrivals.isEmpty()) && startBatch();
            if (!started) {
                publish();
                park(Long.MAX_VALUE);
            }
        }
        drain();
        deathReason = deathReason == null ? "the engine was shut down" : deathReason;
        failAll();
    }

    private void park(long nanos) {
        if (inbox.isEmpty() && !closed) {
            LockSupport.parkNanos(this, Math.min(nanos, 1_000_000_000L));
        }
    }

    private void drain() {
        Runnable command;
        while ((command = inbox.poll()) != null) {
            command.run();
        }
    }

    /** Returns false if nothing can run (a request that cannot be admitted even into an empty cache). */
    private boolean startBatch() {
        double start = lastEnd;
        if (!engine.hasWork()) {
            start = Math.max(start, arrivals.peek().arrival()); // idle until this arrival woke it
        }
        if (stalled) {
            start = Math.max(start, modelNow());
            stalled = false;
        }
        while (!arrivals.isEmpty() && arrivals.peek().arrival() <= start) {
            engine.enqueue(arrivals.poll());
        }
        boolean started = engine.startBatch(start);
        publish();
        return started;
    }

    private void endBatch() {
        double end = engine.batchEnd();
        lastEnd = end;
        finished.clear();
        engine.endBatch(end, finished);
        Batch batch = engine.batch();
        long emitted = System.nanoTime();
        long late = emitted - wallOf(end);
        for (int i = 0; i < batch.size(); i++) {
            LiveRequest r = (LiveRequest) batch.member(i);
            int generated = r.generated();
            if (generated > r.streamed && !r.aborted) {
                r.listener.onTokens(generated - r.streamed, end, emitted);
                timing.record(late);
            }
            r.streamed = generated;
        }
        for (LiveRequest r : finished) {
            live.remove(r);
            if (!r.aborted) {
                RequestTimes times = r.times();
                r.listener.onFinish(r.finishReason(), times);
                logFinished(new FinishedRequest(id, r.requestId, times, r.finishReason()));
            }
        }
        for (LiveRequest r : deferredAborts) {
            engine.abort(r);
            live.remove(r);
        }
        deferredAborts.clear();
        publish();
    }

    /** A log that fails (disk full) is dropped with one message: it must not stop the engine. */
    private void logFinished(FinishedRequest request) {
        if (finishedLog == null || logBroken) {
            return;
        }
        try {
            finishedLog.accept(request);
        } catch (RuntimeException e) {
            logBroken = true;
            System.err.println("glia engine " + id + ": request log stopped: " + e.getMessage());
        }
    }

    private void failAll() {
        String reason = deathReason;
        for (LiveRequest r : live) {
            if (!r.aborted && r.state() != EngineRequest.State.DONE) {
                r.listener.onError(reason);
            }
        }
        live.clear();
        stats = dead(stats);
    }

    /** A dead engine holds nothing; its configuration and preemption count stay readable. */
    private static EngineStats dead(EngineStats last) {
        return new EngineStats(0, 0, 0, last.numGpuBlocks(), last.blockSize(), last.preemptionsTotal(), false);
    }

    private void publish() {
        if (deathReason != null) {
            return;
        }
        stats = new EngineStats(engine.numWaiting(), engine.numRunning(),
                (double) engine.allocatedBlocks() / engine.totalBlocks(), engine.totalBlocks(), engine.blockSize(),
                engine.preemptions(), true);
    }
}
