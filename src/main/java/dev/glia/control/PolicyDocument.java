package dev.glia.control;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The router's policy document as the control plane hands it on: a router and, under priority scheduling, a batch
 * priority, each a name (a built-in or bundled reference such as {@code hra-spf}) or Java source, with parameters.
 * The router parses and checks it (docs/router.md, "The policy"); this is the same shape without the router's code.
 */
public record PolicyDocument(Part router, Part batchPriority) {

    /** One policy: exactly one of {@code name} and {@code source}; parameters in their given order. */
    public record Part(String name, String source, Map<String, Double> parameters) {
        public Part {
            if ((name == null) == (source == null)) {
                throw new IllegalArgumentException("a policy part needs exactly one of name and source");
            }
            parameters = parameters == null ? Map.of() : java.util.Collections.unmodifiableMap(
                    new LinkedHashMap<>(parameters));
        }

        public static Part named(String name) {
            return new Part(name, null, Map.of());
        }

        public static Part named(String name, Map<String, Double> parameters) {
            return new Part(name, null, parameters);
        }

        public static Part source(String source, Map<String, Double> parameters) {
            return new Part(null, source, parameters);
        }
    }

    public PolicyDocument {
        if (router == null) {
            throw new IllegalArgumentException("a policy document needs a router");
        }
    }

    /** A router by name, without a batch priority. */
    public static PolicyDocument router(String name) {
        return new PolicyDocument(Part.named(name), null);
    }
}
