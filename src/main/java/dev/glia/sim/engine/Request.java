package dev.glia.sim.engine;

import dev.glia.policy.RequestView;
import dev.glia.vllm.EngineRequest;

/**
 * A request of the simulated cluster: the engine model's request, plus what the router side
 * knows of it. Policies see only the {@link RequestView} part, never the output length.
 */
public final class Request extends EngineRequest implements RequestView {
    /** The routing call that last sent this request, to catch a request sent twice in one call. */
    int routeCall = -1;
    double routedAt = Double.NaN;

    public Request(int index, double arrival, int prompt, int outputTokens) {
        super(index, arrival, prompt, outputTokens);
    }

    @Override
    public long id() {
        return index();
    }

    @Override
    public double arrivalTime() {
        return arrival();
    }

    @Override
    public int promptTokens() {
        return prompt();
    }

    @Override
    public int generatedTokens() {
        return generated();
    }

    public int replicaId() {
        return engine() == null ? -1 : engine().id();
    }

    public double routedAt() {
        return routedAt;
    }
}
