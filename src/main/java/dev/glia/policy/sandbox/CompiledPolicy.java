package dev.glia.policy.sandbox;

import dev.glia.policy.Autoscaler;
import dev.glia.policy.AutoscalerView;
import dev.glia.policy.BatchPriority;
import dev.glia.policy.ClusterView;
import dev.glia.policy.Dispatch;
import dev.glia.policy.RequestView;
import dev.glia.policy.Router;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What compiling a policy produces (javac, verification, instrumentation): its kind, class name,
 * instrumented class files, the hash of its source and its parameters with their declared
 * defaults. Loading it needs no compiler: each instance gets its own class loader, its parameters
 * and a guard, so the router runs what the simulator ran, byte for byte, without javac on its
 * request path.
 *
 * <p>The class files are trusted as they stand (they were verified when compiled): bytes read
 * back with {@link #fromBytes} must come from Glia's own compilation or a store as trusted.
 */
public final class CompiledPolicy {
    private static final int FORMAT = 0x474c5031; // "GLP1"

    private final String fileName;
    private final String className;
    private final PolicySource.Kind kind;
    private final Map<String, byte[]> classes;
    private final String sha256;
    private final List<PolicySource.Parameter> parameters;

    CompiledPolicy(String fileName, String className, PolicySource.Kind kind, Map<String, byte[]> classes, String sha256,
                   List<PolicySource.Parameter> parameters) {
        this.fileName = fileName;
        this.className = className;
        this.kind = kind;
        this.classes = classes;
        this.sha256 = sha256;
        this.parameters = List.copyOf(parameters);
    }

    public PolicySource.Kind kind() {
        return kind;
    }

    /** The source file's name, which failures name. */
    public String fileName() {
        return fileName;
    }

    public String className() {
        return className.replace('/', '.');
    }

    /** SHA-256 of the source it was compiled from. */
    public String sha256() {
        return sha256;
    }

    public List<PolicySource.Parameter> parameters() {
        return parameters;
    }

    // ---- serialised form ---------------------------------------------------------------------------

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeUTF(fileName);
            out.writeUTF(className);
            out.writeUTF(kind.name());
            out.writeUTF(sha256);
            out.writeInt(parameters.size());
            for (PolicySource.Parameter p : parameters) {
                out.writeUTF(p.name());
                out.writeUTF(p.type());
                out.writeDouble(p.defaultValue());
                out.writeDouble(p.min());
                out.writeDouble(p.max());
                out.writeUTF(p.description());
            }
            out.writeInt(classes.size());
            for (Map.Entry<String, byte[]> c : classes.entrySet()) {
                out.writeUTF(c.getKey());
                out.writeInt(c.getValue().length);
                out.write(c.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static CompiledPolicy fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readInt() != FORMAT) {
                throw new IllegalArgumentException("not a compiled Glia policy");
            }
            String fileName = in.readUTF();
            String className = in.readUTF();
            PolicySource.Kind kind = PolicySource.Kind.valueOf(in.readUTF());
            String sha256 = in.readUTF();
            List<PolicySource.Parameter> parameters = new ArrayList<>();
            for (int i = in.readInt(); i > 0; i--) {
                parameters.add(new PolicySource.Parameter(in.readUTF(), in.readUTF(), in.readDouble(), in.readDouble(),
                        in.readDouble(), in.readUTF()));
            }
            Map<String, byte[]> classes = new TreeMap<>();
            for (int i = in.readInt(); i > 0; i--) {
                String name = in.readUTF();
                classes.put(name, in.readNBytes(in.readInt()));
            }
            return new CompiledPolicy(fileName, className, kind, classes, sha256, parameters);
        } catch (IOException e) {
            throw new IllegalArgumentException("a truncated compiled policy: " + e.getMessage(), e);
        }
    }

    // ---- loading -----------------------------------------------------------------------------------

    public Router newRouter(Map<String, Double> values, Budget budget) {
        requireKind(PolicySource.Kind.ROUTER);
        Instance i = instantiate(values, budget);
        Router target = (Router) i.target;
        Guard guard = i.guard;
        String name = className();
        return new Router() {
            @Override
            public void route(ClusterView cluster, Dispatch dispatch) {
                invoke(guard, () -> {
                    target.route(cluster, dispatch);
                    return null;
                });
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    public BatchPriority newBatchPriority(Map<String, Double> values, Budget budget) {
        requireKind(PolicySource.Kind.BATCH_PRIORITY);
        Instance i = instantiate(values, budget);
        BatchPriority target = (BatchPriority) i.target;
        Guard guard = i.guard;
        return (RequestView request, ClusterView cluster) -> invoke(guard, () -> target.priority(request, cluster));
    }

    public Autoscaler newAutoscaler(Map<String, Double> values, Budget budget) {
        requireKind(PolicySource.Kind.AUTOSCALER);
        Instance i = instantiate(values, budget);
        Autoscaler target = (Autoscaler) i.target;
        Guard guard = i.guard;
        return (AutoscalerView view) -> invoke(guard, () -> target.desiredReplicas(view));
    }

    private void requireKind(PolicySource.Kind wanted) {
        if (kind != wanted) {
            throw new IllegalArgumentException(fileName + " is a " + kind.label() + " policy, not a " + wanted.label());
        }
    }

    record Instance(Object target, Guard guard) {
    }

    /** A fresh instance in a fresh class loader (its own gauge and statics), parameters applied. */
    Instance instantiate(Map<String, Double> values, Budget budget) {
        PolicyClassLoader loader = new PolicyClassLoader(classes);
        Guard guard = new Guard(loader, budget, fileName);
        Object target;
        try {
            target = invoke(guard, () -> {
                Class<?> c = Class.forName(className.replace('/', '.'), true, loader);
                return c.getConstructor().newInstance();
            });
        } catch (PolicyError | dev.glia.policy.PolicyViolation e) {
            throw new PolicyRejected(fileName + " failed while being constructed", List.of(new Diagnostic(fileName, 0, 0,
                    "policy", e.getMessage())));
        }
        for (Map.Entry<String, Double> v : values.entrySet()) {
            set(target, v.getKey(), v.getValue());
        }
        return new Instance(target, guard);
    }

    /** A policy call's body; may throw anything, which {@link #invoke} contains. */
    @FunctionalInterface
    private interface Body<T> {
        T run() throws Throwable;
    }

    /**
     * The one way into policy code: armed before, disarmed after, and whatever escapes contained.
     * Reflection's wrappers (a constructor's InvocationTargetException, a static initialiser's
     * ExceptionInInitializerError) are unwrapped first, so the failure is the policy's own.
     */
    private static <T> T invoke(Guard guard, Body<T> body) {
        guard.enter();
        T result;
        try {
            result = body.run();
        } catch (Throwable t) {
            String why = guard.trippedReason();
            guard.exit();
            Throwable cause = t;
            while ((cause instanceof java.lang.reflect.InvocationTargetException || cause instanceof ExceptionInInitializerError)
                    && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof NoSuchMethodException) {
                throw new PolicyError("the policy class needs a public no-argument constructor", null);
            }
            Throwable contained = guard.contain(cause, why);
            if (contained instanceof Error e) {
                throw e;
            }
            throw (RuntimeException) contained;
        }
        String why = guard.trippedReason();
        guard.exit();
        guard.check(why);
        return result;
    }

    private void set(Object target, String name, double value) {
        PolicySource.Parameter p = parameters.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException(fileName + " has no parameter '" + name + "'; parameters: "
                        + (parameters.isEmpty() ? "none"
                        : String.join(", ", parameters.stream().map(PolicySource.Parameter::name).toList()))));
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
}
