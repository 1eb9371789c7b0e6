package dev.glia.operator;

import dev.glia.control.RouterAdmin;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.prometheus.client.CollectorRegistry;
import java.net.URI;
import java.time.Clock;
import java.util.Set;
import java.util.function.Function;

/**
 * The Glia operator: java-operator-sdk over a fabric8 client, with the GliaOptimization and GliaPolicy reconcilers
 * and the autoscaling driver.
 * Server-side apply is off (status is merge-patched), so any API server that speaks JSON merge patch works,
 * fabric8's mock among them.
 */
public final class GliaOperator {
    private GliaOperator() {
    }

    /**
     * An operator not started yet.
     *
     * @param namespaces the namespaces to watch; empty: all
     */
    public static Operator create(KubernetesClient client, ResearchSessions sessions,
            Function<URI, RouterAdmin> routers, Clock clock, OptimizationReconciler.Options options,
            Set<String> namespaces) {
        return create(client, sessions, routers, clock, options, namespaces, new AutoscalingDriver(client, clock,
                AutoscalingDriver.Settings.DEFAULT, new CollectorRegistry()));
    }

    /**
     * An operator not started yet, with its autoscaling driver (a second controller on GliaOptimization: the loop of
     * each optimisation with {@code components.autoscaler}).
     *
     * @param namespaces the namespaces to watch; empty: all
     */
    public static Operator create(KubernetesClient client, ResearchSessions sessions,
            Function<URI, RouterAdmin> routers, Clock clock, OptimizationReconciler.Options options,
            Set<String> namespaces, AutoscalingDriver autoscaling) {
        Operator operator = new Operator(o -> o.withKubernetesClient(client)
                .withUseSSAToPatchPrimaryResource(false)
                .withSSABasedCreateUpdateMatchForDependentResources(false)
                .withCloseClientOnStop(false));
        operator.register(new OptimizationReconciler(client, sessions, routers, clock, options), c -> {
            c.withGenerationAware(false);
            if (!namespaces.isEmpty()) {
                c.settingNamespaces(namespaces);
            }
        });
        operator.register(autoscaling, c -> {
            if (!namespaces.isEmpty()) {
                c.settingNamespaces(namespaces);
            }
        });
        operator.register(new GliaPolicyReconciler(clock), c -> {
            if (!namespaces.isEmpty()) {
                c.settingNamespaces(namespaces);
            }
        });
        return operator;
    }
}
