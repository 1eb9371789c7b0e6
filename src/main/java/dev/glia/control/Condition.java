package dev.glia.control;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A status condition as Kubernetes writes them: a type, a status (True, False, Unknown), a CamelCase reason, a
 * message for people, the generation it was computed from, and when its status last changed.
 */
public record Condition(String type, Status status, String reason, String message, long observedGeneration,
        Instant lastTransitionTime) {

    public enum Status {
        TRUE("True"), FALSE("False"), UNKNOWN("Unknown");

        private final String value;

        Status(String value) {
            this.value = value;
        }

        /** {@code True}, {@code False} or {@code Unknown}, as status.conditions[].status spells it. */
        public String value() {
            return value;
        }

        public static Status of(boolean value) {
            return value ? TRUE : FALSE;
        }
    }

    public Condition {
        if (type == null || status == null || reason == null || lastTransitionTime == null) {
            throw new IllegalArgumentException("a condition needs a type, a status, a reason and a transition time");
        }
        if (!reason.matches("[A-Z][A-Za-z0-9]*")) {
            throw new IllegalArgumentException("condition " + type + ": the reason must be CamelCase, got " + reason);
        }
        message = message == null ? "" : message;
    }

    /** Whether {@code other} says the same (time aside): then nothing needs writing. */
    public boolean sameAs(Condition other) {
        return other != null && type.equals(other.type) && status == other.status && reason.equals(other.reason)
                && message.equals(other.message) && observedGeneration == other.observedGeneration;
    }

    /**
     * {@code conditions} with {@code next} in place of the condition of its type (appended when there is none). The
     * transition time is {@code next}'s only when the status changes; otherwise the old one stays.
     */
    public static List<Condition> put(List<Condition> conditions, Condition next) {
        List<Condition> out = new ArrayList<>(conditions.size() + 1);
        boolean replaced = false;
        for (Condition c : conditions) {
            if (c.type.equals(next.type)) {
                Instant at = c.status == next.status ? c.lastTransitionTime : next.lastTransitionTime;
                out.add(new Condition(next.type, next.status, next.reason, next.message, next.observedGeneration, at));
                replaced = true;
            } else {
                out.add(c);
            }
        }
        if (!replaced) {
            out.add(next);
        }
        return List.copyOf(out);
    }

    /** The condition of {@code type} in {@code conditions}, or null. */
    public static Condition find(List<Condition> conditions, String type) {
        for (Condition c : conditions) {
            if (c.type.equals(type)) {
                return c;
            }
        }
        return null;
    }
}
