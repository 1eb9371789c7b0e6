package dev.glia.router;

import dev.glia.catalog.PolicyDocument;
import dev.glia.policy.Router;
import dev.glia.router.discovery.EngineDiscovery;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code glia router}: an OpenAI-compatible proxy with a global queue in front of vLLM engines, on its own Vert.x
 * instance. See docs/router.md.
 */
public final class RouterServer implements AutoCloseable {
    private final Vertx vertx;
    private final RouterVerticle verticle;
    private final RouterMetrics metrics;

    private RouterServer(Vertx vertx, RouterVerticle verticle, RouterMetrics metrics) {
        this.vertx = vertx;
        this.verticle = verticle;
        this.metrics = metrics;
    }

    /** Runs a router object (tests, embedding), not hot-swappable by name. */
    public static RouterServer start(RouterOptions options, Router policy) {
        return start(options, LoadedPolicy.of("custom", policy));
    }

    /**
     * Listens on {@code options.port()} (0: any free port) and returns once it does. With {@code policy} null, the
     * policy comes from {@code options.policyFile()}.
     */
    public static RouterServer start(RouterOptions options, LoadedPolicy policy) {
        return start(options, policy, options.engineDiscovery());
    }

    /** The same with the engines from {@code discovery} rather than the one {@code options} names. */
    public static RouterServer start(RouterOptions options, LoadedPolicy policy, EngineDiscovery discovery) {
        String fromFile = null;
        if (policy == null) {
            if (options.policyFile() == null) {
                throw new IllegalArgumentException("give a policy (--router) or a --policy-file");
            }
            fromFile = PolicyFile.read(options.policyFile());
            policy = LoadedPolicy.load(PolicyDocument.parse(fromFile, options.policyFile().toString()));
        }
        RouterMetrics metrics = new RouterMetrics();
        RouterVerticle verticle = new RouterVerticle(options, policy, discovery, fromFile, metrics);
        Vertx vertx = Vertx.vertx();
        try {
            await(vertx.deployVerticle(verticle, new DeploymentOptions()).toCompletionStage().toCompletableFuture());
        } catch (RuntimeException e) {
            vertx.close();
            throw e;
        }
        return new RouterServer(vertx, verticle, metrics);
    }

    public int port() {
        return verticle.port();
    }

    /** The admin API's port; -1 when there is none. */
    public int adminPort() {
        return verticle.adminPort();
    }

    /** Requests that left the router with this outcome ({@code completed}, {@code queue_full}, ...). */
    public double requests(String outcome) {
        return metrics.count(outcome);
    }

    /** Policy calls that failed, over every pool. */
    public double policyFailures() {
        return metrics.policyFailures();
    }

    @Override
    public void close() {
        await(vertx.close().toCompletionStage().toCompletableFuture());
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the router did not start or stop within 30 s", e);
        }
    }
}
