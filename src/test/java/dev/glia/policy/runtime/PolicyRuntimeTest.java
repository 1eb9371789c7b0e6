package dev.glia.policy.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.glia.policy.Autoscaler;
import dev.glia.policy.AutoscalerView;
import dev.glia.policy.BatchPriority;
import dev.glia.policy.Dispatch;
import dev.glia.policy.PolicyViolation;
import dev.glia.policy.ReplicaView;
import dev.glia.policy.RequestView;
import dev.glia.policy.Router;
import dev.glia.policy.runtime.FakeCluster.Sent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The policy runtime's contract, on the smallest cluster: what it checks, stamps, converts and falls back to. */
class PolicyRuntimeTest {
    private final FakeCluster cluster = new FakeCluster(3, 2);

    /** The simulator's mode: a failure is thrown as it is. */
    private PolicyRuntime<FakeCluster.Req, FakeCluster.Rep> stopping(Router router, BatchPriority priority,
                                                                      boolean priorityScheduling) {
        return new PolicyRuntime<>(cluster, cluster, router, priority, priorityScheduling, null,
                OnFailure.stop(failure -> failure));
    }

    private PolicyRuntime<FakeCluster.Req, FakeCluster.Rep> stopping(Router router) {
        return stopping(router, null, false);
    }

    private PolicyFailure failureOf(Router router) {
        return catchThrowableOfType(PolicyFailure.class, () -> stopping(router).route());
    }

    private static final Router SEND_ALL_TO_FIRST = (c, d) -> {
        for (int i = c.queue().size() - 1; i >= 0; i--) {
            d.send(c.queue().get(i), c.replicas().get(0));
        }
    };

    @Nested
    class EachSendIsChecked {
        @Test
        void aQueuedRequestSentToAnAcceptingReplicaIsAcceptedAndLeavesTheQueue() {
            stopping((c, d) -> d.send(c.queue().get(1), c.replicas().get(1))).route();

            assertThat(cluster.sent).containsExactly(new Sent(1, 1, 0));
            assertThat(cluster.queue).extracting(RequestView::id).containsExactly(0L, 2L);
        }

        @Test
        void aRequestThatIsNotOneOfTheClustersIsRefused() {
            RequestView stranger = new FakeCluster.Req(7);

            assertThat(failureOf((c, d) -> d.send(stranger, c.replicas().get(0))))
                    .hasMessage("router failed at t=1.500 s: PolicyViolation: sent a request that is not one of this"
                            + " cluster's: request 7");
        }

        @Test
        void aRequestSentTwiceInOneCallIsRefused() {
            assertThat(failureOf((c, d) -> {
                RequestView r = c.queue().get(0);
                d.send(r, c.replicas().get(0));
                d.send(r, c.replicas().get(1));
            })).hasMessageEndingWith("sent request 0 twice in one routing call");
        }

        @Test
        void aRequestNotInTheGlobalQueueIsRefused() {
            cluster.requests.get(2).state = FakeCluster.State.RUNNING;

            assertThat(failureOf((c, d) -> d.send(cluster.requests.get(2), c.replicas().get(0))))
                    .hasMessageEndingWith("sent request 2 which is not in the global queue (it is running)");
        }

        @Test
        void aReplicaThatIsNotOneOfTheClustersIsRefused() {
            ReplicaView stranger = new FakeCluster.Rep(9);

            assertThat(failureOf((c, d) -> d.send(c.queue().get(0), stranger)))
                    .hasMessageEndingWith("sent request 0 to an unknown replica: replica 9");
        }

        @Test
        void aDrainingReplicaIsRefused() {
            cluster.replicas.get(1).draining = true;

            assertThat(failureOf((c, d) -> d.send(c.queue().get(0), c.replicas().get(1))))
                    .hasMessageEndingWith("sent request 0 to replica 1 which is draining");
        }

