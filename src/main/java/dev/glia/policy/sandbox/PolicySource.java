package dev.glia.policy.sandbox;

import dev.glia.policy.Autoscaler;
import dev.glia.policy.BatchPriority;
import dev.glia.policy.Param;
import dev.glia.policy.Router;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A policy written as Java source, made safe to run: compiled in memory, verified against the
 * allow-list and instrumented with budgets into a {@link CompiledPolicy}, which instantiates it in
 * its own class loader per run. The instances it hands out are wrapped so that each call is armed
 * with a fresh budget and anything that escapes is contained.
 */
public final class PolicySource {
    public enum Kind {
        ROUTER("router"), BATCH_PRIORITY("batchPriority"), AUTOSCALER("autoscaler");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A tunable field of the policy, with its default. */
    public record Parameter(String name, String type, double defaultValue, double min, double max, String description) {
    }

    private static final Pattern PUBLIC_CLASS = Pattern.compile("public\\s+(?:final\\s+|abstract\\s+)*(?:class|record)\\s+(\\w+)");

    private final String source;
    private final CompiledPolicy compiled;
    private final Budget budget;

    private PolicySource(String source, CompiledPolicy compiled, Budget budget) {
        this.source = source;
        this.compiled = compiled;
        this.budget = budget;
    }

