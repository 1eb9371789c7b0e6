package dev.glia.cli;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
        Set<String> classpath = new LinkedHashSet<>();
        for (Class<?> c : NEEDED) {
            classpath.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        command.add("-Dfile.encoding=UTF-8");
        command.add("-Dsun.stdout.encoding=UTF-8");
        command.add("-Dsun.stderr.encoding=UTF-8");
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classpath));
        command.add(IsolatedMain.class.getName());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().clear();
        Process child = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!child.waitFor(100, TimeUnit.MILLISECONDS)) {
            if (System.nanoTime() > deadline) {
                child.destroyForcibly().waitFor();
                throw new IllegalArgumentException("the isolated run exceeded its wall-clock limit of " + timeoutSeconds
                        + " s and was killed; raise --isolate-timeout or shorten the run");
            }
            long cpu = child.info().totalCpuDuration().map(java.time.Duration::getSeconds).orElse(0L);
            if (cpu > cpuSeconds) {
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