        @Test
        void aRefusedSendCarriesNothingOut() {
            failureOf((c, d) -> d.send(c.queue().get(0), new FakeCluster.Rep(9)));

            assertThat(cluster.sent).isEmpty();
            assertThat(cluster.queue).hasSize(3);
        }
    }

    @Nested
    class SendsBelongToTheRoutersOwnCall {
        @Test
        void aDispatchKeptPastTheCallRefusesSends() {
            List<Dispatch> kept = new ArrayList<>();
            stopping((c, d) -> kept.add(d)).route();

            assertThat(catchThrowableOfType(PolicyViolation.class,
                    () -> kept.get(0).send(cluster.queue.get(0), cluster.replicas.get(0))))
                    .hasMessage("requests can be sent only by the router, during its call");
        }

        @Test
        void aBatchPriorityCannotSendAndFailsAsTheBatchPriority() {
            List<Dispatch> dispatch = new ArrayList<>();
            BatchPriority sneaky = (r, c) -> {
                dispatch.get(0).send(c.queue().get(2), c.replicas().get(0));
                return 0;
            };
            Router router = (c, d) -> {
                dispatch.add(d);
                d.send(c.queue().get(0), c.replicas().get(0));
            };

            PolicyFailure failure = catchThrowableOfType(PolicyFailure.class,
                    () -> stopping(router, sneaky, true).route());

            assertThat(failure.component()).isEqualTo("batch priority");
            assertThat(failure).hasMessageEndingWith("requests can be sent only by the router, during its call");
        }
    }

    @Nested
    class BatchPriorityStamping {
        @Test
        void underPrioritySchedulingEachSendCarriesTheBatchPrioritysNumber() {
            stopping(SEND_ALL_TO_FIRST, (r, c) -> r.promptTokens(), true).route();

            assertThat(cluster.sent).containsExactly(new Sent(2, 0, 300), new Sent(1, 0, 200), new Sent(0, 0, 100));
        }

        @Test
        void withoutPrioritySchedulingTheBatchPriorityIsNotAskedAndEveryPriorityIsZero() {
            BatchPriority mustNotRun = (r, c) -> {
                throw new AssertionError("asked without priority scheduling");
            };

            stopping(SEND_ALL_TO_FIRST, mustNotRun, false).route();

            assertThat(cluster.sent).extracting(Sent::priority).containsOnly(0);
        }

        @Test
        void aBatchPrioritysFailureUnwindsThroughARouterThatCatchesEverythingItMay() {
            Router swallowing = (c, d) -> {
                try {
                    d.send(c.queue().get(0), c.replicas().get(0));
                } catch (RuntimeException ignored) {
                    d.send(c.queue().get(1), c.replicas().get(0));
                }
            };
            BatchPriority failing = (r, c) -> {
                throw new IllegalStateException("no number for " + r.id());
            };

            PolicyFailure failure = catchThrowableOfType(PolicyFailure.class,
                    () -> stopping(swallowing, failing, true).route());

            assertThat(failure).hasMessage("batch priority failed at t=1.500 s: IllegalStateException: no number for 0");
            assertThat(cluster.sent).isEmpty();
        }
    }

    @Nested
    class FailuresBecomeOneTypeNamingTheComponentAndTheTime {
        @Test
        void anException() {
            PolicyFailure failure = failureOf((c, d) -> {
                throw new IllegalArgumentException("bad idea");
            });

            assertThat(failure.component()).isEqualTo("router");
            assertThat(failure.time()).isEqualTo(1.5);
            assertThat(failure).hasMessage("router failed at t=1.500 s: IllegalArgumentException: bad idea");
        }

        @Test
        void aStackOverflow() {
            assertThat(failureOf((c, d) -> {
                throw new StackOverflowError();
            })).hasMessage("router failed at t=1.500 s: StackOverflowError");
        }

