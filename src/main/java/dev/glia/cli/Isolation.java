package dev.glia.cli;

import dev.glia.policy.sandbox.ChildJvm;
import dev.glia.policy.sandbox.WorkerProcess;
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

    private static Thread pump(java.io.InputStream from, java.io.PrintStream to) {
        Thread t = new Thread(() -> {
            try {
                from.transferTo(to);
                to.flush();
            } catch (java.io.IOException e) {
                // the child is gone; what it wrote is what there is
            }
        }, "glia-isolated-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    static int run(List<String> args, String heap, long timeoutSeconds, long cpuSeconds) throws Exception {
        Process child = ChildJvm.builder(heap, NEEDED, IsolatedMain.class, List.of(), args)
                .redirectInput(ProcessBuilder.Redirect.INHERIT).start();
        // copied through this JVM's streams rather than inherited, so whoever captures them here sees the child's too
        Thread out = pump(child.getInputStream(), System.out);
        Thread err = pump(child.getErrorStream(), System.err);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!child.waitFor(100, TimeUnit.MILLISECONDS)) {
            WorkerProcess.Reason overrun = ChildJvm.overrun(child, deadline, 0, cpuSeconds);
            if (overrun != null) {
                child.destroyForcibly().waitFor();
                throw new IllegalArgumentException(overrun == WorkerProcess.Reason.WALL_CLOCK
                        ? "the isolated run exceeded its wall-clock limit of " + timeoutSeconds
                        + " s and was killed; raise --isolate-timeout or shorten the run"
                        : "the isolated run used more than its CPU-time limit of " + cpuSeconds
                        + " s and was killed; raise --isolate-cpu or shorten the run");
            }
        }
        out.join();
        err.join();
        int code = child.exitValue();
        if (code == 3) {
            System.err.println("error: the isolated run exhausted its heap of " + heap + " (raise --isolate-heap)");
        }
        return code;
    }
}
