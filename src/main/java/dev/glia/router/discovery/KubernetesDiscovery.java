package dev.glia.router.discovery;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Engines as the ready pods that match a label selector in one namespace, watched through a fabric8
 * {@link SharedIndexInformer} (list, then watch, relisting after a lost watch). Thin on purpose: every event
 * recomputes the set from the informer's store with {@link PodEndpoints} and publishes it if it changed.
 * Needs get, list and watch on pods in the namespace (docs/router.md, "Discovery").
 */
public final class KubernetesDiscovery implements EngineDiscovery {
    private static final Logger LOG = Logger.getLogger(KubernetesDiscovery.class.getName());

    private final KubernetesClient client;
    private final boolean ownsClient;
    private final PodEndpoints decision;
    private final Object lock = new Object();
    private SharedIndexInformer<Pod> informer;
    private Consumer<List<Endpoint>> listener;
    private List<Endpoint> published;
    private boolean closed;

    /** Watches through {@code client}, which the caller keeps and closes. */
    public KubernetesDiscovery(KubernetesClient client, PodEndpoints decision) {
        this(client, false, decision);
    }

    private KubernetesDiscovery(KubernetesClient client, boolean ownsClient, PodEndpoints decision) {
        this.client = Objects.requireNonNull(client, "client");
        this.ownsClient = ownsClient;
        this.decision = Objects.requireNonNull(decision, "decision");
    }

    /**
     * With a client configured as fabric8 finds it (in a pod: its service account; outside: {@code ~/.kube/config}),
     * closed with this discovery.
     *
     * @param namespace where the engines run; null for the client's own namespace (in a pod, the pod's)
     */
    public static KubernetesDiscovery fromEnvironment(String namespace, Selector selector, EnginePort port) {
        KubernetesClient client = new KubernetesClientBuilder().build();
        String ns = namespace != null ? namespace : client.getNamespace();
        if (ns == null) {
            client.close();
            throw new IllegalArgumentException("--namespace: not given, and the Kubernetes configuration names no"
                    + " namespace (in a pod it is read from the service account)");
        }
        return new KubernetesDiscovery(client, true, new PodEndpoints(ns, selector, port));
    }

    public PodEndpoints decision() {
        return decision;
    }

    @Override
    public CompletionStage<Void> start(Consumer<List<Endpoint>> onChange) {
        synchronized (lock) {
            if (listener != null || closed) {
                throw new IllegalStateException("a discovery starts once");
            }
            listener = Objects.requireNonNull(onChange, "onChange");
            informer = client.pods().inNamespace(decision.namespace())
                    .withLabelSelector(decision.selector().toString()).runnableInformer(0);
        }
        informer.addEventHandler(new ResourceEventHandler<Pod>() {
            @Override
            public void onAdd(Pod pod) {
                republish();
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                republish();
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                republish();
            }
        });
        // the first list must succeed (a refusal, e.g. RBAC, fails start); after that, a lost watch is retried
        informer.exceptionHandler((started, failure) -> {
            if (started) {
                LOG.log(Level.WARNING, "pod discovery in " + decision.namespace() + ": watch failed, retrying",
                        failure);
            }
            return started; // before that, the failure fails start(), which says it
        });
        return informer.start().handle((ok, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                throw new IllegalStateException("cannot list pods matching " + decision.selector() + " in namespace "
                        + decision.namespace() + " (does the router's service account have get, list and watch"
                        + " on pods there?): " + cause.getMessage(), cause);
            }
            republish();
            return null;
        });
    }

    /** Recomputes the set from the informer's store; publishes it when it changed. Serialised by {@code lock}. */
    private void republish() {
        synchronized (lock) {
            if (closed || !informer.hasSynced()) {
                return; // before the first full list, a set would be partial: start publishes once synced
            }
            List<Endpoint> now = decision.endpoints(informer.getStore().list());
            if (now.equals(published)) {
                return;
            }
            published = now;
            try {
                listener.accept(now);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "the discovery listener failed on " + now, e);
            }
        }
    }

    @Override
    public void close() {
        SharedIndexInformer<Pod> i;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            i = informer;
        }
        if (i != null) {
            i.close();
        }
        if (ownsClient) {
            client.close();
        }
    }
}
