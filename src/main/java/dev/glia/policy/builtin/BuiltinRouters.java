package dev.glia.policy.builtin;

import dev.glia.policy.Router;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** The routers Glia ships, by the names the command line and scenarios use. */
public final class BuiltinRouters {
    private static final Map<String, Supplier<Router>> ROUTERS = new LinkedHashMap<>();

    static {
        ROUTERS.put("llq", LeastLoadedRouter::new);
        ROUTERS.put("lor", LeastOutstandingRouter::new);
        ROUTERS.put("round-robin", RoundRobinRouter::new);
        ROUTERS.put("random", RandomRouter::new);
        ROUTERS.put("least-kv", LeastKvUsageRouter::new);
    }

    private BuiltinRouters() {
    }

    public static boolean exists(String name) {
        return ROUTERS.containsKey(name);
    }

    /** A fresh instance (routers may keep state between calls, never between runs). */
    public static Router create(String name) {
        Supplier<Router> factory = ROUTERS.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown router '" + name + "'; built-in routers: "
                    + String.join(", ", ROUTERS.keySet()) + " (or a path to a policy .java file)");
        }
        return factory.get();
    }

    public static Iterable<String> names() {
        return ROUTERS.keySet();
    }
}
