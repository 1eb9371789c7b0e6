package dev.glia.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Records what a fabric8 client asks of the API server as RBAC sees it: API group, resource (with its subresource)
 * and verb ({@code get}, {@code list}, {@code watch}, {@code create}, {@code update}, {@code patch}, {@code delete},
 * {@code deletecollection}), in the "group/resource" → verbs shape of {@code OperatorRbac.granted}. The lifecycle
 * tests give the operator a client built by {@link #client} and hold what it asked against the chart's rules.
 */
final class ApiRequests {
    /** What the operator asked in every lifecycle test class of this test run. */
    static final ApiRequests OPERATOR = new ApiRequests();
    /**
     * The test classes whose operators run on {@link #OPERATOR}'s clients: between them they use every permission the
     * chart grants, and once all of them ran whole, nothing granted may have gone unused.
     */
    static final Set<String> LIFECYCLE_CLASSES = Set.of("OperatorLifecycleTest", "ScenarioSourcesLifecycleTest",
            "DriftLifecycleTest");
    private static final Set<String> COMPLETE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Map<String, Set<String>> verbs = new TreeMap<>();

    /**
     * After a lifecycle test class: every verb the operator asked is one the Helm chart's rendered ClusterRole grants;
     * when this and every other lifecycle class ran all its tests in this JVM, every verb granted was asked.
     *
     * @param tests    the class whose {@code @AfterAll} this is
     * @param finished how many of its tests ran
     */
    static void holdAgainstTheChart(Class<?> tests, int finished) {
        long declared = java.util.Arrays.stream(tests.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(org.junit.jupiter.api.Test.class)).count();
        if (finished == declared) {
            COMPLETE.add(tests.getSimpleName());
        }
        Map<String, Set<String>> asked = OPERATOR.verbs();
        Map<String, Set<String>> granted = dev.glia.delivery.OperatorRbac.rendered();
        asked.forEach((resource, used) -> org.assertj.core.api.Assertions.assertThat(granted.getOrDefault(resource,
                Set.of())).as("the chart's operator ClusterRole on %s (the operator asked: %s)", resource, asked)
                .containsAll(used));
        if (COMPLETE.containsAll(LIFECYCLE_CLASSES)) {
            org.assertj.core.api.Assertions.assertThat(asked)
                    .as("the chart grants nothing the operator did not use in " + LIFECYCLE_CLASSES).isEqualTo(granted);
        }
    }

    /** A client to the same server as {@code base}, whose every request this log records. */
    KubernetesClient client(KubernetesClient base) {
        Config config = base.getConfiguration();
        return new KubernetesClientBuilder().withConfig(config)
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("rbac-recorder", new Interceptor() {
                    @Override
                    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                        record(request.method(), request.uri());
                    }
                }))
                .build();
    }

    synchronized void record(String method, URI uri) {
        Access a = access(method, uri);
        if (a != null) {
            verbs.computeIfAbsent(a.key(), k -> new TreeSet<>()).add(a.verb());
        }
    }

    /** What was asked so far, as "group/resource" → verbs ("core" for the core group). */
    synchronized Map<String, Set<String>> verbs() {
        Map<String, Set<String>> copy = new TreeMap<>();
        verbs.forEach((k, v) -> copy.put(k, new TreeSet<>(v)));
        return copy;
    }

    /** One request as RBAC authorises it; null for discovery and other non-resource paths. */
    record Access(String apiGroup, String resource, String verb) {
        String key() {
            return (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + resource;
        }
    }

    /**
     * The API group, resource and verb of a request, after the API server's own rules: {@code /api/v1/...} is the
     * core group, {@code /apis/GROUP/VERSION/...} the others; {@code namespaces/NS/} scopes what follows; a GET of a
     * collection is {@code list}, or {@code watch} with {@code watch=true}; a DELETE of a collection is
     * {@code deletecollection}.
     */
    static Access access(String method, URI uri) {
        List<String> path = Arrays.stream(uri.getRawPath().split("/")).filter(s -> !s.isEmpty()).toList();
        String group;
        List<String> rest;
        if (path.size() >= 2 && path.get(0).equals("api")) {
            group = "";
            rest = path.subList(2, path.size());
        } else if (path.size() >= 3 && path.get(0).equals("apis")) {
            group = path.get(1);
            rest = path.subList(3, path.size());
        } else {
            return null;
        }
        if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
            rest = rest.subList(2, rest.size());
        }
        if (rest.isEmpty()) {
            return null;
        }
        String resource = rest.get(0) + (rest.size() >= 3 ? "/" + rest.get(2) : "");
        boolean named = rest.size() >= 2;
        String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        boolean watch = Arrays.stream(query.split("&")).anyMatch(p -> p.equals("watch=true") || p.equals("watch=1"));
        String verb = switch (method.toUpperCase(java.util.Locale.ROOT)) {
            case "GET" -> watch ? "watch" : named ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> method.toLowerCase(java.util.Locale.ROOT);
        };
        return new Access(group, resource, verb);
    }
}
