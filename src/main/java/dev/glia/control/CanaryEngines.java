package dev.glia.control;

import java.util.List;

/** Which engines a canary takes from the stable pool: the last {@code count}, or these ids (the router's). */
public sealed interface CanaryEngines {

    /** How many engines the canary takes. */
    int size();

    record Count(int count) implements CanaryEngines {
        public Count {
            if (count < 1) {
                throw new IllegalArgumentException("canary engines: at least 1, got " + count);
            }
        }

        @Override
        public int size() {
            return count;
        }
    }

    record Ids(List<Integer> ids) implements CanaryEngines {
        public Ids {
            ids = List.copyOf(ids);
            if (ids.isEmpty()) {
                throw new IllegalArgumentException("canary engines: give at least one engine id");
            }
        }

        @Override
        public int size() {
            return (int) ids.stream().distinct().count();
        }
    }

    static CanaryEngines count(int count) {
        return new Count(count);
    }

    static CanaryEngines ids(List<Integer> ids) {
        return new Ids(ids);
    }
}
