package dev.glia.engine;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * The replicas of {@code glia engine --replicas N}: N servers on consecutive ports, each in front of its own
 * engine, sharing one Vert.x event-loop group. Closing stops the servers, then the engines that are closeable.
 */
public final class EngineFleet implements AutoCloseable {
    private final Vertx vertx;
    private final List<EngineServer> servers;

    private EngineFleet(Vertx vertx, List<EngineServer> servers) {
        this.vertx = vertx;
        this.servers = servers;
    }

    public static EngineFleet start(EngineOptions options, EngineBackendFactory backends) {
        Vertx vertx = Vertx.vertx();
        List<EngineServer> servers = new ArrayList<>();
        EngineFleet fleet = new EngineFleet(vertx, servers);
        try {
            for (int i = 0; i < options.replicas(); i++) {
                servers.add(EngineServer.start(vertx, backends.create(options, i), options, options.port(i)));
            }
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
        return fleet;
    }

    public List<EngineServer> servers() {
        return List.copyOf(servers);
    }

    @Override
    public void close() {
        for (EngineServer s : servers) {
            s.close();
            if (s.backend() instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing the engine behind port " + s.port() + ": " + e.getMessage(), e);
                }
            }
        }
        vertx.close();
    }
}