        @Test
        void anAutoscalerThatThrows() {
            PolicyRuntime<?, ?> runtime = new PolicyRuntime<>(cluster, cluster, SEND_ALL_TO_FIRST, null, false,
                    view -> {
                        throw new ArithmeticException("/ by zero");
                    }, OnFailure.stop(failure -> failure));

            assertThat(catchThrowableOfType(PolicyFailure.class, () -> runtime.desiredReplicas(new Scaling(2))))
                    .hasMessage("autoscaler failed at t=3.000 s: ArithmeticException: / by zero");
        }

        @Test
        void anAutoscalerAskingForANegativeCount() {
            PolicyRuntime<?, ?> runtime = new PolicyRuntime<>(cluster, cluster, SEND_ALL_TO_FIRST, null, false,
                    view -> -3, OnFailure.stop(failure -> failure));

            assertThat(catchThrowableOfType(PolicyFailure.class, () -> runtime.desiredReplicas(new Scaling(2))))
                    .hasMessageEndingWith("asked for -3 replicas; a replica count cannot be negative");
        }

        @Test
        void theSimulatorsModeThrowsTheFailureAsItAsks() {
            class RunStopped extends RuntimeException {
                RunStopped(PolicyFailure f) {
                    super(f.getMessage());
                }
            }
            PolicyRuntime<?, ?> runtime = new PolicyRuntime<>(cluster, cluster, (c, d) -> {
                throw new IllegalStateException("boom");
            }, null, false, null, OnFailure.stop(RunStopped::new));

            assertThat(catchThrowableOfType(RunStopped.class, runtime::route))
                    .hasMessage("router failed at t=1.500 s: IllegalStateException: boom");
        }
    }

    @Nested
    class TheRoutersModeFallsBack {
        private final List<String> heard = new ArrayList<>();
        private final PolicyRuntime<FakeCluster.Req, FakeCluster.Rep> runtime = new PolicyRuntime<>(cluster, cluster,
                sendOne(1), null, false, null,
                OnFailure.fallBack((failure, to) -> heard.add(to + ": " + failure.getMessage())));

        /** Sends the head of the queue to replica {@code replica}. */
        private Router sendOne(int replica) {
            return (c, d) -> d.send(c.queue().get(0), c.replicas().get(replica));
        }

        private final Router failing = (c, d) -> {
            throw new IllegalStateException("broken");
        };

        @Test
        void aFailingRouterIsReplacedByTheLastGoodOneWhichServesTheSameCall() {
            runtime.route();
            runtime.install(failing);

            runtime.route();

            assertThat(heard).containsExactly("LAST_GOOD_ROUTER: router failed at t=1.500 s: IllegalStateException: broken");
            assertThat(cluster.sent).containsExactly(new Sent(0, 1, 0), new Sent(1, 1, 0));
        }

        @Test
        void whenTheLastGoodRouterFailsTooLlqTakesOver() {
            int[] calls = {0};
            Router goodOnce = (c, d) -> {
                if (calls[0]++ > 0) {
                    throw new IllegalStateException("tired");
                }
                d.send(c.queue().get(0), c.replicas().get(1));
            };
            PolicyRuntime<?, ?> runtime = new PolicyRuntime<>(cluster, cluster, goodOnce, null, false, null,
                    OnFailure.fallBack((failure, to) -> heard.add(to + ": " + failure.getMessage())));
            runtime.route();
            runtime.install(failing);

            runtime.route();

            assertThat(heard).containsExactly(
                    "LAST_GOOD_ROUTER: router failed at t=1.500 s: IllegalStateException: broken",
                    "LLQ: router failed at t=1.500 s: IllegalStateException: tired");
            assertThat(cluster.queue).as("LLQ sends every queued request").isEmpty();
        }

        @Test
        void aRouterThatNeverRoutedWellIsNotALastGoodOne() {
            runtime.install(failing);
            runtime.install(sendOne(0));
            runtime.install(failing);

            runtime.route();

            assertThat(heard).containsExactly("LLQ: router failed at t=1.500 s: IllegalStateException: broken");
        }

