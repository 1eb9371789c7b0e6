package dev.glia.policy.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

/**
 * Compiles policy source in memory with the JDK's compiler against the policy API only.
 * Diagnostics come back structured (file, line, column, message).
 */
final class PolicyCompiler {
    /** The classes a policy compiles against: the policy API, nothing else of Glia. */
    private static final List<Class<?>> API = List.of(dev.glia.policy.Router.class, dev.glia.policy.BatchPriority.class,
            dev.glia.policy.Autoscaler.class, dev.glia.policy.ClusterView.class, dev.glia.policy.ReplicaView.class,
            dev.glia.policy.RequestView.class, dev.glia.policy.AutoscalerView.class, dev.glia.policy.Dispatch.class,
            dev.glia.policy.PolicyViolation.class, dev.glia.policy.Param.class);
    private static Path apiDir;

    private PolicyCompiler() {
    }

    /** Internal class name → bytes of every class the source declares. */
    static Map<String, byte[]> compile(String fileName, String source) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler in this runtime: run Glia on a JDK, not a JRE");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, ByteArrayOutputStream> out = new TreeMap<>();
        try (StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            standard.setLocationFromPaths(StandardLocation.CLASS_PATH, List.of(apiClasses()));
            ForwardingJavaFileManager<StandardJavaFileManager> files = new ForwardingJavaFileManager<>(standard) {
                @Override
                public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                                           FileObject sibling) {
                    return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + ".class"), kind) {
                        @Override
                        public OutputStream openOutputStream() {
                            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                            out.put(className.replace('.', '/'), bytes);
                            return bytes;
                        }
                    };
                }
            };
            JavaFileObject unit = new SimpleJavaFileObject(URI.create("mem:///" + fileName), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            };
            List<String> options = List.of("--release", "17", "-proc:none", "-g", "-Xlint:none", "-implicit:none");
            boolean ok = javac.getTask(null, files, diagnostics, options, null, List.of(unit)).call();
            List<Diagnostic> problems = new ArrayList<>();
            for (javax.tools.Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == javax.tools.Diagnostic.Kind.ERROR) {
                    problems.add(new Diagnostic(fileName, Math.max(0, d.getLineNumber()), Math.max(0, d.getColumnNumber()),
                            "error", d.getMessage(Locale.ROOT)));
                }
            }
            if (!ok || !problems.isEmpty()) {
                throw new PolicyRejected(fileName + " does not compile", problems);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, byte[]> classes = new TreeMap<>();
        out.forEach((name, bytes) -> classes.put(name, bytes.toByteArray()));
        return classes;
    }

    /** The policy API's class files, extracted once into a temporary folder for the compiler. */
    private static synchronized Path apiClasses() throws IOException {
        if (apiDir != null) {
            return apiDir;
        }
        Path dir = Files.createTempDirectory("glia-policy-api");
        dir.toFile().deleteOnExit();
        for (Class<?> c : API) {
            String resource = c.getName().replace('.', '/') + ".class";
            Path target = dir.resolve(resource);
            Files.createDirectories(target.getParent());
            try (InputStream in = c.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("policy API class " + resource + " not found");
                }
                Files.write(target, in.readAllBytes());
            }
            target.toFile().deleteOnExit();
        }
        apiDir = dir;
        return dir;
    }
}
