package dev.glia.cli;

import dev.glia.catalog.Artifacts;
import dev.glia.catalog.PolicyCatalog;
import dev.glia.policy.PolicyArtifact;
import dev.glia.policy.sandbox.PolicySource;
import dev.glia.sim.Evidence;
import dev.glia.sim.Experiment;
import dev.glia.sim.PolicySet;
import dev.glia.sim.metrics.Aggregate;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Judge a policy against a baseline on the same seeds and write it as a GliaPolicy artifact with its evidence.")
public class PolicyEvaluateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE|NAME", description = "The candidate: a .java policy file or a bundled reference policy.")
    String policy;

    @Option(names = "--scenario", required = true, paramLabel = "NAME|FILE")
    String scenario;

    @Option(names = "--baseline", paramLabel = "NAME|FILE", description = "Baseline of the same kind (default: the scenario's).")
    String baseline;

    @Option(names = "--seeds", defaultValue = "10")
    int seeds;

    @Option(names = "--metric", defaultValue = "e2e.mean", description = "Figure to judge by (default: ${DEFAULT-VALUE}).")
    String metric;

    @Option(names = "--maximize", description = "Higher is better (e.g. throughput).")
    boolean maximize;

    @Option(names = "--param", paramLabel = "NAME=VALUE", description = "Candidate parameter (repeatable).")
    Map<String, Double> parameters = new LinkedHashMap<>();

    @Option(names = "--out", paramLabel = "FILE", description = "Artifact path (default: <policy>-<scenario>.glia-policy.yaml).")
    Path out;

    @Override
    public Integer call() {
        return Cli.guard(() -> {
            Scenario base = ScenarioLoader.load(scenario);
            PolicySource source = PolicyCatalog.source(policy);
            String kind = source.kind().label();
            Scenario.Policies p = base.policies();
            String baselineName = baseline != null ? baseline : switch (kind) {
                case "router" -> p.router();
                case "batchPriority" -> p.batchPriority();
                default -> p.autoscaler() != null ? p.autoscaler() : "throughput";
            };
            Scenario withCandidate = replace(base, kind, policy);
            Scenario withBaseline = replace(base, kind, baselineName);
            PolicySet candidatePolicies = PolicySet.of(withCandidate, parameters);
            PolicySet baselinePolicies = PolicySet.of(withBaseline, Map.of());
            int threads = Runtime.getRuntime().availableProcessors();
            Experiment.Result b;
            Experiment.Result c;
            try (Progress progress = new Progress("evaluating " + policy + " against " + baselineName, 2 * seeds)) {
                b = new Experiment(withBaseline).run(seeds, baselinePolicies.factories(), threads, progress::done);
                c = new Experiment(withCandidate).run(seeds, candidatePolicies.factories(), threads,
                        n -> progress.done(seeds + n));
            }
            if (!c.aggregate().containsKey(metric)) {
                throw new IllegalArgumentException("unknown metric '" + metric + "'; known: "
                        + String.join(", ", c.aggregate().keySet()));
            }
            PolicyCatalog.Resolved<?> resolved = switch (kind) {
                case "router" -> candidatePolicies.router();
                case "batchPriority" -> candidatePolicies.batchPriority();
                default -> candidatePolicies.autoscaler();
            };
            PolicyArtifact artifact = Evidence.artifact(source, resolved.parameters(), base, baselineName, b, c, metric,
                    maximize, policy);
            Path file = out != null ? out : Path.of(artifact.metadata().name() + ".glia-policy.yaml");
            Artifacts.write(file, artifact);
            Aggregate.Stat bs = b.aggregate().get(metric);
            Aggregate.Stat cs = c.aggregate().get(metric);
            PolicyArtifact.Evidence e = artifact.spec().evidence();
            System.out.printf(Locale.ROOT, "%s on %s, %d seeds, %s (%s is better)%n", policy, base.name(), seeds, metric,
                    maximize ? "higher" : "lower");
            System.out.printf(Locale.ROOT, "  baseline  %-22s %10.3f  [%.3f, %.3f]%n", baselineName, bs.mean(), bs.lo(), bs.hi());
            System.out.printf(Locale.ROOT, "  candidate %-22s %10.3f  [%.3f, %.3f]%n", policy, cs.mean(), cs.lo(), cs.hi());
            System.out.printf(Locale.ROOT, "  ratio %.3f; %s%n", e.ratio(), e.significant()
                    ? "better, with non-overlapping 90% confidence intervals"
                    : "NOT significantly better (intervals overlap or the candidate is worse)");
            System.out.printf(Locale.ROOT, "  artifact  %s (kubectl apply -f it; set spec.approved: true to allow rollout)%n", file);
            return 0;
        });
    }

    private static Scenario replace(Scenario s, String kind, String name) {
        Scenario.Policies p = s.policies();
        return ScenarioLoader.override(s, null, null, kind.equals("router") ? name : null,
                kind.equals("batchPriority") ? name : null, kind.equals("autoscaler") ? name : null)
                .withPolicies(p.with(kind, name, Map.of()));
    }
}
