package dev.glia.sim;

import dev.glia.catalog.PolicyCatalog;
import dev.glia.policy.Autoscaler;
import dev.glia.policy.BatchPriority;
import dev.glia.policy.Router;
import dev.glia.policy.sandbox.PolicySource;
import dev.glia.sim.scenario.Scenario;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The router, batch priority and autoscaler a scenario names, resolved, with parameter overrides
 * sent to whichever of them declares each parameter.
 */
public record PolicySet(PolicyCatalog.Resolved<Router> router, PolicyCatalog.Resolved<BatchPriority> batchPriority,
                        PolicyCatalog.Resolved<Autoscaler> autoscaler) {

    /** The scenario's policies with its parameters, and {@code parameters} (e.g. from the command line) on top. */
    public static PolicySet of(Scenario scenario, Map<String, Double> parameters) {
        Scenario.Policies p = scenario.policies();
        Map<String, Double> all = new java.util.TreeMap<>(p.parameters());
        all.putAll(parameters);
        Map<String, Map<String, Double>> split = split(p, all);
        return new PolicySet(PolicyCatalog.router(p.router(), split.get("router")),
                PolicyCatalog.batchPriority(p.batchPriority(), split.get("batchPriority")),
                p.autoscaler() == null ? null : PolicyCatalog.autoscaler(p.autoscaler(), split.get("autoscaler")));
    }

    private static Map<String, Map<String, Double>> split(Scenario.Policies p, Map<String, Double> parameters) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        out.put("router", new LinkedHashMap<>());
        out.put("batchPriority", new LinkedHashMap<>());
        out.put("autoscaler", new LinkedHashMap<>());
        for (Map.Entry<String, Double> e : parameters.entrySet()) {
            String owner = null;
            for (Map.Entry<String, String> policy : Map.of("router", p.router(), "batchPriority", p.batchPriority(),
                    "autoscaler", p.autoscaler() == null ? "" : p.autoscaler()).entrySet()) {
                if (declares(policy.getValue(), e.getKey())) {
                    if (owner != null) {
                        throw new IllegalArgumentException("parameter " + e.getKey() + " is declared by both the "
                                + owner + " and the " + policy.getKey());
                    }
                    owner = policy.getKey();
                }
            }
            if (owner == null) {
                throw new IllegalArgumentException("no policy of this run declares a parameter '" + e.getKey()
                        + "' (see `glia policy check FILE` for a policy's parameters)");
            }
            out.get(owner).put(e.getKey(), e.getValue());
        }
        return out;
    }

    private static boolean declares(String policy, String parameter) {
        if (policy.isEmpty() || !(policy.endsWith(".java") || PolicyCatalog.references().containsKey(policy))) {
            return false;
        }
        PolicySource source = PolicyCatalog.source(policy);
        return source.parameters().stream().anyMatch(x -> x.name().equals(parameter));
    }

    public Experiment.Policies factories() {
        return new Experiment.Policies(router.factory(), batchPriority.factory(),
                autoscaler == null ? null : autoscaler.factory());
    }

    /** Name, kind, parameters and source hash of each policy, for config.json and artifacts. */
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (PolicyCatalog.Resolved<?> r : resolved()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", r.name());
            if (r.source() != null) {
                d.put("class", r.source().className());
                d.put("sha256", r.source().sha256());
                d.put("parameters", r.parameters());
            } else {
                d.put("builtin", true);
            }
            out.put(kindOf(r), d);
        }
        return out;
    }

    private List<PolicyCatalog.Resolved<?>> resolved() {
        return autoscaler == null ? List.of(router, batchPriority) : List.of(router, batchPriority, autoscaler);
    }

    private String kindOf(PolicyCatalog.Resolved<?> r) {
        return r == router ? "router" : r == batchPriority ? "batchPriority" : "autoscaler";
    }
}
