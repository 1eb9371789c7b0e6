package dev.glia.load;

import dev.glia.sim.engine.Workload;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.WorkloadFactory;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * What to send and when: one seed of a scenario's workload, drawn exactly as the simulator draws
 * it, so a load run and a simulated run of the same seed meet the same requests. Open loop: a
 * fixed list of arrivals (model seconds). Closed loop: users who each wait for their answer and
 * think; the k-th request sent takes the k-th draw of lengths, as in the simulator.
 */
public final class RequestPlan {
    /** Token ids of prompts: plain vocabulary of any common tokenizer, clear of special tokens. */
    static final int FIRST_ID = 1000;
    static final int LAST_ID = 30000;

    private final long seed;
    private final Workload.OpenLoop open;
    private final Workload.ClosedLoop closed;
    private final int limit;
    /** Prefix of the X-Request-Id of each request: none for a workload, so ids are the plan's indices. */
    private final String idPrefix;
    private final SplittableRandom closedLengths;
    private int[] prompts = new int[0];
    private int[] outputs = new int[0];
    private int drawn;

    private RequestPlan(long seed, Workload workload, int limit, String idPrefix) {
        this.seed = seed;
        this.idPrefix = idPrefix;
        if (workload instanceof Workload.OpenLoop o) {
            this.open = o;
            this.closed = null;
            this.limit = Math.min(limit, o.size());
            this.closedLengths = null;
        } else {
            this.open = null;
            this.closed = (Workload.ClosedLoop) workload;
            this.limit = limit;
            // the stream Simulation draws a closed loop's lengths from: split first from the seed
            this.closedLengths = new SplittableRandom(seed).split();
        }
    }

    /** The workload of {@code scenario} for workload seed {@code seed}, cut to its first {@code limit} requests. */
    public static RequestPlan of(Scenario scenario, long seed, int limit) {
        return new RequestPlan(seed, WorkloadFactory.build(scenario, seed), limit, "");
    }

    /**
     * {@code n} short requests (64-token prompts, 4 outputs) all due at once: what a client sends
     * before measuring, so that connections are open and both JVMs have compiled their hot paths.
     */
    public static RequestPlan warmUp(int n) {
        int[] prompts = new int[n];
        int[] outputs = new int[n];
        Arrays.fill(prompts, 64);
        Arrays.fill(outputs, 4);
        return new RequestPlan(0, new Workload.OpenLoop(new double[n], prompts, outputs), n, "warmup-");
    }

    /** The X-Request-Id of request {@code i}: its index, so that a server's log joins the plan's. */
    public String requestId(int i) {
        return idPrefix + i;
    }

    public boolean closedLoop() {
        return closed != null;
    }

    /** Requests in the plan: all of an open loop (up to the limit); a closed loop's limit. */
    public int size() {
        return limit;
    }

    /** Arrival of request {@code i} in model seconds from the start (open loop). */
    public double arrival(int i) {
        return open.arrivals()[i];
    }

    public int promptTokens(int i) {
        return open != null ? open.prompts()[i] : drawTo(i).prompts[i];
    }

    public int outputTokens(int i) {
        return open != null ? open.outputs()[i] : drawTo(i).outputs[i];
    }

    public int users() {
        return closed.users();
    }

    public double thinkSeconds() {
        return closed.thinkSeconds();
    }

    /** Model seconds after which a closed loop's users send nothing new. */
    public double duration() {
        return closed.duration();
    }

    /** Request {@code i}'s prompt: {@link #promptTokens} ids, the same for the same seed and index. */
    public int[] promptIds(int i) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
        int[] ids = new int[promptTokens(i)];
        for (int k = 0; k < ids.length; k++) {
            ids[k] = random.nextInt(FIRST_ID, LAST_ID);
        }
        return ids;
    }

    private RequestPlan drawTo(int i) {
        if (i >= prompts.length) {
            prompts = Arrays.copyOf(prompts, Math.max(64, 2 * (i + 1)));
            outputs = Arrays.copyOf(outputs, prompts.length);
        }
        int[] pair = new int[2];
        while (drawn <= i) {
            closed.lengths().sample(closedLengths, pair);
            prompts[drawn] = pair[0];
            outputs[drawn] = pair[1];
            drawn++;
        }
        return this;
    }
}
