package dev.glia.cli;

import dev.glia.operator.AutoscalingDriver;
import dev.glia.operator.GliaOperator;
import dev.glia.operator.MetricsEndpoint;
import dev.glia.operator.OptimizationReconciler;
import dev.glia.operator.ResearchJob;
import dev.glia.operator.ResearchSessions;
import dev.glia.operator.router.HttpRouterAdmin;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.prometheus.client.CollectorRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "operator", mixinStandardHelpOptions = true,
        description = "Run the Glia operator: reconcile GliaOptimizations (research in process, a GliaPolicy with its "
                + "evidence, canary and promotion through the router's admin API) and verify GliaPolicies. The "
                + "Kubernetes client is configured from the environment (in-cluster service account or kubeconfig).")
public class OperatorCommand implements Callable<Integer> {
    @Option(names = "--namespace", paramLabel = "NS", split = ",", defaultValue = "${env:GLIA_WATCH_NAMESPACES}",
            description = "Watch only these namespaces, comma-separated (env GLIA_WATCH_NAMESPACES, which the chart sets"
                    + " from operator.watchNamespaces; default: all).")
    List<String> namespaces;

    @Option(names = "--research-image", paramLabel = "IMAGE", description = "The image of research Jobs (default: env"
            + " GLIA_RESEARCH_IMAGE, which the chart sets to the operator's own image). Without one, research Jobs"
            + " (spec.research.inProcess: false) are refused as a condition.")
    String researchImage;

    @Option(names = "--research-threads", defaultValue = "1", description = "In-process research sessions that run at"
            + " once (default: ${DEFAULT-VALUE}).")
    int researchThreads;

    @Option(names = "--research-dir", defaultValue = "${java.io.tmpdir}/glia-research", paramLabel = "DIR",
            description = "Where in-process sessions write their runs and reports (default: ${DEFAULT-VALUE}).")
    Path researchDir;

    @Option(names = "--seeds", defaultValue = "10", description = "Seeds of the search; the judgement runs on twice as"
            + " many held-out seeds (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--screen-seeds", defaultValue = "3", description = "Seeds of the tuner's screening (default: ${DEFAULT-VALUE}).")
    int screenSeeds;

    @Option(names = "--poll-seconds", defaultValue = "10", description = "How often to look again while research runs or"
            + " a candidate waits (default: ${DEFAULT-VALUE}).")
    long pollSeconds;

    @Option(names = "--router-retry-seconds", defaultValue = "30", description = "Retry an unanswered router call after"
            + " this long (default: ${DEFAULT-VALUE}).")
    long routerRetrySeconds;

    @Option(names = "--canary-slice-seconds", defaultValue = "30", description = "A canary is judged on the router's"
            + " metrics once per slice of this many seconds, at least twice the router's scrape interval in Prometheus"
            + " (default: ${DEFAULT-VALUE}).")
    long canarySliceSeconds;

    /** The namespaces to watch; empty: all. */
    Set<String> watched() {
        return namespaces == null ? Set.of() : namespaces.stream().map(String::trim).filter(n -> !n.isEmpty())
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }

    @Option(names = "--metrics-port", defaultValue = "8080", description = "Serve /metrics (Prometheus' text format:"
            + " glia_autoscaler_desired_replicas for autoscaling.actuation external) on this port; 0: off"
            + " (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--autoscaling-interval-seconds", defaultValue = "30", description = "How often each"
            + " optimisation's autoscaler runs, and the window of its rates (default: ${DEFAULT-VALUE}).")
    long autoscalingSeconds;

    /** Research Jobs when an image is known (the flag or GLIA_RESEARCH_IMAGE); else in-process research only. */
    OptimizationReconciler.Options jobs(OptimizationReconciler.Options options, Map<String, String> env) {
        String image = researchImage != null && !researchImage.isBlank() ? researchImage
                : env.get(ResearchJob.IMAGE_ENV);
        if (image == null || image.isBlank()) {
            System.err.println("glia operator: no research image (--research-image, " + ResearchJob.IMAGE_ENV
                    + "): research Jobs are refused, in-process research only");
            return options;
        }
        return options.withJobs(ResearchJob.Settings.from(image, env, seeds, screenSeeds),
                options.jobLogs());
    }

    @Override
    public Integer call() {
        return Cli.guard(() -> {
            if (canarySliceSeconds < 1) {
                throw new IllegalArgumentException("--canary-slice-seconds must be at least 1, got "
                        + canarySliceSeconds);
            }
            KubernetesClient client = new KubernetesClientBuilder().build();
            ResearchSessions sessions = new ResearchSessions(researchThreads, researchDir);
            CollectorRegistry registry = new CollectorRegistry();
            AutoscalingDriver autoscaling = new AutoscalingDriver(client, Clock.systemUTC(),
                    new AutoscalingDriver.Settings(Duration.ofSeconds(autoscalingSeconds),
                            AutoscalingDriver.Settings.DEFAULT.prometheusTimeout()), registry);
            Operator operator = GliaOperator.create(client, sessions,
                    url -> new HttpRouterAdmin(url, Duration.ofSeconds(60)), Clock.systemUTC(),
                    jobs(new OptimizationReconciler.Options(Duration.ofSeconds(pollSeconds),
                            Duration.ofSeconds(routerRetrySeconds), seeds, screenSeeds)
                            .withCanarySlice(Duration.ofSeconds(canarySliceSeconds)), System.getenv()),
                    watched(), autoscaling);
            MetricsEndpoint metrics = metricsPort == 0 ? null : MetricsEndpoint.start(registry, "0.0.0.0", metricsPort);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                operator.stop();
                if (metrics != null) {
                    metrics.close();
                }
                sessions.close();
                client.close();
                stopped.countDown();
            }, "glia-operator-stop"));
            operator.start();
            System.err.println("glia operator: watching " + (watched().isEmpty() ? "all namespaces"
                    : String.join(", ", watched())) + (metrics == null ? "" : "; /metrics on port " + metrics.port()));
            stopped.await();
            return 0;
        });
    }
}
