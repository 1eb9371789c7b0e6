package dev.glia.cli;

import dev.glia.engine.EngineFleet;
import dev.glia.engine.EngineModelBackends;
import dev.glia.engine.EngineOptions;
import dev.glia.engine.EngineServer;
import dev.glia.engine.RequestLog;
import dev.glia.engine.StallAfter;
import dev.glia.engine.TokenTiming;
import dev.glia.vllm.SchedulingPolicy;
import io.quarkus.runtime.Quarkus;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "engine", mixinStandardHelpOptions = true,
        description = {"Serve an emulated vLLM engine: vLLM's OpenAI-compatible API, /metrics and /health, with the"
                + " simulator's engine model on the wall clock (no GPU).",
                "vLLM's flags keep vLLM's names; --gpu, --time-scale, --replicas, --output-lengths, --seed and the"
                        + " fault injection (--fail-after, --stall-after, --slow-start) are the emulator's own."})
public class EngineCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8000",
            description = "Port of the first replica; replica i listens on PORT+i (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--model", defaultValue = "meta-llama/Llama-3.1-8B-Instruct",
            description = "The model the engine model times (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--served-model-name", description = "The name clients send as `model` (default: --model).")
    String servedModelName;

    @Option(names = "--gpu", defaultValue = "H100", description = "The GPU the engine model times (default: ${DEFAULT-VALUE}).")
    String gpu;

    @Option(names = "--max-model-len", defaultValue = "8192",
            description = "Context length: prompt + output tokens (default: ${DEFAULT-VALUE}).")
    int maxModelLen;

    @Option(names = "--max-num-seqs", defaultValue = "256",
            description = "Most requests in one batch (default: ${DEFAULT-VALUE}).")
    int maxNumSeqs;

    @Option(names = "--max-num-batched-tokens", defaultValue = "8192",
            description = "Most tokens in one batch (default: ${DEFAULT-VALUE}).")
    int maxNumBatchedTokens;

    @Option(names = "--num-gpu-blocks-override", paramLabel = "N",
            description = "KV-cache blocks (default: what the GPU's memory holds for the model).")
    Integer numGpuBlocksOverride;

    @Option(names = "--block-size", defaultValue = "16", description = "Tokens per KV-cache block (default: ${DEFAULT-VALUE}).")
    int blockSize;

    @Option(names = "--scheduling-policy", defaultValue = "fcfs", paramLabel = "fcfs|priority",
            description = "fcfs, or priority: requests' `priority` orders the queue, lower sooner (default: ${DEFAULT-VALUE}).")
    String schedulingPolicy;

    @Option(names = "--enable-chunked-prefill", arity = "0..1", defaultValue = "true", fallbackValue = "true",
            negatable = true, paramLabel = "true|false",
            description = "Split long prefills across batches (default: ${DEFAULT-VALUE}).")
    boolean enableChunkedPrefill;

    @Option(names = "--time-scale", defaultValue = "1", paramLabel = "X",
            description = "Run the engine X times faster than the real one; latency metrics stay on the engine's own"
                    + " clock (default: ${DEFAULT-VALUE}).")
    double timeScale;

    @Option(names = "--replicas", defaultValue = "1", paramLabel = "N",
            description = "Serve N independent engines on consecutive ports (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--output-lengths", paramLabel = "WORKLOAD",
            description = "A workload whose length table gives output lengths when ignore_eos is off"
                    + " (default: every request runs to max_tokens).")
    String outputLengths;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the output lengths (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--request-log", paramLabel = "FILE",
            description = "Write one CSV row per finished request (model-clock times, preemptions): the emulator's own"
                    + " record, to join with a client's by request id.")
    Path requestLog;

    @Option(names = "--fail-after", paramLabel = "N",
            description = "Fault: the engine dies when request N+1 arrives (in-flight requests fail, /health answers 503).")
    Integer failAfter;

    @Option(names = "--stall-after", paramLabel = "N:SECONDS",
            description = "Fault: the engine makes no progress for SECONDS once request N is admitted.")
    String stallAfter;

    @Option(names = "--slow-start", defaultValue = "0", paramLabel = "SECONDS",
            description = "Fault: listen at once but answer 503 (/health and the API) for SECONDS, as if loading the model.")
    double slowStart;

    @Override
    public Integer call() {
        return Cli.guard(() -> {
            EngineOptions options = options();
            try (RequestLog log = requestLog == null ? null : RequestLog.open(requestLog)) {
                EngineModelBackends backends = new EngineModelBackends(log);
                // a shutdown hook, because on SIGTERM the JVM halts once its hooks are done, whatever main is doing
                Thread report = new Thread(() -> printTiming(backends.timing()), "glia-engine-timing");
                Runtime.getRuntime().addShutdownHook(report);
                try (EngineFleet fleet = EngineFleet.start(options, backends)) {
                    for (EngineServer s : fleet.servers()) {
                        System.out.printf("glia engine: %s on http://%s:%d/v1 (vLLM %s API; /metrics, /health)%n",
                                options.servedModelName(), options.host(), s.port(), EngineServer.VLLM_VERSION);
                    }
                    Quarkus.waitForExit();
                }
                return 0;
            }
        });
    }

    private static void printTiming(TokenTiming timing) {
        if (timing.tokens() > 0) {
            System.out.println(String.format(Locale.ROOT,
                    "token timing: %d tokens left late by p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms", timing.tokens(),
                    timing.quantileSeconds(0.5) * 1e3, timing.quantileSeconds(0.99) * 1e3,
                    timing.quantileSeconds(0.999) * 1e3));
            System.out.flush();
        }
    }

    /** The flags as validated options; an IllegalArgumentException says which flag to change. */
    EngineOptions options() {
        return EngineOptions.builder().host(host).port(port).model(model).servedModelName(servedModelName).gpu(gpu)
                .maxModelLen(maxModelLen).maxNumSeqs(maxNumSeqs).maxNumBatchedTokens(maxNumBatchedTokens)
                .numGpuBlocksOverride(numGpuBlocksOverride).blockSize(blockSize)
                .schedulingPolicy(SchedulingPolicy.parse(schedulingPolicy)).enableChunkedPrefill(enableChunkedPrefill)
                .timeScale(timeScale).replicas(replicas).outputLengths(outputLengths).seed(seed).failAfter(failAfter)
                .stallAfter(stallAfter != null ? StallAfter.parse(stallAfter) : null).slowStartSeconds(slowStart)
                .build();
    }
}
