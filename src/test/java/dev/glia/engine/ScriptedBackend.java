package dev.glia.engine;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A test engine on one clock thread, as the real wall-clock driver is: a request's first token comes
 * {@code firstTokenMillis} after it is submitted, then one token every {@code tokenMillis}, up to max_tokens (or
 * {@code stopAfter} tokens when ignore_eos is off, finishing with "stop"). As strict as the interface: callbacks
 * in order from one thread, nothing after abort, onError for everything in flight on kill, submits refused after.
 * The model clock is the wall clock since construction, times {@code modelSpeedup} (an engine run that many times
 * faster than the real one, as at {@code --time-scale}).
 */
final class ScriptedBackend implements EngineBackend, AutoCloseable {
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "scripted-engine-clock");
        t.setDaemon(true);
        return t;
    });
    private final long startNanos = System.nanoTime();
    private final long firstTokenMillis;
    private final long tokenMillis;
    private final Map<String, Running> inFlight = new ConcurrentHashMap<>();
    final List<GenerationRequest> submitted = new CopyOnWriteArrayList<>();
    final List<String> aborted = new CopyOnWriteArrayList<>();
    final List<Double> stalls = new CopyOnWriteArrayList<>();
    private volatile int stopAfter = Integer.MAX_VALUE;
    private volatile boolean alive = true;
    private volatile EngineStats fixedStats;
    private volatile String killReason;
    private volatile double modelSpeedup = 1;

    ScriptedBackend(long firstTokenMillis, long tokenMillis) {
        this.firstTokenMillis = firstTokenMillis;
        this.tokenMillis = tokenMillis;
    }

    /** Requests without ignore_eos end with "stop" after this many tokens. */
    ScriptedBackend stopAfter(int tokens) {
        stopAfter = tokens;
        return this;
    }

    /** Model seconds per wall second: the engine's own clock runs this much slower than the wall's. */
    ScriptedBackend modelSpeedup(double factor) {
        modelSpeedup = factor;
        return this;
    }

    /** Report these stats instead of the scripted queue's. */
    ScriptedBackend stats(EngineStats stats) {
        fixedStats = stats;
        return this;
    }

    @Override
    public Generation submit(GenerationRequest request, GenerationListener listener) {
        if (!alive) {
            throw new IllegalStateException("engine dead: " + killReason);
        }
        submitted.add(request);
        Running r = new Running(request, listener, seconds());
        inFlight.put(request.requestId(), r);
        r.next = clock.schedule(r::step, firstTokenMillis, TimeUnit.MILLISECONDS);
        return () -> clock.execute(() -> {
            if (inFlight.remove(request.requestId()) != null) {
                r.next.cancel(false);
                aborted.add(request.requestId());
            }
        });
    }

    @Override
    public EngineStats stats() {
        EngineStats s = fixedStats;
        if (s != null) {
            return new EngineStats(s.waiting(), s.running(), s.kvCacheUsage(), s.numGpuBlocks(), s.blockSize(),
                    s.preemptionsTotal(), alive);
        }
        return new EngineStats(0, inFlight.size(), 0, 1000, 16, 0, alive);
    }

    @Override
    public void stall(double seconds) {
        stalls.add(seconds);
    }

    @Override
    public void kill(String reason) {
        killReason = reason;
        alive = false;
        clock.execute(() -> {
            for (Running r : inFlight.values()) {
                r.next.cancel(false);
                r.listener.onError(reason);
            }
            inFlight.clear();
        });
    }

    int inFlight() {
        return inFlight.size();
    }

    private double seconds() {
        return (System.nanoTime() - startNanos) / 1e9 * modelSpeedup;
    }

    @Override
    public void close() {
        clock.shutdownNow();
    }

    /** One request on the clock thread. */
    private final class Running {
        final GenerationRequest request;
        final GenerationListener listener;
        final double arrived;
        final int length;
        double firstToken;
        int generated;
        ScheduledFuture<?> next;

        Running(GenerationRequest request, GenerationListener listener, double arrived) {
            this.request = request;
            this.listener = listener;
            this.arrived = arrived;
            this.length = request.ignoreEos() ? request.maxTokens()
                    : Math.min(request.maxTokens(), Math.max(stopAfter, request.minTokens()));
        }

        void step() {
            if (!inFlight.containsKey(request.requestId())) {
                return;
            }
            double now = seconds();
            if (generated == 0) {
                firstToken = now;
            }
            generated++;
            listener.onTokens(1, now, System.nanoTime());
            if (generated < length) {
                next = clock.schedule(this::step, tokenMillis, TimeUnit.MILLISECONDS);
                return;
            }
            inFlight.remove(request.requestId());
            listener.onFinish(length == request.maxTokens() ? "length" : "stop",
                    new RequestTimes(arrived, arrived, firstToken, now, request.promptTokens(), generated, 0));
        }
    }
}
