package dev.glia.policy.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

/**
 * Compiles policy source in memory with the JDK's compiler against the policy API only.
 * Diagnostics come back structured (file, line, column, message).
 *
 * <p>Untrusted source goes to a child JVM ({@link CompilerProcess}) with its own heap and a time
 * limit, because javac itself can be made to run for minutes (nested generics make its type
 * inference exponential) or to overflow its stack; the child is reused between compilations and
 * replaced when it is killed.
 */
final class PolicyCompiler {
    /** The classes a policy compiles against: the policy API, nothing else of Glia. */
    private static final List<Class<?>> API = List.of(dev.glia.policy.Router.class, dev.glia.policy.BatchPriority.class,
            dev.glia.policy.Autoscaler.class, dev.glia.policy.ClusterView.class, dev.glia.policy.ReplicaView.class,
            dev.glia.policy.RequestView.class, dev.glia.policy.AutoscalerView.class, dev.glia.policy.Dispatch.class,
            dev.glia.policy.PolicyViolation.class, dev.glia.policy.Param.class);
    /** Larger sources are refused before javac sees them. */
    static final int MAX_SOURCE_CHARS = 256 * 1024;
    /** Set to compile in this JVM (tests of the compiler process itself, or a JVM that cannot start children). */
    static final String IN_PROCESS = "glia.policy.compiler.in-process";

    private PolicyCompiler() {
    }

    /** Internal class name → bytes of every class the source declares. */
    static Map<String, byte[]> compile(String fileName, String source) {
        if (source.length() > MAX_SOURCE_CHARS) {
            throw new PolicyRejected(fileName + " is too large", List.of(new Diagnostic(fileName, 0, 0, "error",
                    "a policy source may have at most " + MAX_SOURCE_CHARS + " characters; this one has "
                            + source.length())));
        }
        if (Boolean.getBoolean(IN_PROCESS)) {
            return compileHere(fileName, source);
        }
        return CompilerProcess.compile(fileName, source);
    }

    /** Compiles in this JVM: what the child process runs, and the trusted path. */
    static Map<String, byte[]> compileHere(String fileName, String source) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler in this runtime: run Glia on a JDK, not a JRE");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, ByteArrayOutputStream> out = new TreeMap<>();
        StringWriter javacOutput = new StringWriter();
        boolean ok;
        try (StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            standard.setLocationFromPaths(StandardLocation.CLASS_PATH, List.of());
            JavaFileManager files = new ApiFileManager(standard, out);
            JavaFileObject unit = new SimpleJavaFileObject(URI.create("mem:///" + fileName), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            };
            List<String> options = List.of("--release", "17", "-proc:none", "-g", "-Xlint:none", "-implicit:none");
            ok = javac.getTask(javacOutput, files, diagnostics, options, null, List.of(unit)).call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            // javac reports its own crashes (a stack overflow on deeply nested code, say) this way
            throw new PolicyRejected(fileName + " does not compile", List.of(new Diagnostic(fileName, 0, 0, "error",
                    crash(e.getCause() != null ? e.getCause() : e))));
        }
        List<Diagnostic> problems = new ArrayList<>();
        for (javax.tools.Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == javax.tools.Diagnostic.Kind.ERROR) {
                problems.add(new Diagnostic(fileName, Math.max(0, d.getLineNumber()), Math.max(0, d.getColumnNumber()),
                        "error", Printable.of(d.getMessage(Locale.ROOT), 2000)));
            }
        }
        if (!ok && problems.isEmpty()) {
            problems.add(new Diagnostic(fileName, 0, 0, "error", javacOutput.toString().contains("StackOverflowError")
                    ? crash(new StackOverflowError()) : "the compiler failed without a diagnostic: "
                    + Printable.of(javacOutput.toString().strip().lines().findFirst().orElse("no output"), 300)));
        }
        if (!ok || !problems.isEmpty()) {
            throw new PolicyRejected(fileName + " does not compile", problems);
        }
        Map<String, byte[]> classes = new TreeMap<>();
        out.forEach((name, bytes) -> classes.put(name, bytes.toByteArray()));
        return classes;
    }

    static String crash(Throwable t) {
        if (t instanceof StackOverflowError) {
            return "the compiler's own stack overflowed on this source: an expression or a type is nested too deeply; "
                    + "split it into smaller parts";
        }
        return "the compiler crashed on this source (" + t.getClass().getSimpleName() + "); simplify the code around "
                + "the last change";
    }

    /** The policy API as class files held in memory, and the compiler's output kept in memory too. */
    private static final class ApiFileManager extends ForwardingJavaFileManager<StandardJavaFileManager> {
        private static final Map<String, byte[]> API_CLASSES = apiClasses();
        private final Map<String, ByteArrayOutputStream> out;

        ApiFileManager(StandardJavaFileManager standard, Map<String, ByteArrayOutputStream> out) {
            super(standard);
            this.out = out;
        }

        @Override
        public Iterable<JavaFileObject> list(Location location, String packageName, Set<JavaFileObject.Kind> kinds,
                                             boolean recurse) throws IOException {
            if (location == StandardLocation.CLASS_PATH) {
                List<JavaFileObject> found = new ArrayList<>();
                if (kinds.contains(JavaFileObject.Kind.CLASS)) {
                    API_CLASSES.forEach((binaryName, bytes) -> {
                        String pkg = binaryName.substring(0, binaryName.lastIndexOf('.'));
                        if (pkg.equals(packageName) || recurse && pkg.startsWith(packageName + ".")) {
                            found.add(new ApiClass(binaryName, bytes));
                        }
                    });
                }
                return found;
            }
            return super.list(location, packageName, kinds, recurse);
        }

        @Override
        public String inferBinaryName(Location location, JavaFileObject file) {
            if (file instanceof ApiClass api) {
                return api.binaryName;
            }
            return super.inferBinaryName(location, file);
        }

        @Override
        public boolean hasLocation(Location location) {
            return location == StandardLocation.CLASS_PATH || super.hasLocation(location);
        }

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

        private static Map<String, byte[]> apiClasses() {
            Map<String, byte[]> classes = new LinkedHashMap<>();
            for (Class<?> c : API) {
                String resource = c.getName().replace('.', '/') + ".class";
                try (InputStream in = c.getClassLoader().getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IllegalStateException("policy API class " + resource + " not found");
                    }
                    classes.put(c.getName(), in.readAllBytes());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return classes;
        }
    }

    /** One API class file, served from memory. */
    private static final class ApiClass extends SimpleJavaFileObject {
        private final String binaryName;
        private final byte[] bytes;

        ApiClass(String binaryName, byte[] bytes) {
            super(URI.create("mem:///api/" + binaryName.replace('.', '/') + ".class"), Kind.CLASS);
            this.binaryName = binaryName;
            this.bytes = bytes;
        }

        @Override
        public InputStream openInputStream() {
            return new java.io.ByteArrayInputStream(bytes);
        }

        @Override
        public boolean isNameCompatible(String simpleName, Kind kind) {
            return kind == Kind.CLASS && binaryName.endsWith("." + simpleName);
        }
    }
}
