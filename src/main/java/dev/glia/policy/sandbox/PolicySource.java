package dev.glia.policy.sandbox;

import dev.glia.policy.Autoscaler;
import dev.glia.policy.AutoscalerView;
import dev.glia.policy.BatchPriority;
import dev.glia.policy.ClusterView;
import dev.glia.policy.Dispatch;
import dev.glia.policy.Param;
import dev.glia.policy.RequestView;
import dev.glia.policy.Router;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
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
 * allow-list, instrumented with budgets, and instantiated in its own class loader per run. The
 * instances it hands out are wrapped so that each call is armed with a fresh budget and anything
 * that escapes is contained.
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

    private final String fileName;
    private final String source;
    private final String sha256;
    private final Map<String, byte[]> classes;
    private final String className;
    private final Kind kind;
    private final List<Parameter> parameters;
    private final Budget budget;

    private PolicySource(String fileName, String source, Map<String, byte[]> classes, String className, Kind kind,
                         List<Parameter> parameters, Budget budget) {
        this.fileName = fileName;
        this.source = source;
        this.sha256 = sha256(source);
        this.classes = classes;
        this.className = className;
        this.kind = kind;
        this.parameters = parameters;
        this.budget = budget;
    }

    public static PolicySource read(Path file) {
        try {
            return compile(file.getFileName().toString(), Files.readString(file), Budget.DEFAULT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read policy " + file + ": " + e.getMessage(), e);
        }
    }

    /** Compiles, verifies and instruments; throws {@link PolicyRejected} with every problem found. */
    public static PolicySource compile(String fileName, String source, Budget budget) {
        return compile(fileName, source, budget, true);
    }

    /**
     * The same policy without budget instrumentation (still verified and class-loader isolated):
     * only for measuring what the instrumentation costs; such an instance has no step budget.
     */
    public static PolicySource compileUninstrumented(String fileName, String source) {
        return compile(fileName, source, Budget.DEFAULT, false);
    }

    private static PolicySource compile(String fileName, String source, Budget budget, boolean instrument) {
        Matcher m = PUBLIC_CLASS.matcher(source);
        String unit = m.find() ? m.group(1) + ".java" : fileName;
        Map<String, byte[]> compiled = PolicyCompiler.compile(unit, source);
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
        PolicySource p = new PolicySource(unit, source, instrumented, main, kind, List.of(), budget);
        List<Parameter> parameters = p.describeParameters();
        return new PolicySource(unit, source, instrumented, main, kind, parameters, budget);
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

    private List<Parameter> describeParameters() {
        Instance instance = instantiate(Map.of());
        List<Parameter> out = new ArrayList<>();
        for (Field f : instance.target.getClass().getDeclaredFields()) {
            Param p = f.getAnnotation(Param.class);
            if (p == null) {
                continue;
            }
            if (Modifier.isStatic(f.getModifiers()) || Modifier.isFinal(f.getModifiers()) || !numeric(f.getType())) {
                throw new PolicyRejected(fileName + " has an invalid parameter", List.of(new Diagnostic(fileName, 0, 0,
                        "policy", "@Param " + f.getName() + " must be a non-final, non-static double, int, long or boolean field")));
            }
            out.add(new Parameter(f.getName(), f.getType().getName(), read(f, instance.target), p.min(), p.max(),
                    p.description()));
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

    private record Instance(Object target, Guard guard) {
    }

    /** A fresh instance in a fresh class loader (its own gauge and statics), parameters applied. */
    private Instance instantiate(Map<String, Double> values) {
        PolicyClassLoader loader = new PolicyClassLoader(classes);
        Guard guard = new Guard(loader, budget);
        Object target;
        guard.arm();
        try {
            Class<?> c = Class.forName(className.replace('/', '.'), true, loader);
            Constructor<?> ctor = c.getConstructor();
            target = ctor.newInstance();
        } catch (NoSuchMethodException e) {
            throw new PolicyRejected(fileName + " cannot be instantiated", List.of(new Diagnostic(fileName, 0, 0, "policy",
                    "the policy class needs a public no-argument constructor")));
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new PolicyRejected(fileName + " failed while being constructed", List.of(new Diagnostic(fileName, 0, 0,
                    "policy", guard.contain(e.getCause()).getMessage())));
        } catch (ExceptionInInitializerError e) {
            throw new PolicyRejected(fileName + " failed in its static initializer", List.of(new Diagnostic(fileName, 0, 0,
                    "policy", guard.contain(e.getCause() == null ? e : e.getCause()).getMessage())));
        } catch (Throwable e) {
            throw new PolicyRejected(fileName + " cannot be loaded", List.of(new Diagnostic(fileName, 0, 0, "policy",
                    guard.contain(e).getMessage())));
        }
        for (Map.Entry<String, Double> v : values.entrySet()) {
            set(target, v.getKey(), v.getValue());
        }
        return new Instance(target, guard);
    }

    private void set(Object target, String name, double value) {
        Parameter p = parameters.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException(fileName + " has no parameter '" + name + "'; parameters: "
                        + (parameters.isEmpty() ? "none" : String.join(", ", parameters.stream().map(Parameter::name).toList()))));
        if (value < p.min() || value > p.max()) {
            throw new IllegalArgumentException(fileName + ": parameter " + name + " = " + value + " is outside ["
                    + p.min() + ", " + p.max() + "]");
        }
        try {
            Field f = target.getClass().getDeclaredField(name);
            f.setAccessible(true);
            Class<?> t = f.getType();
            if (t == double.class) {
                f.setDouble(target, value);
            } else if (t == int.class) {
                f.setInt(target, (int) Math.round(value));
            } else if (t == long.class) {
                f.setLong(target, Math.round(value));
            } else {
                f.setBoolean(target, value != 0);
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    public Router newRouter(Map<String, Double> values) {
        requireKind(Kind.ROUTER);
        Instance i = instantiate(values);
        Router target = (Router) i.target;
        Guard guard = i.guard;
        return new Router() {
            @Override
            public void route(ClusterView cluster, Dispatch dispatch) {
                guard.arm();
                try {
                    target.route(cluster, dispatch);
                } catch (Throwable t) {
                    throw guard.contain(t);
                }
                guard.check();
            }

            @Override
            public String toString() {
                return className();
            }
        };
    }

    public BatchPriority newBatchPriority(Map<String, Double> values) {
        requireKind(Kind.BATCH_PRIORITY);
        Instance i = instantiate(values);
        BatchPriority target = (BatchPriority) i.target;
        Guard guard = i.guard;
        return (RequestView request, ClusterView cluster) -> {
            guard.arm();
            int priority;
            try {
                priority = target.priority(request, cluster);
            } catch (Throwable t) {
                throw guard.contain(t);
            }
            guard.check();
            return priority;
        };
    }

    public Autoscaler newAutoscaler(Map<String, Double> values) {
        requireKind(Kind.AUTOSCALER);
        Instance i = instantiate(values);
        Autoscaler target = (Autoscaler) i.target;
        Guard guard = i.guard;
        return (AutoscalerView view) -> {
            guard.arm();
            int n;
            try {
                n = target.desiredReplicas(view);
            } catch (Throwable t) {
                throw guard.contain(t);
            }
            guard.check();
            return n;
        };
    }

    private void requireKind(Kind wanted) {
        if (kind != wanted) {
            throw new IllegalArgumentException(fileName + " is a " + kind.label() + " policy, not a " + wanted.label());
        }
    }

    public Kind kind() {
        return kind;
    }

    public String fileName() {
        return fileName;
    }

    public String source() {
        return source;
    }

    public String sha256() {
        return sha256;
    }

    public String className() {
        return className.replace('/', '.');
    }

    public List<Parameter> parameters() {
        return parameters;
    }

    /** Defaults of every parameter, by name, in declaration order. */
    public Map<String, Double> defaults() {
        Map<String, Double> out = new LinkedHashMap<>();
        parameters.forEach(p -> out.put(p.name(), p.defaultValue()));
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
