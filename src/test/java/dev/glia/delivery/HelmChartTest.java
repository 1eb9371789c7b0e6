package dev.glia.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart {@code helm/glia}, linted and rendered by real Helm (helm-java) with its default values and with every
 * option enabled ({@code src/test/resources/helm/all-enabled.yaml}); the rendered manifests are parsed and checked.
 */
@SuppressWarnings("unchecked")
class HelmChartTest {
    private static final Path CHART = Path.of("helm/glia");
    private static final Path ALL_ENABLED = Path.of("src/test/resources/helm/all-enabled.yaml");
    private static final String RELEASE = "glia";
    private static final String NAMESPACE = "glia-system";
    private static final YAMLMapper YAML = new YAMLMapper();

    @TempDir
    Path tmp;

    // ---- lint ---------------------------------------------------------------------------------

    @Test
    void lintIsCleanWithTheDefaultValues() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void lintIsCleanWithEveryOptionEnabled() throws IOException {
        // helm-java's lint takes no values file: lint a copy whose values.yaml has the overrides merged in
        Path copy = copyChart();
        Map<String, Object> values = YAML.readValue(CHART.resolve("values.yaml").toFile(), Map.class);
        merge(values, YAML.readValue(ALL_ENABLED.toFile(), Map.class));
        YAML.writeValue(copy.resolve("values.yaml").toFile(), values);

        LintResult lint = new Helm(copy).lint().strict().call();
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    // ---- default values -------------------------------------------------------------------------

    @Test
    void byDefaultOnlyTheOperatorAndItsRbacAreRendered() {
        Manifests m = render(t -> t);
        assertThat(m.names()).containsExactlyInAnyOrder(
                "ServiceAccount/glia-operator", "ServiceAccount/glia-research",
                "ClusterRole/glia-operator", "ClusterRoleBinding/glia-operator",
                "Deployment/glia-operator");
        assertThat(m.kinds()).doesNotContain("ServiceMonitor", "NetworkPolicy", "Service", "ConfigMap", "Role");
    }

    @Test
    void theOperatorRunsGliaOperatorUnderItsOwnServiceAccount() {
        Manifests m = render(t -> t);
        Map<String, Object> deployment = m.get("Deployment", "glia-operator");
        Map<String, Object> pod = mapAt(deployment, "spec", "template", "spec");
        Map<String, Object> container = container(deployment);

        assertThat(container.get("image")).isEqualTo("glia:0.1.0");
        assertThat(container.get("args")).isEqualTo(List.of("operator", "--metrics-port=8080"));
        assertThat(ports(container)).isEqualTo(Map.of("http", 8080));
        assertThat(pod.get("serviceAccountName")).isEqualTo("glia-operator");
        assertThat(env(container)).containsEntry("GLIA_RESEARCH_SERVICE_ACCOUNT", "glia-research")
                .containsEntry("GLIA_RESEARCH_IMAGE", (String) container.get("image"))
                .as("all namespaces").doesNotContainKey("GLIA_WATCH_NAMESPACES");
        assertThat(at(deployment, "spec", "strategy", "type")).isEqualTo("Recreate");
        assertRunsAsNonRoot(deployment);
        assertSelectorMatchesPods(deployment);

        Map<String, Object> binding = m.get("ClusterRoleBinding", "glia-operator");
        assertThat(binding.get("subjects")).isEqualTo(List.of(Map.of(
                "kind", "ServiceAccount", "name", "glia-operator", "namespace", NAMESPACE)));
        assertThat(at(binding, "roleRef", "kind")).isEqualTo("ClusterRole");
        assertThat(at(binding, "roleRef", "name")).isEqualTo("glia-operator");
    }

    @Test
    void theOperatorIsGrantedExactlyTheDocumentedRules() {
        Map<String, Object> role = render(t -> t).get("ClusterRole", "glia-operator");
        Map<String, Set<String>> granted = OperatorRbac.granted(rules(role));

        assertThat(granted).isEqualTo(OperatorRbac.documented());
        assertThat(granted.get("core/secrets")).containsExactly("get");
        assertThat(OperatorRbac.allows("", "secrets", "list")).isFalse();
        assertThat(OperatorRbac.allows("batch", "jobs", "create")).isTrue();
        assertThat(OperatorRbac.allows("", "pods/log", "get")).isTrue();
        assertThat(OperatorRbac.allows("", "pods", "get")).isFalse();
    }

    @Test
    void theResearchJobsServiceAccountHasNoTokenAndNoBinding() {
        Manifests m = render(t -> t);
        assertThat(m.get("ServiceAccount", "glia-research").get("automountServiceAccountToken")).isEqualTo(false);
        assertThat(m.ofKind("ClusterRoleBinding").stream().flatMap(b -> subjects(b).stream()))
                .noneMatch(s -> "glia-research".equals(s.get("name")));
    }

    @Test
    void watchedNamespacesGetARoleEachAndNoClusterRole() throws IOException {
        Path values = Files.writeString(tmp.resolve("namespaces.yaml"), "operator: {watchNamespaces: [team-a, team-b]}\n");
        Manifests m = render(t -> t.withValuesFile(values));

        assertThat(m.kinds()).doesNotContain("ClusterRole", "ClusterRoleBinding");
        for (String namespace : List.of("team-a", "team-b")) {
            Map<String, Object> role = m.get("Role", "glia-operator", namespace);
            assertThat(OperatorRbac.granted(rules(role))).isEqualTo(OperatorRbac.documented());
            Map<String, Object> binding = m.get("RoleBinding", "glia-operator", namespace);
            assertThat(subjects(binding)).containsExactly(Map.of(
                    "kind", "ServiceAccount", "name", "glia-operator", "namespace", NAMESPACE));
        }
        assertThat(env(container(m.get("Deployment", "glia-operator"))))
                .containsEntry("GLIA_WATCH_NAMESPACES", "team-a,team-b");
        for (String namespace : List.of("team-a", "team-b")) {
            assertThat(at(m.get("ServiceAccount", "glia-research", namespace), "automountServiceAccountToken"))
                    .as("research Jobs run in their optimisation's namespace, under an account with no token")
                    .isEqualTo(false);
        }
    }

    // ---- every option enabled -----------------------------------------------------------------

    @Test
    void everyOptionEnabledRendersTheRouterEnginesNetworkPolicyAndServiceMonitors() {
        Manifests m = render(t -> t.withValuesFile(ALL_ENABLED));
        assertThat(m.names()).contains(
                "Deployment/glia-operator", "Deployment/glia-router", "Deployment/glia-engine",
                "Service/glia-router", "Service/glia-engine", "ConfigMap/glia-router-policy",
                "ServiceAccount/glia-router", "Role/glia-router-discovery", "RoleBinding/glia-router-discovery",
                "NetworkPolicy/glia-router-admin", "ServiceMonitor/glia-router", "ServiceMonitor/glia-engine",
                "Service/glia-operator", "ServiceMonitor/glia-operator");
        for (Map<String, Object> deployment : m.ofKind("Deployment")) {
            assertRunsAsNonRoot(deployment);
            assertSelectorMatchesPods(deployment);
            assertThat(container(deployment).get("image")).isEqualTo("glia:0.1.0");
        }
        for (Map<String, Object> object : m.all()) {
            Map<String, Object> labels = mapAt(object, "metadata", "labels");
            assertThat(labels).as("labels of %s", Manifests.name(object))
                    .containsEntry("app.kubernetes.io/name", "glia")
                    .containsEntry("app.kubernetes.io/instance", RELEASE)
                    .containsEntry("app.kubernetes.io/managed-by", "Helm")
                    .containsKeys("app.kubernetes.io/component", "app.kubernetes.io/version", "helm.sh/chart");
        }
    }

    @Test
    void theRouterDiscoversTheEmulatedEnginesAndWatchesItsPolicyFile() throws IOException {
        Manifests m = render(t -> t.withValuesFile(ALL_ENABLED));
        Map<String, Object> router = m.get("Deployment", "glia-router");
        List<String> args = args(router);

        assertThat(args.get(0)).isEqualTo("router");
        assertThat(flag(args, "--discovery")).isEqualTo("kubernetes");
        assertThat(flag(args, "--namespace")).isEqualTo(NAMESPACE);
        assertThat(flag(args, "--admin-port")).isEqualTo("8081");
        assertThat(flag(args, "--port")).isEqualTo("8080");
        assertThat(flag(args, "--engine-port")).isEqualTo("8000");
        assertThat(flag(args, "--policy-file")).isEqualTo("/etc/glia/policy.yaml");
        assertThat(flag(args, "--scheduling-policy")).isEqualTo("priority");

        // the selector picks exactly the emulated engines' pods, and not the router's or the operator's
        Map<String, String> selector = parseSelector(flag(args, "--selector"));
        Map<String, Object> engines = m.get("Deployment", "glia-engine");
        assertThat(podLabels(engines)).containsAllEntriesOf(selector);
        assertThat(podLabels(router).entrySet().containsAll(selector.entrySet())).isFalse();
        assertThat(podLabels(m.get("Deployment", "glia-operator")).entrySet().containsAll(selector.entrySet()))
                .isFalse();

        // the policy document: a ConfigMap mounted at /etc/glia, holding the values' policy
        Map<String, Object> pod = mapAt(router, "spec", "template", "spec");
        Map<String, Object> policyMount = namedIn(container(router), "volumeMounts", "policy");
        assertThat(policyMount).containsEntry("mountPath", "/etc/glia").containsEntry("readOnly", true);
        assertThat(at(namedIn(pod, "volumes", "policy"), "configMap", "name")).isEqualTo("glia-router-policy");
        Map<String, Object> document = YAML.readValue(
                (String) at(m.get("ConfigMap", "glia-router-policy"), "data", "policy.yaml"), Map.class);
        assertThat(document).isEqualTo(Map.of(
                "router", Map.of("name", "hra-spf", "parameters", Map.of("decodeToPrefillRatio", 2)),
                "batchPriority", Map.of("name", "spf")));

        // probes: liveness /health, readiness /ready (an engine accepts requests), on the API port
        Map<String, Object> container = container(router);
        assertThat(at(container, "livenessProbe", "httpGet")).isEqualTo(Map.of("path", "/health", "port", "http"));
        assertThat(at(container, "readinessProbe", "httpGet")).isEqualTo(Map.of("path", "/ready", "port", "http"));
        assertThat(ports(container)).isEqualTo(Map.of("http", 8080, "admin", 8081));

        Map<String, Object> service = m.get("Service", "glia-router");
        assertThat(at(service, "spec", "selector")).isEqualTo(selectorLabels("router"));
        assertThat(servicePorts(service)).isEqualTo(Map.of("http", 8080, "admin", 8081));
        assertThat(pod.get("serviceAccountName")).isEqualTo("glia-router");
    }

    @Test
    void theRouterMayOnlyReadPodsInTheEnginesNamespace() throws IOException {
        Path values = Files.writeString(tmp.resolve("vllm.yaml"), """
                router:
                  enabled: true
                  engines: {selector: "app=vllm,tier!=cpu", namespace: serving, port: http}
                """);
        Manifests m = render(t -> t.withValuesFile(values));
        List<String> args = args(m.get("Deployment", "glia-router"));
        assertThat(flag(args, "--selector")).isEqualTo("app=vllm,tier!=cpu");
        assertThat(flag(args, "--namespace")).isEqualTo("serving");
        assertThat(flag(args, "--engine-port")).isEqualTo("http");

        Map<String, Object> role = m.get("Role", "glia-router-discovery", "serving");
        assertThat(OperatorRbac.granted(rules(role))).isEqualTo(Map.of("core/pods", Set.of("get", "list", "watch")));
        Map<String, Object> binding = m.get("RoleBinding", "glia-router-discovery", "serving");
        assertThat(subjects(binding)).containsExactly(Map.of(
                "kind", "ServiceAccount", "name", "glia-router", "namespace", NAMESPACE));
        assertThat(m.kinds()).doesNotContain("NetworkPolicy", "ServiceMonitor");
        assertThat(m.names()).doesNotContain("Deployment/glia-engine");
    }

    @Test
    void theEmulatedEnginesRunGliaEngineReadyOnHealth() {
        Manifests m = render(t -> t.withValuesFile(ALL_ENABLED));
        Map<String, Object> engines = m.get("Deployment", "glia-engine");
        List<String> args = args(engines);

        assertThat(at(engines, "spec", "replicas")).isEqualTo(3);
        assertThat(args.get(0)).isEqualTo("engine");
        assertThat(flag(args, "--port")).isEqualTo("8000");
        assertThat(flag(args, "--gpu")).isEqualTo("a10");
        assertThat(flag(args, "--time-scale")).isEqualTo("10");
        assertThat(flag(args, "--scheduling-policy")).isEqualTo("priority");
        assertThat(flag(args, "--replicas")).as("one engine per pod").isNull();
        Map<String, Object> container = container(engines);
        assertThat(at(container, "readinessProbe", "httpGet")).isEqualTo(Map.of("path", "/health", "port", "http"));
        assertThat(ports(container)).isEqualTo(Map.of("http", 8000));
        assertThat(at(engines, "spec", "template", "spec", "automountServiceAccountToken")).isEqualTo(false);
    }

    @Test
    void theNetworkPolicyKeepsEveryoneButTheOperatorOffTheAdminPort() {
        Manifests m = render(t -> t.withValuesFile(ALL_ENABLED));
        Map<String, Object> policy = m.get("NetworkPolicy", "glia-router-admin");

        assertThat(at(policy, "spec", "podSelector", "matchLabels")).isEqualTo(selectorLabels("router"));
        assertThat((List<Object>) at(policy, "spec", "policyTypes")).containsExactly("Ingress");
        List<Map<String, Object>> ingress = listAt(policy, "spec", "ingress");
        assertThat(ingress).hasSize(2);
        // the API port, from anywhere
        assertThat(ingress.get(0)).doesNotContainKey("from");
        assertThat(ingress.get(0).get("ports")).isEqualTo(List.of(Map.of("port", "http", "protocol", "TCP")));
        // the admin port, from the operator's pods only
        assertThat(ingress.get(1).get("ports")).isEqualTo(List.of(Map.of("port", "admin", "protocol", "TCP")));
        List<Map<String, Object>> from = (List<Map<String, Object>>) ingress.get(1).get("from");
        assertThat(from).hasSize(1);
        Map<String, Object> operatorSelector = mapAt(from.get(0), "podSelector", "matchLabels");
        assertThat(from.get(0)).containsOnlyKeys("podSelector");
        assertThat(podLabels(m.get("Deployment", "glia-operator"))).containsAllEntriesOf(
                operatorSelector.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> (String) e.getValue())));
        assertThat(podLabels(m.get("Deployment", "glia-router")).entrySet()
                .containsAll(operatorSelector.entrySet())).isFalse();
        // the ports the policy names are the router's container ports
        assertThat(ports(container(m.get("Deployment", "glia-router")))).containsKeys("http", "admin");
    }

    @Test
    void theServiceMonitorsScrapeTheRouterTheEnginesAndTheOperator() {
        Manifests m = render(t -> t.withValuesFile(ALL_ENABLED));
        for (String component : List.of("router", "engine", "operator")) {
            Map<String, Object> monitor = m.get("ServiceMonitor", "glia-" + component);
            assertThat(at(monitor, "metadata", "labels", "release")).isEqualTo("prometheus");
            assertThat(at(monitor, "spec", "selector", "matchLabels")).isEqualTo(selectorLabels(component));
            assertThat((List<Object>) at(monitor, "spec", "namespaceSelector", "matchNames")).containsExactly(NAMESPACE);
            List<Map<String, Object>> endpoints = listAt(monitor, "spec", "endpoints");
            assertThat(endpoints).singleElement().satisfies(e -> assertThat(e)
                    .containsEntry("port", "http").containsEntry("path", "/metrics"));
            Map<String, Object> service = m.get("Service", "glia-" + component);
            assertThat((Map<String, Object>) at(service, "metadata", "labels"))
                    .containsAllEntriesOf(selectorLabels(component));
            assertThat(servicePorts(service)).containsKey("http");
        }
    }

    // ---- rendering and reading ------------------------------------------------------------------

    /** The objects one {@code helm template} rendered. */
    record Manifests(List<Map<String, Object>> all) {
        static String name(Map<String, Object> object) {
            return object.get("kind") + "/" + at(object, "metadata", "name");
        }

        List<String> names() {
            return all.stream().map(Manifests::name).toList();
        }

        Set<String> kinds() {
            return all.stream().map(o -> (String) o.get("kind")).collect(Collectors.toSet());
        }

        List<Map<String, Object>> ofKind(String kind) {
            return all.stream().filter(o -> kind.equals(o.get("kind"))).toList();
        }

        Map<String, Object> get(String kind, String name) {
            return get(kind, name, null);
        }

        Map<String, Object> get(String kind, String name, String namespace) {
            List<Map<String, Object>> found = ofKind(kind).stream()
                    .filter(o -> name.equals(at(o, "metadata", "name")))
                    .filter(o -> namespace == null || namespace.equals(at(o, "metadata", "namespace")))
                    .toList();
            assertThat(found).as("%s/%s in %s", kind, name, names()).hasSize(1);
            return found.get(0);
        }
    }

    static Manifests render(UnaryOperator<TemplateCommand> options) {
        String yaml = options.apply(new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE)).call();
        List<Map<String, Object>> objects = new ArrayList<>();
        try (MappingIterator<Map<String, Object>> docs = YAML.readerFor(Map.class).readValues(yaml)) {
            while (docs.hasNext()) {
                Map<String, Object> doc = docs.next();
                if (doc != null && !doc.isEmpty()) {
                    objects.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the rendered chart is not YAML:\n" + yaml, e);
        }
        return new Manifests(objects);
    }

    /** The value at a path of keys, or null where the path ends early. */
    private static Object at(Map<String, Object> object, String... path) {
        Object here = object;
        for (String key : path) {
            if (!(here instanceof Map<?, ?> map)) {
                return null;
            }
            here = map.get(key);
        }
        return here;
    }

    private static Map<String, Object> mapAt(Map<String, Object> object, String... path) {
        return (Map<String, Object>) at(object, path);
    }

    private static Map<String, String> stringMapAt(Map<String, Object> object, String... path) {
        return (Map<String, String>) at(object, path);
    }

    private static List<Map<String, Object>> listAt(Map<String, Object> object, String... path) {
        return (List<Map<String, Object>>) at(object, path);
    }

    private static Map<String, String> selectorLabels(String component) {
        return Map.of("app.kubernetes.io/name", "glia", "app.kubernetes.io/instance", RELEASE,
                "app.kubernetes.io/component", component);
    }

    private static Map<String, Object> container(Map<String, Object> deployment) {
        List<Map<String, Object>> containers = listAt(deployment, "spec", "template", "spec", "containers");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    private static List<String> args(Map<String, Object> deployment) {
        List<Object> args = (List<Object>) container(deployment).get("args");
        args.forEach(a -> assertThat(a).as("every argument is a string").isInstanceOf(String.class));
        return args.stream().map(String.class::cast).toList();
    }

    /** The value after {@code name} in a command line, or null when the flag is absent. */
    private static String flag(List<String> args, String name) {
        int i = args.indexOf(name);
        assertThat(args.lastIndexOf(name)).as("%s given once", name).isEqualTo(i);
        return i < 0 ? null : args.get(i + 1);
    }

    private static Map<String, String> podLabels(Map<String, Object> deployment) {
        return stringMapAt(deployment, "spec", "template", "metadata", "labels");
    }

    /** A selector of equality terms only ({@code k=v,k2=v2}), as the chart derives it from the engines' labels. */
    private static Map<String, String> parseSelector(String selector) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String term : selector.split(",")) {
            String[] kv = term.split("=", 2);
            assertThat(kv).as("an equality term: %s", term).hasSize(2);
            out.put(kv[0], kv[1]);
        }
        return out;
    }

    private static Map<String, String> env(Map<String, Object> container) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map<String, Object> e : (List<Map<String, Object>>) container.get("env")) {
            out.put((String) e.get("name"), (String) e.get("value"));
        }
        return out;
    }

    private static Map<String, Integer> ports(Map<String, Object> container) {
        return ((List<Map<String, Object>>) container.get("ports")).stream()
                .collect(Collectors.toMap(p -> (String) p.get("name"), p -> (Integer) p.get("containerPort")));
    }

    private static Map<String, Integer> servicePorts(Map<String, Object> service) {
        return ((List<Map<String, Object>>) at(service, "spec", "ports")).stream()
                .collect(Collectors.toMap(p -> (String) p.get("name"), p -> (Integer) p.get("port")));
    }

    private static Map<String, Object> namedIn(Map<String, Object> object, String list, String name) {
        return ((List<Map<String, Object>>) object.get(list)).stream()
                .filter(e -> name.equals(e.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + list + ": " + object.get(list)));
    }

    static List<Map<String, Object>> rules(Map<String, Object> role) {
        return (List<Map<String, Object>>) role.get("rules");
    }

    private static List<Map<String, Object>> subjects(Map<String, Object> binding) {
        return (List<Map<String, Object>>) binding.get("subjects");
    }

    private static void assertRunsAsNonRoot(Map<String, Object> deployment) {
        Map<String, Object> pod = mapAt(deployment, "spec", "template", "spec");
        assertThat(at(pod, "securityContext", "runAsNonRoot")).as(Manifests.name(deployment)).isEqualTo(true);
        assertThat(at(container(deployment), "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(at(container(deployment), "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(namedIn(container(deployment), "volumeMounts", "tmp")).containsEntry("mountPath", "/tmp");
    }

    private static void assertSelectorMatchesPods(Map<String, Object> deployment) {
        Map<String, String> selector = stringMapAt(deployment, "spec", "selector", "matchLabels");
        assertThat(podLabels(deployment)).as(Manifests.name(deployment)).containsAllEntriesOf(selector);
        assertThat(selector).containsKey("app.kubernetes.io/component");
    }

    private Path copyChart() throws IOException {
        Path copy = tmp.resolve("glia");
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path from : files.toList()) {
                Path to = copy.resolve(CHART.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to);
                }
            }
        }
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> base, Map<String, Object> overrides) {
        overrides.forEach((key, value) -> {
            if (value instanceof Map<?, ?> nested && base.get(key) instanceof Map<?, ?> existing) {
                merge((Map<String, Object>) existing, (Map<String, Object>) nested);
            } else {
                base.put(key, value);
            }
        });
    }
}
