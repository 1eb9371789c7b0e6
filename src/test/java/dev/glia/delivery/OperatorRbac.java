package dev.glia.delivery;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The operator's permissions as data: what {@code helm/glia} grants the operator's ServiceAccount, one grant per API
 * group and resource, each with its reason (the chart's {@code operator-rbac.yaml} says the same in comments).
 * {@link HelmChartTest} fails when the rendered ClusterRole grants anything else; the operator's lifecycle tests can
 * hold the verbs the operator actually requested against {@link #allows}.
 */
public final class OperatorRbac {

    /** Verbs on one resource ({@code plural} or {@code plural/subresource}) of one API group ("" is the core group). */
    public record Grant(String apiGroup, String resource, Set<String> verbs, String reason) {
        public Grant {
            verbs = Set.copyOf(verbs);
        }
    }

    public static final List<Grant> GRANTS = List.of(
            new Grant("glia.dev", "gliaoptimizations", Set.of("get", "list", "watch", "patch"),
                    "the reconciler's informer; a handled promote/rollback annotation removed"),
            new Grant("glia.dev", "gliaoptimizations/status", Set.of("patch"),
                    "phase, conditions, progress, best vs baseline (merge patch)"),
            new Grant("glia.dev", "gliapolicies", Set.of("get", "list", "watch", "create", "patch"),
                    "a research result becomes a GliaPolicy owned by its optimisation (deleted by garbage collection);"
                            + " approved by evidence in auto mode"),
            new Grant("glia.dev", "gliapolicies/status", Set.of("patch"), "verification and where it is rolled out"),
            new Grant("", "events", Set.of("create"), "an Event for every transition"),
            new Grant("batch", "jobs", Set.of("create", "get"),
                    "research runs as a Job: created once, read by name (also after a restart); garbage-collected"
                            + " with its optimisation"),
            new Grant("", "pods", Set.of("list", "watch"),
                    "find a research Job's pod by its job-name label; fabric8 watches it until started before a log read"),
            new Grant("", "pods/log", Set.of("get"),
                    "a research Job's progress and result are in its pod's log (the Job holds no credential)"),
            new Grant("", "secrets", Set.of("get"),
                    "only to check that the research model's key Secret exists; never listed or watched"),
            new Grant("", "configmaps", Set.of("create", "get", "update"),
                    "research reports, the composed or fitted scenario (refitted after drift), drift references"),
            new Grant("", "services", Set.of("get"), "check that spec.target.router.service exists"),
            new Grant("apps", "deployments", Set.of("get"), "check that spec.target.engines.deployment exists; the"
                    + " autoscaler's current replicas and pod selector"),
            new Grant("apps", "deployments/scale", Set.of("patch"),
                    "autoscaling.actuation direct: the engines' replicas, through the scale subresource"),
            new Grant("autoscaling", "horizontalpodautoscalers", Set.of("list"),
                    "direct actuation is refused while an HPA (or KEDA's) targets the Deployment"));

    private OperatorRbac() {
    }

    /** Whether the chart lets the operator do {@code verb} on {@code resource} of {@code apiGroup}. */
    public static boolean allows(String apiGroup, String resource, String verb) {
        return GRANTS.stream().anyMatch(g -> g.apiGroup().equals(apiGroup) && g.resource().equals(resource)
                && g.verbs().contains(verb));
    }

    /** The grants as "group/resource" → sorted verbs, the shape {@link #granted} returns. */
    public static Map<String, Set<String>> documented() {
        Map<String, Set<String>> out = new TreeMap<>();
        for (Grant g : GRANTS) {
            out.computeIfAbsent(key(g.apiGroup(), g.resource()), k -> new TreeSet<>()).addAll(g.verbs());
        }
        return out;
    }

    /**
     * What a Role's or ClusterRole's {@code rules} grant, as "group/resource" → verbs (a rule naming several groups
     * and resources grants each pair). Fails on what a least-privilege role never needs: wildcards, resource names,
     * non-resource URLs.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Set<String>> granted(List<Map<String, Object>> rules) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (Map<String, Object> rule : rules) {
            for (String field : List.of("resourceNames", "nonResourceURLs")) {
                if (rule.containsKey(field)) {
                    throw new AssertionError("a rule with " + field + ": " + rule);
                }
            }
            List<String> groups = (List<String>) rule.get("apiGroups");
            List<String> resources = (List<String>) rule.get("resources");
            List<String> verbs = (List<String>) rule.get("verbs");
            for (List<String> names : List.of(groups, resources, verbs)) {
                if (names == null || names.isEmpty() || names.contains("*")) {
                    throw new AssertionError("a rule without explicit groups, resources and verbs: " + rule);
                }
            }
            for (String group : groups) {
                for (String resource : resources) {
                    out.computeIfAbsent(key(group, resource), k -> new TreeSet<>()).addAll(verbs);
                }
            }
        }
        return out;
    }

    /** What the chart, rendered by real Helm with its default values, grants the operator (its ClusterRole). */
    public static Map<String, Set<String>> rendered() {
        return granted(HelmChartTest.rules(HelmChartTest.render(t -> t).get("ClusterRole", "glia-operator")));
    }

    private static String key(String apiGroup, String resource) {
        return (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + resource;
    }
}
