package dev.glia.operator;

import dev.glia.cli.OptimizeCommand;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import picocli.CommandLine;

/**
 * The kubelet and the Job controller for research Jobs on fabric8's mock API server, which has neither: each new Job
 * of the namespace gets a pod labelled {@code job-name}, its container's arguments run with {@code glia optimize} in
 * this JVM (stdout and stderr are the pod's log, answered by the mock server at the pod's {@code log} path, whole and
 * as the operator's tail), and the Job's status says succeeded or failed by the exit code.
 */
final class Kubelet implements AutoCloseable {
    private final KubernetesClient client;
    private final KubernetesMockServer server;
    private final String namespace;
    private final Path work;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final List<Job> ran = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    Kubelet(KubernetesClient client, KubernetesMockServer server, String namespace, Path work) {
        this.client = client;
        this.server = server;
        this.namespace = namespace;
        this.work = work;
        thread = new Thread(this::loop, "kubelet");
        thread.setDaemon(true);
        thread.start();
    }

    /** The Jobs run so far, as they were created. */
    List<Job> ran() {
        return List.copyOf(ran);
    }

    private void loop() {
        while (running) {
            try {
                for (Job job : client.batch().v1().jobs().inNamespace(namespace).list().getItems()) {
                    if (seen.add(job.getMetadata().getName())) {
                        run(job);
                    }
                }
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (Throwable e) {
                if (running) {
                    failure = e;
                }
                return;
            }
        }
    }

    private void run(Job job) {
        String name = job.getMetadata().getName();
        String pod = name + "-x7k";
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(pod)
                .withNamespace(namespace).addToLabels("job-name", name).endMetadata().build()).create();
        List<String> args = new ArrayList<>(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs());
        if (!args.get(0).equals("optimize")) {
            throw new AssertionError("a research Job runs glia optimize, not " + args);
        }
        args.set(args.indexOf("--out") + 1, work.resolve(name).toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        PrintStream log = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit;
        System.setOut(log);
        System.setErr(log);
        try {
            exit = new CommandLine(new OptimizeCommand()).execute(args.subList(1, args.size()).toArray(String[]::new));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        String path = "/api/v1/namespaces/" + namespace + "/pods/" + pod + "/log?pretty=false&container="
                + ResearchJob.CONTAINER;
        server.expect().get().withPath(path).andReturn(200, text).always();
        List<String> lines = text.lines().toList();
        server.expect().get().withPath(path + "&tailLines=" + ResearchJob.PROGRESS_TAIL_LINES).andReturn(200,
                String.join("\n", lines.subList(Math.max(0, lines.size() - ResearchJob.PROGRESS_TAIL_LINES),
                        lines.size())) + "\n").always();
        job.setStatus(exit == 0 ? new JobStatusBuilder().withSucceeded(1).build() : new JobStatusBuilder()
                .withFailed(1).addNewCondition().withType("Failed").withStatus("True").withReason("BackoffLimitExceeded")
                .withMessage("Job has reached the specified backoff limit").endCondition().build());
        client.batch().v1().jobs().inNamespace(namespace).resource(job).updateStatus();
        ran.add(job);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(120_000);
        if (failure != null) {
            throw new AssertionError("the kubelet failed", failure);
        }
    }
}
