package dev.glia.vllm;

import java.util.Locale;

/** vLLM's {@code --scheduling-policy}: first come first served, or by the request's {@code priority} (lower = sooner). */
public enum SchedulingPolicy {
    FCFS, PRIORITY;

    public static SchedulingPolicy parse(String name) {
        for (SchedulingPolicy p : values()) {
            if (p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("--scheduling-policy must be fcfs or priority, got '" + name + "'");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
