package dev.glia.cli;

import dev.glia.policy.sandbox.ChildJvm;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command in a child JVM with a heap limit, a CPU-time limit, a wall-clock limit and an
 * empty environment (no credentials, tokens or kube config reach policy code), passing its output
 * through. The child is the outer wall around the sandbox: if a hole in the sandbox let policy
 * code run away, the operating system's process boundary still holds it.
 */
final class Isolation {
    /** One class from every library the child needs; their jars (or folders) make its classpath. */
    private static final List<Class<?>> NEEDED = List.of(IsolatedMain.class, picocli.CommandLine.class,
            com.fasterxml.jackson.databind.ObjectMapper.class, com.fasterxml.jackson.core.JsonFactory.class,
            com.fasterxml.jackson.annotation.JsonInclude.class,
            com.fasterxml.jackson.dataformat.yaml.YAMLFactory.class, org.yaml.snakeyaml.Yaml.class,
            org.objectweb.asm.ClassReader.class);

    private Isolation() {
    }

    static int run(List<String> args, String heap, long timeoutSeconds, long cpuSeconds) throws Exception {
        Process child = ChildJvm.builder(heap, NEEDED, IsolatedMain.class, List.of(), args).inheritIO().start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!child.waitFor(100, TimeUnit.MILLISECONDS)) {
            if (System.nanoTime() > deadline) {
                child.destroyForcibly().waitFor();
                throw new IllegalArgumentException("the isolated run exceeded its wall-clock limit of " + timeoutSeconds
                        + " s and was killed; raise --isolate-timeout or shorten the run");
            }
            if (ChildJvm.cpuSeconds(child) > cpuSeconds) {
                child.destroyForcibly().waitFor();
                throw new IllegalArgumentException("the isolated run used more than its CPU-time limit of " + cpuSeconds
                        + " s and was killed; raise --isolate-cpu or shorten the run");
            }
        }
        int code = child.exitValue();
        if (code == 3) {
            System.err.println("error: the isolated run exhausted its heap of " + heap + " (raise --isolate-heap)");
        }
        return code;
    }
}
