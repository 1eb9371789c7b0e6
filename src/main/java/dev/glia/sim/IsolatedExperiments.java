package dev.glia.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glia.catalog.Resources;
import dev.glia.policy.runtime.PolicyFailure;
import dev.glia.policy.sandbox.ChildJvm;
import dev.glia.policy.sandbox.Diagnostic;
import dev.glia.policy.sandbox.PolicyRejected;
import dev.glia.policy.sandbox.WorkerProcess;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioException;
import dev.glia.sim.scenario.ScenarioLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Experiments on untrusted (model-written) policies, run in a child JVM: the sandbox inside, the
 * process boundary outside. The child has a heap limit, no environment (so no API key or kube
 * config is within reach of policy code), a wall-clock and a CPU-time limit per experiment, and
 * is reused between experiments; it is replaced after it is stopped, and after any run that
 * overflowed a stack or the heap, whatever the sandbox says, so nothing it might have broken
 * carries over. The run directory is written by the child, the same bytes as in process.
 */
public final class IsolatedExperiments {
    /** The libraries the child needs besides Glia: Jackson and SnakeYAML (scenarios, results) and ASM (the sandbox). */
    private static final List<Class<?>> NEEDED = List.of(com.fasterxml.jackson.databind.ObjectMapper.class,
            com.fasterxml.jackson.core.JsonFactory.class, com.fasterxml.jackson.annotation.JsonInclude.class,
            com.fasterxml.jackson.dataformat.yaml.YAMLFactory.class, org.yaml.snakeyaml.Yaml.class,
            org.objectweb.asm.ClassReader.class);

    /** Limits of the child: heap, and per experiment wall-clock and CPU seconds. */
    public record Limits(String heap, long wallSeconds, double cpuSeconds) {
        /**
         * The heap this JVM may use (a long scenario on twenty seeds needs gigabytes: the same
         * experiment must not fail in the child that would run here), 900 s and an hour of CPU.
         */
        public static final Limits DEFAULT = new Limits(thisHeap(), 900, 3600);

        public Limits withHeap(String heap) {
            return new Limits(heap, wallSeconds, cpuSeconds);
        }

        private static String thisHeap() {
            return Math.max(2048, Runtime.getRuntime().maxMemory() / (1024 * 1024)) + "m";
        }
    }

    /** The wire format: plain JSON, maps in their own order (the figures' order is the report's). */
    private static final com.fasterxml.jackson.databind.ObjectMapper WIRE = new com.fasterxml.jackson.databind.ObjectMapper();

    private final Limits limits;
    private final WorkerProcess worker;
    private final java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();

    public IsolatedExperiments(Limits limits) {
        this.limits = limits;
        this.worker = new WorkerProcess("isolated experiment", limits.heap(),
                () -> ChildJvm.builder(limits.heap(), NEEDED, Child.class, List.of("-Xss16m"), List.of())
                        .redirectError(ProcessBuilder.Redirect.INHERIT));
    }

    /**
     * Runs {@code scenario} (its policies resolved against {@code base}) on seeds 0..seeds-1 in
     * the child, writes the run directory, and returns the summary. A policy that fails or is
     * rejected throws as it would in process; a child that overruns its limits or dies throws
     * {@link IsolationFailure}.
     */
    public ExperimentSummary run(Scenario scenario, Path base, Map<String, Double> parameters, int seeds, int threads,
                                 Path out, int logSeeds) {
        ObjectNode request = WIRE.createObjectNode();
        try {
            request.put("scenario", Resources.YAML.writeValueAsString(scenario));
            request.put("base", base.toAbsolutePath().toString());
            request.set("parameters", WIRE.valueToTree(parameters));
            request.put("seeds", seeds);
            request.put("threads", threads);
            request.put("out", out.toAbsolutePath().toString());
            request.put("logSeeds", logSeeds);
            byte[] answer;
            try {
                answer = worker.call(WIRE.writeValueAsBytes(request), limits.wallSeconds(), limits.cpuSeconds());
            } catch (WorkerProcess.Failed f) {
                throw new IsolationFailure(f.getMessage() + (f.reason() == WorkerProcess.Reason.OUT_OF_MEMORY
                        ? " (the candidate, or what it keeps across calls, needs too much memory)" : ""));
            }
            JsonNode reply = WIRE.readTree(answer);
            answered.incrementAndGet();
            if (reply.has("recycle")) {
                worker.stop();
            }
            if (reply.has("summary")) {
                return WIRE.treeToValue(reply.get("summary"), ExperimentSummary.class);
            }
            if (reply.has("rejected")) {
                List<Diagnostic> diagnostics = new ArrayList<>();
                for (JsonNode d : reply.get("rejected").get("diagnostics")) {
                    diagnostics.add(WIRE.treeToValue(d, Diagnostic.class));
                }
                throw new PolicyRejected(reply.get("rejected").get("what").asText(), diagnostics);
            }
            throw new IsolationFailure(reply.get("failure").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Experiments the child has answered (run, failed or rejected). */
    public int experiments() {
        return answered.get();
    }

    /** Stops the child now (it would be stopped at exit anyway). */
    public void close() {
        worker.stop();
    }

    /** An experiment that failed in the child: the policy's failure, or the child overrunning its limits. */
    public static final class IsolationFailure extends RuntimeException {
        public IsolationFailure(String message) {
            super(message);
        }
    }

    /** The child's main: one experiment per request. */
    static final class Child {
        private Child() {
        }

        public static void main(String[] args) throws IOException {
            WorkerProcess.serve(() -> { }, Child::answer);
        }

        private static byte[] answer(byte[] bytes) {
            ObjectNode reply = WIRE.createObjectNode();
            try {
                JsonNode request = WIRE.readTree(bytes);
                Path base = Path.of(request.get("base").asText());
                Scenario s = ScenarioLoader.complete(ScenarioLoader.parse(request.get("scenario").asText(), "isolated"),
                        "isolated", base);
                @SuppressWarnings("unchecked")
                Map<String, Double> parameters = WIRE.treeToValue(request.get("parameters"), Map.class);
                PolicySet policies = PolicySet.of(s, parameters);
                ExperimentSummary summary = ExperimentSummary.run(s, policies, request.get("seeds").asInt(),
                        request.get("threads").asInt(), Path.of(request.get("out").asText()),
                        request.get("logSeeds").asInt());
                reply.set("summary", WIRE.valueToTree(summary));
            } catch (PolicyRejected r) {
                ObjectNode rejected = reply.putObject("rejected");
                rejected.put("what", r.getMessage().lines().findFirst().orElse("rejected").replaceFirst(":$", ""));
                rejected.set("diagnostics", WIRE.valueToTree(r.diagnostics()));
            } catch (PolicyFailure | ScenarioException | IllegalArgumentException | UncheckedIOException e) {
                reply.put("failure", e.getMessage());
                if (String.valueOf(e.getMessage()).contains("StackOverflowError")
                        || String.valueOf(e.getMessage()).contains("OutOfMemoryError")) {
                    reply.put("recycle", true);
                }
            } catch (IOException e) {
                reply.put("failure", "cannot read the experiment request: " + e.getMessage());
            }
            try {
                return WIRE.writeValueAsBytes(reply);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
