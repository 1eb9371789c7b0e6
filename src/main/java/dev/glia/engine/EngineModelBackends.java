package dev.glia.engine;

import dev.glia.sim.workload.LengthSampler;
import dev.glia.sim.workload.LengthTables;
import dev.glia.vllm.BatchFormation;
import dev.glia.vllm.EngineSettings;
import dev.glia.vllm.exec.ExecutionModel;
import dev.glia.vllm.exec.Hardware;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Makes the engines behind {@code glia engine}: the simulator's engine model on the wall clock
 * ({@link WallClockEngine}), configured from vLLM's flags, timed by the execution model of the
 * flags' GPU and model, with KV capacity from the GPU's memory unless {@code --num-gpu-blocks-override}.
 */
public final class EngineModelBackends implements EngineBackendFactory {
    /** vLLM's default {@code --gpu-memory-utilization}. */
    static final double GPU_MEMORY_UTILIZATION = 0.9;

    private final Consumer<WallClockEngine.FinishedRequest> finishedLog;
    private final List<WallClockEngine> engines = new ArrayList<>();
    private final Map<String, ExecutionModel> models = new HashMap<>();

    /** @param finishedLog hears every finished request of every engine (may be null) */
    public EngineModelBackends(Consumer<WallClockEngine.FinishedRequest> finishedLog) {
        this.finishedLog = finishedLog;
    }

    @Override
    public synchronized EngineBackend create(EngineOptions options, int replicaIndex) {
        String gpu = Hardware.gpuName(options.gpu());
        String model = Hardware.modelName(options.model());
        // the replicas of one fleet share one execution model: its profile is read once
        ExecutionModel timing = models.computeIfAbsent(gpu + "/" + model,
                k -> Hardware.executionModel(gpu, model, 1, "bf16"));
        int blocks = options.numGpuBlocksOverride() != null ? options.numGpuBlocksOverride()
                : Hardware.kvBlocks(gpu, model, 1, "bf16", GPU_MEMORY_UTILIZATION, options.blockSize(),
                        options.maxNumBatchedTokens());
        if (blocks < 1) {
            throw new IllegalArgumentException(model + " does not fit on one " + gpu + ": pick a larger --gpu");
        }
        EngineSettings settings = new EngineSettings(blocks, options.blockSize(), options.maxNumSeqs(),
                options.maxNumBatchedTokens(),
                options.enableChunkedPrefill() ? BatchFormation.CHUNKED_PREFILL : BatchFormation.PREFILL_FIRST,
                options.schedulingPolicy(), false);
        WallClockEngine engine = new WallClockEngine(replicaIndex, settings, timing, options.timeScale(),
                outputLengths(options.outputLengths()), options.seed() + replicaIndex, finishedLog);
        engines.add(engine);
        return engine;
    }

    /** Without a workload table, a request runs to max_tokens, as a model that never says EOS would. */
    private static LengthSampler outputLengths(String workload) {
        return workload == null ? random -> Integer.MAX_VALUE
                : LengthSampler.empirical(LengthTables.get(workload).output());
    }

    /** The engines made so far. */
    public synchronized List<WallClockEngine> engines() {
        return List.copyOf(engines);
    }

    /** Token lateness over every engine made so far. */
    public synchronized TokenTiming timing() {
        TokenTiming sum = new TokenTiming();
        for (WallClockEngine e : engines) {
            sum = sum.plus(e.timing());
        }
        return sum;
    }
}
