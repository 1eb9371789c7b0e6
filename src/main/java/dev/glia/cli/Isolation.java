package dev.glia.cli;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command in a child JVM with a heap limit, a wall-clock limit and an empty environment
 * (no credentials, tokens or kube config reach policy code), passing its output through.
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

    static int run(List<String> args, String heap, long timeoutSeconds) throws Exception {
        Set<String> classpath = new LinkedHashSet<>();
        for (Class<?> c : NEEDED) {
            classpath.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + heap);
        command.add("-XX:+ExitOnOutOfMemoryError");
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
        if (!child.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            child.destroyForcibly().waitFor();
            throw new IllegalArgumentException("the isolated run exceeded its wall-clock limit of " + timeoutSeconds
                    + " s and was killed; raise --isolate-timeout or shorten the run");
        }
        int code = child.exitValue();
        if (code == 3) {
            System.err.println("error: the isolated run exhausted its heap of " + heap + " (raise --isolate-heap)");
        }
        return code;
    }
}
