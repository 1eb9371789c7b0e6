package dev.glia.router.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A Kubernetes label selector, parsed and checked before anything is asked of the API server, with the grammar
 * {@code kubectl -l} accepts: requirements separated by commas, each {@code key=value}, {@code key==value},
 * {@code key!=value}, {@code key in (v1,v2)}, {@code key notin (v1,v2)}, {@code key} (exists) or {@code !key}.
 * The same selector filters on the server (the informer's list and watch) and again here ({@link #matches}).
 */
public record Selector(List<Requirement> requirements) {
    /** {@code [prefix/]name}: a DNS subdomain prefix, a name of at most 63 alphanumerics, '-', '_', '.'. */
    private static final Pattern KEY = Pattern.compile(
            "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

    public enum Operator { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST }

    public record Requirement(String key, Operator operator, Set<String> values) {
        public Requirement {
            values = Set.copyOf(values);
        }

        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (operator) {
                case EQUALS, IN -> v != null && values.contains(v);
                case NOT_EQUALS, NOT_IN -> v == null || !values.contains(v);
                case EXISTS -> v != null;
                case DOES_NOT_EXIST -> v == null;
            };
        }

        @Override
        public String toString() {
            String sorted = String.join(",", new TreeSet<>(values));
            return switch (operator) {
                case EQUALS -> key + "=" + sorted;
                case NOT_EQUALS -> key + "!=" + sorted;
                case IN -> key + " in (" + sorted + ")";
                case NOT_IN -> key + " notin (" + sorted + ")";
                case EXISTS -> key;
                case DOES_NOT_EXIST -> "!" + key;
            };
        }
    }

    public Selector {
        requirements = List.copyOf(requirements);
    }

    /**
     * Parses a selector.
     *
     * @throws IllegalArgumentException saying what is wrong, for example {@code empty} or {@code bad key "A/b"}
     */
    public static Selector parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty selector: give at least one requirement, e.g. app=vllm");
        }
        List<Requirement> out = new ArrayList<>();
        for (String part : splitTopLevel(text)) {
            out.add(requirement(part.strip()));
        }
        return new Selector(out);
    }

    /** True when every requirement holds for these labels (a null map counts as no labels). */
    public boolean matches(Map<String, String> labels) {
        Map<String, String> l = labels == null ? Map.of() : labels;
        return requirements.stream().allMatch(r -> r.matches(l));
    }

    /** The selector in the API server's syntax. */
    @Override
    public String toString() {
        return String.join(",", requirements.stream().map(Requirement::toString).toList());
    }

    private static List<String> splitTopLevel(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                if (++depth > 1) {
                    throw new IllegalArgumentException("nested parentheses in \"" + text + "\"");
                }
            } else if (c == ')') {
                if (--depth < 0) {
                    throw new IllegalArgumentException("unbalanced ')' in \"" + text + "\"");
                }
            } else if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        if (depth != 0) {
            throw new IllegalArgumentException("unbalanced '(' in \"" + text + "\"");
        }
        parts.add(text.substring(start));
        return parts;
    }

    private static Requirement requirement(String r) {
        if (r.isEmpty()) {
            throw new IllegalArgumentException("empty requirement (a stray comma?)");
        }
        var set = Pattern.compile("^(\\S+)\\s+(in|notin)\\s*\\((.*)\\)$").matcher(r);
        if (set.matches()) {
            if (set.group(3).isBlank()) {
                throw new IllegalArgumentException("no values in \"" + r + "\"");
            }
            Set<String> values = new TreeSet<>();
            for (String v : set.group(3).split(",", -1)) {
                values.add(value(v.strip(), r));
            }
            return new Requirement(key(set.group(1), r), set.group(2).equals("in") ? Operator.IN : Operator.NOT_IN,
                    values);
        }
        int ne = r.indexOf("!=");
        if (ne >= 0) {
            return new Requirement(key(r.substring(0, ne).strip(), r), Operator.NOT_EQUALS,
                    Set.of(value(r.substring(ne + 2).strip(), r)));
        }
        int eq = r.indexOf('=');
        if (eq >= 0) {
            int valueAt = r.startsWith("==", eq) ? eq + 2 : eq + 1;
            return new Requirement(key(r.substring(0, eq).strip(), r), Operator.EQUALS,
                    Set.of(value(r.substring(valueAt).strip(), r)));
        }
        if (r.startsWith("!")) {
            return new Requirement(key(r.substring(1).strip(), r), Operator.DOES_NOT_EXIST, Set.of());
        }
        return new Requirement(key(r, r), Operator.EXISTS, Set.of());
    }

    private static String key(String k, String requirement) {
        if (!KEY.matcher(k).matches() || k.length() > 253 + 1 + 63) {
            throw new IllegalArgumentException("bad label key \"" + k + "\" in \"" + requirement
                    + "\" (expected [prefix/]name: letters, digits, '-', '_', '.', at most 63, alphanumeric at both"
                    + " ends)");
        }
        return k;
    }

    private static String value(String v, String requirement) {
        if (!VALUE.matcher(v).matches()) {
            throw new IllegalArgumentException("bad label value \"" + v + "\" in \"" + requirement
                    + "\" (expected at most 63 letters, digits, '-', '_', '.', alphanumeric at both ends)");
        }
        return v;
    }
}
