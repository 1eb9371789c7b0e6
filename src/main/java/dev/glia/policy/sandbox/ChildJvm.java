package dev.glia.policy.sandbox;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The outer wall around untrusted code: a child JVM with a heap limit, an empty environment (no
 * credentials, tokens or kube config reach it), the parent's temporary folder, and a classpath of
 * just the libraries it needs. Used by the policy compiler, isolated simulations and research
 * workers alike; the callers add wall-clock and CPU-time limits with {@link #cpuSeconds(Process)}.
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * A process builder for {@code main} with {@code -Xmx heap}; {@code needed} names one class
     * from every library the child needs (their jars or folders make its classpath).
     */
    public static ProcessBuilder builder(String heap, List<Class<?>> needed, Class<?> main, List<String> jvmOptions,
                                         List<String> args) throws IOException {
        Set<String> classpath = new LinkedHashSet<>();
        for (Class<?> c : needed) {
            classpath.add(location(c));
        }
        classpath.add(location(main));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        command.add("-Dfile.encoding=UTF-8");
        command.add("-Dsun.stdout.encoding=UTF-8");
        command.add("-Dsun.stderr.encoding=UTF-8");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classpath));
        command.add(main.getName());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        return builder;
    }

    /**
     * Which limit a running child has passed, or null: its wall-clock deadline ({@link System#nanoTime()}
     * units), or {@code cpuLimit} CPU seconds since it had used {@code cpuAtStart}.
     */
    public static WorkerProcess.Reason overrun(Process child, long deadlineNanos, double cpuAtStart, double cpuLimit) {
        if (System.nanoTime() > deadlineNanos) {
            return WorkerProcess.Reason.WALL_CLOCK;
        }
        return cpuSeconds(child) - cpuAtStart > cpuLimit ? WorkerProcess.Reason.CPU_TIME : null;
    }

    /** CPU seconds the child has used so far, all its threads together (0 where the platform cannot say). */
    public static double cpuSeconds(Process child) {
        return child.info().totalCpuDuration().map(Duration::toMillis).orElse(0L) / 1000.0;
    }

    private static String location(Class<?> c) throws IOException {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IOException("cannot locate the classes of " + c.getName() + " for a child JVM", e);
        }
    }
}