        @Test
        void whatAFailingRouterSentBeforeFailingStands() {
            runtime.install((c, d) -> {
                d.send(c.queue().get(2), c.replicas().get(1));
                d.send(c.queue().get(0), new FakeCluster.Rep(5));
            });

            runtime.route();

            assertThat(heard).singleElement().asString().startsWith("LLQ: ").endsWith("to an unknown replica: replica 5");
            assertThat(cluster.sent.get(0)).isEqualTo(new Sent(2, 1, 0));
            assertThat(cluster.queue).isEmpty();
        }

        @Test
        void aFailingBatchPriorityGivesWayToFcfsAndTheRouterCarriesOn() {
            PolicyRuntime<?, ?> runtime = new PolicyRuntime<>(cluster, cluster, SEND_ALL_TO_FIRST, (r, c) -> {
                throw new IllegalStateException("no");
            }, true, null, OnFailure.fallBack((failure, to) -> heard.add(to + ": " + failure.getMessage())));

            runtime.route();

            assertThat(heard).containsExactly("FCFS: batch priority failed at t=1.500 s: IllegalStateException: no");
            assertThat(cluster.sent).extracting(Sent::priority).containsExactly(0, 0, 0);
        }

        @Test
        void aFailingAutoscalerHoldsTheReplicaCount() {
            Autoscaler failing = view -> {
                throw new IllegalStateException("no");
            };
            PolicyRuntime<?, ?> runtime = new PolicyRuntime<>(cluster, cluster, SEND_ALL_TO_FIRST, null, false, failing,
                    OnFailure.fallBack((failure, to) -> heard.add(to + ": " + failure.getMessage())));

            assertThat(runtime.desiredReplicas(new Scaling(4))).isEqualTo(4);
            assertThat(runtime.desiredReplicas(new Scaling(4))).as("the failed autoscaler is not asked again").isEqualTo(4);
            assertThat(heard).containsExactly("HOLD: autoscaler failed at t=3.000 s: IllegalStateException: no");
        }
    }

    @Test
    void aRoutingCallThatSendsAndStampsAllocatesNothing() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        FakeCluster busy = new FakeCluster(1, 1);
        busy.recording = false;
        FakeCluster.Req request = busy.requests.get(0);
        Router sendHead = (c, d) -> d.send(c.queue().get(0), c.replicas().get(0));
        PolicyRuntime<?, ?> runtime = new PolicyRuntime<>(busy, busy, sendHead, (r, c) -> r.promptTokens(), true, null,
                OnFailure.stop(failure -> failure));
        Runnable routeAndRequeue = () -> {
            runtime.route();
            request.state = FakeCluster.State.QUEUED;
            busy.queue.add(request);
        };
        for (int i = 0; i < 200_000; i++) {
            routeAndRequeue.run();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            routeAndRequeue.run();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(allocated).as("bytes allocated by 100,000 routing calls").isLessThan(10_000);
        assertThat(request.priority).isEqualTo(100);
    }

    /** An autoscaler's view at t=3 s with {@code serving} ready replicas. */
    private record Scaling(int serving) implements AutoscalerView {
        @Override
        public double now() {
            return 3;
        }

        @Override
        public double interval() {
            return 1;
        }

        @Override
        public List<? extends ReplicaView> replicas() {
            List<ReplicaView> out = new ArrayList<>();
            for (int i = 0; i < serving; i++) {
                out.add(new FakeCluster.Rep(i));
            }
            return out;
        }

        @Override
        public int starting() {
            return 0;
        }

        @Override
        public int draining() {
            return 0;
        }

        @Override
        public int minReplicas() {
            return 1;
        }

        @Override
        public int maxReplicas() {
            return 8;
        }

        @Override
        public int queued() {
            return 0;
        }

        @Override
        public double arrivalRate() {
            return 0;
        }

        @Override
        public double decodeThroughput(ReplicaView replica) {
            return 0;
        }
    }
}
