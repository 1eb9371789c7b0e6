package dev.glia.router;

import dev.glia.catalog.PolicyCatalog;
import dev.glia.catalog.PolicyDocument;
import dev.glia.policy.BatchPriority;
import dev.glia.policy.Router;
import dev.glia.policy.sandbox.Budget;
import dev.glia.policy.sandbox.PolicySource;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A {@link PolicyDocument} resolved and compiled, ready to run: fresh instances on demand (each pool runs its own), the
 * parameters as they run, and a hash that names it in metrics and the admin API. Loading may compile (javac in a
 * child JVM for source from outside Glia), so it never runs on the router's event loop.
 *
 * @param hash the first 12 hex digits of SHA-256 over what decides behaviour: each policy's source (or built-in
 *             name) and its parameters as they run
 */
public record LoadedPolicy(PolicyDocument spec, Supplier<Router> router, Supplier<BatchPriority> batchPriority,
        String name, String hash, Map<String, Double> routerParameters, Map<String, Double> batchPriorityParameters) {

    /** Resolves and compiles {@code spec}; an IllegalArgumentException (or a PolicyRejected) says what is wrong. */
    public static LoadedPolicy load(PolicyDocument spec) {
        PolicyCatalog.Resolved<Router> router = resolveRouter(spec.router());
        PolicyCatalog.Resolved<BatchPriority> priority = spec.batchPriority() == null ? null
                : resolveBatchPriority(spec.batchPriority());
        String identity = identity(router.source(), router.name(), router.parameters());
        String name = spec.router().label();
        if (priority != null) {
            identity += "\n" + identity(priority.source(), priority.name(), priority.parameters());
            name += "+" + spec.batchPriority().label();
        }
        return new LoadedPolicy(spec, router.factory(), priority == null ? () -> BatchPriority.FCFS : priority.factory(),
                name, PolicySource.sha256(identity).substring(0, 12), router.parameters(),
                priority == null ? Map.of() : priority.parameters());
    }

    /** A router given as an object (tests, embedding): every pool shares the one instance. */
    public static LoadedPolicy of(String name, Router router) {
        return new LoadedPolicy(PolicyDocument.router(name, Map.of()), () -> router, () -> BatchPriority.FCFS, name,
                PolicySource.sha256("object:" + name + "@" + System.identityHashCode(router)).substring(0, 12),
                Map.of(), Map.of());
    }

    private static PolicyCatalog.Resolved<Router> resolveRouter(PolicyDocument.Part part) {
        if (part.name() != null) {
            requireKnown("router", part.name());
            return PolicyCatalog.router(part.name(), part.parameters());
        }
        return PolicyCatalog.router("<source>", compile(part.source()), part.parameters());
    }

    private static PolicyCatalog.Resolved<BatchPriority> resolveBatchPriority(PolicyDocument.Part part) {
        if (part.name() != null) {
            requireKnown("batchPriority", part.name());
            return PolicyCatalog.batchPriority(part.name(), part.parameters());
        }
        return PolicyCatalog.batchPriority("<source>", compile(part.source()), part.parameters());
    }

    private static void requireKnown(String kind, String name) {
        if (!PolicyCatalog.known(kind, name)) {
            throw new IllegalArgumentException("no " + kind + " named " + name + "; known: "
                    + String.join(", ", PolicyCatalog.names(kind)) + ", or a .java file");
        }
    }

    private static PolicySource compile(String source) {
        return PolicySource.compile("Policy.java", source, Budget.DEFAULT);
    }

    private static String identity(PolicySource source, String name, Map<String, Double> parameters) {
        return (source == null ? "builtin:" + name : "source:" + source.sha256()) + " " + new TreeMap<>(parameters);
    }
}
