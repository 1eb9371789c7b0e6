package dev.glia.policy.builtin;

import dev.glia.policy.Autoscaler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** The autoscalers Glia ships, by name. */
public final class BuiltinAutoscalers {
    private static final Map<String, Supplier<Autoscaler>> AUTOSCALERS = new LinkedHashMap<>();

    static {
        // output tokens/s per Llama-3-8B A10 replica: the least conservative thresholds that keep
        // glia-sinusoid-autoscale within p95 slowdown 5 (700/350 does not); cooldown 120 s
        AUTOSCALERS.put("throughput", () -> new ThroughputAutoscaler(650, 325, 120));
    }

    private BuiltinAutoscalers() {
    }

    public static boolean exists(String name) {
        return AUTOSCALERS.containsKey(name);
    }

    public static Autoscaler create(String name) {
        Supplier<Autoscaler> factory = AUTOSCALERS.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown autoscaler '" + name + "'; built-in autoscalers: "
                    + String.join(", ", AUTOSCALERS.keySet()));
        }
        return factory.get();
    }

    public static Iterable<String> names() {
        return AUTOSCALERS.keySet();
    }
}
