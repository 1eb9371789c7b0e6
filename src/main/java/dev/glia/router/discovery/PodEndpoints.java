package dev.glia.router.discovery;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Which pods are engines, and where: the whole decision of {@link KubernetesDiscovery}, as pure functions of pod
 * objects (no server). A pod counts when it is in the namespace, its labels match the selector, it is not being
 * deleted ({@code metadata.deletionTimestamp} unset), its phase is {@code Running}, its {@code Ready} condition is
 * {@code True}, it has a pod IP, and it has the engine port ({@link EnginePort}). Its endpoint is
 * {@code namespace/name} at {@code http://<podIP>:<port>}.
 */
public record PodEndpoints(String namespace, Selector selector, EnginePort port) {

    public PodEndpoints {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(port, "port");
    }

    /** This pod's endpoint, or empty when it does not count (see the class comment). */
    public Optional<Endpoint> endpoint(Pod pod) {
        ObjectMeta meta = pod == null ? null : pod.getMetadata();
        if (meta == null || meta.getName() == null || !namespace.equals(meta.getNamespace())
                || meta.getDeletionTimestamp() != null || !selector.matches(meta.getLabels())) {
            return Optional.empty();
        }
        PodStatus status = pod.getStatus();
        if (status == null || !"Running".equals(status.getPhase()) || !ready(status)) {
            return Optional.empty();
        }
        String ip = status.getPodIP();
        OptionalInt p = port.of(pod);
        if (ip == null || ip.isBlank() || p.isEmpty()) {
            return Optional.empty();
        }
        String host = ip.contains(":") ? "[" + ip + "]" : ip; // an IPv6 pod IP
        return Optional.of(new Endpoint(meta.getNamespace() + "/" + meta.getName(),
                URI.create("http://" + host + ":" + p.getAsInt())));
    }

    /** The endpoints of the pods that count, sorted by identity, one per pod name. */
    public List<Endpoint> endpoints(Collection<Pod> pods) {
        Map<String, Endpoint> byId = new TreeMap<>();
        for (Pod pod : pods) {
            endpoint(pod).ifPresent(e -> byId.put(e.id(), e));
        }
        return List.copyOf(byId.values());
    }

    private static boolean ready(PodStatus status) {
        if (status.getConditions() == null) {
            return false;
        }
        for (PodCondition c : status.getConditions()) {
            if ("Ready".equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return false;
    }
}