    public static PolicySource read(Path file) {
        try {
            return compile(file.getFileName().toString(), Files.readString(file), Budget.DEFAULT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read policy " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Compiles (in a child JVM with time and memory limits), verifies and instruments; throws
     * {@link PolicyRejected} with every problem found.
     */
    public static PolicySource compile(String fileName, String source, Budget budget) {
        return compile(fileName, source, budget, true, false);
    }

    /**
     * The same for a source that ships inside Glia (the reference policies): javac runs in this
     * JVM, since the source is the application's own; the bytecode is verified and instrumented
     * all the same.
     */
    public static PolicySource compileBundled(String fileName, String source, Budget budget) {
        return compile(fileName, source, budget, true, true);
    }

    /**
     * The same policy without budget instrumentation (still verified and class-loader isolated):
     * only for measuring what the instrumentation costs; such an instance has no step budget.
     */
    public static PolicySource compileUninstrumented(String fileName, String source) {
        return compile(fileName, source, Budget.DEFAULT, false, false);
    }

    private static PolicySource compile(String fileName, String source, Budget budget, boolean instrument,
                                        boolean bundled) {
        Matcher m = PUBLIC_CLASS.matcher(code(source));
        String unit = m.find() ? m.group(1) + ".java" : fileName;
        Map<String, byte[]> compiled = bundled ? PolicyCompiler.compileHere(unit, source) : PolicyCompiler.compile(unit, source);
        List<Diagnostic> violations = Verifier.verify(compiled, unit);
        if (!violations.isEmpty()) {
            throw new PolicyRejected(unit + " breaks the sandbox's rules", violations);
        }
        Map<String, byte[]> instrumented = new TreeMap<>();
        compiled.forEach((name, bytes) -> instrumented.put(name, instrument ? Instrumenter.instrument(bytes, compiled) : bytes));
        PolicyClassLoader probe = new PolicyClassLoader(instrumented);
        List<String> candidates = new ArrayList<>();
        Kind kind = null;
        String main = null;
        for (String name : instrumented.keySet()) {
            if (name.contains("$")) {
                continue;
            }
            Class<?> c = load(probe, name);
            Kind k = kindOf(c);
            if (k != null && Modifier.isPublic(c.getModifiers()) && !Modifier.isAbstract(c.getModifiers())) {
                candidates.add(c.getName());
                kind = k;
                main = name;
            }
        }
        if (candidates.size() != 1) {
            throw new PolicyRejected(unit + " is not a policy", List.of(new Diagnostic(unit, 0, 0, "policy",
                    candidates.isEmpty() ? "declare one public class implementing dev.glia.policy.Router, BatchPriority "
                            + "or Autoscaler, with a public no-argument constructor"
                            : "declares several policies (" + String.join(", ", candidates) + "); keep one per file")));
        }
        String sha256 = sha256(source);
        CompiledPolicy bare = new CompiledPolicy(unit, main, kind, instrumented, sha256, List.of());
        List<Parameter> parameters = describeParameters(bare, budget);
        return new PolicySource(source, new CompiledPolicy(unit, main, kind, instrumented, sha256, parameters), budget);
    }

    /**
     * The source without comments and literals, where the public class's name is looked for (a
     * comment or a string naming another public class must not decide the file name).
     */
    static String code(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                while (i < n && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                int close = source.indexOf("*/", i + 2);
                i = close < 0 ? n : close + 2;
                out.append(' ');
            } else if (source.startsWith("\"\"\"", i)) {
                int close = source.indexOf("\"\"\"", i + 3);
                i = close < 0 ? n : close + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && source.charAt(j) != c && source.charAt(j) != '\n') {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                i = Math.min(n, j + 1);
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static Class<?> load(ClassLoader loader, String internalName) {
        try {
            return Class.forName(internalName.replace('/', '.'), false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new PolicyRejected("cannot load " + internalName, List.of(new Diagnostic(internalName, 0, 0, "load",
                    e.toString())));
        }
    }

    private static Kind kindOf(Class<?> c) {
        if (Router.class.isAssignableFrom(c)) {
            return Kind.ROUTER;
        }
        if (BatchPriority.class.isAssignableFrom(c)) {
            return Kind.BATCH_PRIORITY;
        }
        if (Autoscaler.class.isAssignableFrom(c)) {
            return Kind.AUTOSCALER;
        }
        return null;
    }

    /** The {@code @Param} fields of a fresh instance, with the values it starts with as defaults. */
    private static List<Parameter> describeParameters(CompiledPolicy bare, Budget budget) {
        String fileName = bare.fileName();
        Object target = bare.instantiate(Map.of(), budget).target();
        List<Parameter> out = new ArrayList<>();
        for (Field f : target.getClass().getDeclaredFields()) {
            Param p = f.getAnnotation(Param.class);
            if (p == null) {
                continue;
            }
            if (Modifier.isStatic(f.getModifiers()) || Modifier.isFinal(f.getModifiers()) || !numeric(f.getType())) {
                throw new PolicyRejected(fileName + " has an invalid parameter", List.of(new Diagnostic(fileName, 0, 0,
                        "policy", "@Param " + f.getName() + " must be a non-final, non-static double, int, long or boolean field")));
            }
            out.add(new Parameter(f.getName(), f.getType().getName(), read(f, target), p.min(), p.max(),
                    Printable.of(p.description(), 300)));
        }
        return List.copyOf(out);
    }

    private static boolean numeric(Class<?> t) {
        return t == double.class || t == int.class || t == long.class || t == boolean.class;
    }

    private static double read(Field f, Object target) {
        try {
            f.setAccessible(true);
            Object v = f.get(target);
            return v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh router instance with {@code values} for its parameters (the rest keep their defaults). */
    public Router newRouter(Map<String, Double> values) {
        return compiled.newRouter(values, budget);
    }

    public BatchPriority newBatchPriority(Map<String, Double> values) {
        return compiled.newBatchPriority(values, budget);
    }

    public Autoscaler newAutoscaler(Map<String, Double> values) {
        return compiled.newAutoscaler(values, budget);
    }

    /** What compiling gave: loads without the compiler, and serialises. */
    public CompiledPolicy compiled() {
        return compiled;
    }

    public Kind kind() {
        return compiled.kind();
    }

    public String fileName() {
        return compiled.fileName();
    }

    public String source() {
        return source;
    }

    public String sha256() {
        return compiled.sha256();
    }

    public String className() {
        return compiled.className();
    }

    public List<Parameter> parameters() {
        return compiled.parameters();
    }

    /** Defaults of every parameter, by name, in declaration order. */
    public Map<String, Double> defaults() {
        Map<String, Double> out = new LinkedHashMap<>();
        parameters().forEach(p -> out.put(p.name(), p.defaultValue()));
        return out;
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
