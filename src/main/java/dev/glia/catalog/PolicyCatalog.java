package dev.glia.catalog;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.glia.policy.Autoscaler;
import dev.glia.policy.BatchPriority;
import dev.glia.policy.Router;
import dev.glia.policy.builtin.BuiltinRouters;
import dev.glia.policy.sandbox.Budget;
import dev.glia.policy.sandbox.PolicySource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Resolves what a scenario or command line names as a policy: a built-in (compiled into Glia), a
 * bundled reference policy by name ({@code simulator/policies/index.yaml}), or a path to a
 * {@code .java} file, which is compiled into the sandbox. Parameters given by the caller override
 * the reference's and the source's defaults.
 */
public final class PolicyCatalog {
    /** One entry of the bundled index. */
    public record Reference(String kind, String source, Map<String, Double> parameters) {
    }

    /** A resolved policy: how to make fresh instances, and what it is. */
    public record Resolved<T>(String name, Supplier<T> factory, PolicySource source, Map<String, Double> parameters) {
    }

    private static final Map<String, Reference> INDEX = readIndex();
    private static final Map<String, PolicySource> COMPILED = new ConcurrentHashMap<>();

    private PolicyCatalog() {
    }

    private static Map<String, Reference> readIndex() {
        try {
            Map<String, Reference> index = Resources.YAML.readValue(Resources.read("policies/index.yaml"),
                    new TypeReference<TreeMap<String, Reference>>() { });
            return Map.copyOf(index);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, Reference> references() {
        return new TreeMap<>(INDEX);
    }

    /** True if {@code name} could name a policy of this kind (a .java path is checked when resolved). */
    public static boolean known(String kind, String name) {
        if (name.endsWith(".java")) {
            return true;
        }
        Reference ref = INDEX.get(name);
        if (ref != null) {
            return ref.kind().equals(kind);
        }
        return switch (kind) {
            case "router" -> BuiltinRouters.exists(name);
            case "batchPriority" -> "fcfs".equals(name);
            default -> false;
        };
    }

    public static List<String> names(String kind) {
        List<String> out = new java.util.ArrayList<>();
        switch (kind) {
            case "router" -> BuiltinRouters.names().forEach(out::add);
            case "batchPriority" -> out.add("fcfs");
            default -> { }
        }
        INDEX.forEach((n, r) -> {
            if (r.kind().equals(kind)) {
                out.add(n);
            }
        });
        return out;
    }

    /** The source of a bundled reference or a file path, compiled and verified once per process. */
    public static PolicySource source(String nameOrPath) {
        Reference ref = INDEX.get(nameOrPath);
        String text;
        String fileName;
        boolean bundled = true;
        if (ref != null) {
            fileName = ref.source();
            text = Resources.read("policies/" + ref.source());
        } else {
            Path file = Path.of(nameOrPath);
            if (Files.isRegularFile(file)) {
                bundled = false;
                fileName = file.getFileName().toString();
                try {
                    text = Files.readString(file);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read policy " + file + ": " + e.getMessage(), e);
                }
            } else if (Resources.exists("policies/" + nameOrPath)) {
                fileName = nameOrPath;
                text = Resources.read("policies/" + nameOrPath);
            } else {
                throw new IllegalArgumentException("policy file " + nameOrPath + " not found (nor bundled in simulator/policies/)");
            }
        }
        String key = fileName + "\n" + text;
        boolean ours = bundled;
        // the application's own reference sources compile in process; anything else is untrusted
        return COMPILED.computeIfAbsent(key, k -> ours ? PolicySource.compileBundled(fileName, text, Budget.DEFAULT)
                : PolicySource.compile(fileName, text, Budget.DEFAULT));
    }

    private static Map<String, Double> parameters(String name, Map<String, Double> overrides) {
        Map<String, Double> out = new LinkedHashMap<>();
        Reference ref = INDEX.get(name);
        if (ref != null && ref.parameters() != null) {
            out.putAll(ref.parameters());
        }
        out.putAll(overrides);
        return out;
    }

    public static Resolved<Router> router(String name, Map<String, Double> overrides) {
        if (BuiltinRouters.exists(name)) {
            requireNone(name, overrides);
            return new Resolved<>(name, () -> BuiltinRouters.create(name), null, Map.of());
        }
        return router(name, source(name), parameters(name, overrides));
    }

    /** A router from source already compiled (inline source, as the router's policy documents carry it). */
    public static Resolved<Router> router(String name, PolicySource source, Map<String, Double> values) {
        source.newRouter(values); // fail now, not in every seed, if a parameter is wrong
        return new Resolved<>(name, () -> source.newRouter(values), source, complete(source, values));
    }

    public static Resolved<BatchPriority> batchPriority(String name, Map<String, Double> overrides) {
        if ("fcfs".equals(name)) {
            requireNone(name, overrides);
            return new Resolved<>(name, () -> BatchPriority.FCFS, null, Map.of());
        }
        return batchPriority(name, source(name), parameters(name, overrides));
    }

    public static Resolved<BatchPriority> batchPriority(String name, PolicySource source, Map<String, Double> values) {
        source.newBatchPriority(values);
        return new Resolved<>(name, () -> source.newBatchPriority(values), source, complete(source, values));
    }

    /** Autoscalers ship as policy source only: the production-style baseline is `throughput`. */
    public static Resolved<Autoscaler> autoscaler(String name, Map<String, Double> overrides) {
        PolicySource source = source(name);
        Map<String, Double> values = parameters(name, overrides);
        source.newAutoscaler(values);
        return new Resolved<>(name, () -> source.newAutoscaler(values), source, complete(source, values));
    }

    /** Every knob of a source policy as it runs: the source's defaults, the reference's values, the overrides. */
    public static Map<String, Double> parametersAsRun(String name, Map<String, Double> overrides) {
        return complete(source(name), parameters(name, overrides));
    }

    private static Map<String, Double> complete(PolicySource source, Map<String, Double> values) {
        Map<String, Double> all = new LinkedHashMap<>(source.defaults());
        all.putAll(values);
        return all;
    }

    private static void requireNone(String name, Map<String, Double> overrides) {
        if (!overrides.isEmpty()) {
            throw new IllegalArgumentException("built-in policy " + name + " has no parameters; got " + overrides.keySet());
        }
    }
}
