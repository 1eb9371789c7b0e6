package dev.glia.router;

import dev.glia.policy.ClusterView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/** The router's global queue and its engines, as a policy sees them. Touched only on the router's event loop. */
final class LiveCluster implements ClusterView {
    private final long startNanos;
    /** In id order; the canary and discovery move engines in and out. */
    private final List<Upstream> engines;
    private final List<Upstream> enginesView;
    /** In arrival order (a request retried after a failure goes back to its place). */
    private final List<RoutedRequest> queue = new ArrayList<>();
    private final List<RoutedRequest> queueView = Collections.unmodifiableList(queue);
    private final RandomGenerator random = new SplittableRandom(0);
    private long queuedTokens;

    LiveCluster(long startNanos, List<Upstream> engines) {
        this.startNanos = startNanos;
        this.engines = new ArrayList<>(engines);
        this.enginesView = Collections.unmodifiableList(this.engines);
    }

    double seconds(long nanos) {
        return (nanos - startNanos) / 1e9;
    }

    @Override
    public double now() {
        return seconds(System.nanoTime());
    }

    @Override
    public List<Upstream> replicas() {
        return enginesView;
    }

    void add(Upstream engine) {
        int at = engines.size();
        while (at > 0 && engines.get(at - 1).id > engine.id) {
            at--;
        }
        engines.add(at, engine);
    }

    void remove(Upstream engine) {
        engines.remove(engine);
    }

    @Override
    public List<RoutedRequest> queue() {
        return queueView;
    }

    @Override
    public RandomGenerator random() {
        return random;
    }

    int queueLength() {
        return queue.size();
    }

    /** Prompt tokens of the queued requests. */
    long queuedTokens() {
        return queuedTokens;
    }

    void enqueue(RoutedRequest r) {
        queuedTokens += r.promptTokens();
        int at = queue.size();
        while (at > 0 && queue.get(at - 1).id > r.id) {
            at--;
        }
        queue.add(at, r);
    }

    boolean dequeue(RoutedRequest r) {
        if (queue.remove(r)) {
            queuedTokens -= r.promptTokens();
            return true;
        }
        return false;
    }

    /** Every queued request, leaving the queue empty (they move to another pool's queue). */
    List<RoutedRequest> drain() {
        List<RoutedRequest> all = new ArrayList<>(queue);
        queue.clear();
        queuedTokens = 0;
        return all;
    }
}
