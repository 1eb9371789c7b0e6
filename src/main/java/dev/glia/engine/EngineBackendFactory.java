package dev.glia.engine;

/** Makes the engine behind one replica of {@code glia engine}; replicas are numbered from 0. */
@FunctionalInterface
public interface EngineBackendFactory {
    EngineBackend create(EngineOptions options, int replicaIndex);
}
