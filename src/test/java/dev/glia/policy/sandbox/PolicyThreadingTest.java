package dev.glia.policy.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.glia.policy.Dispatch;
import dev.glia.policy.Router;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * One thread at a time calls a policy instance (its gauge's counters are the instance's own
 * statics): a second thread entering during a call is refused; instances may change threads
 * between calls.
 */
class PolicyThreadingTest {
    /** A router that hands one decision to the host, which may take its time over it. */
    private static final String RELAY = """
            import dev.glia.policy.*;

            public class Relay implements Router {
                public void route(ClusterView c, Dispatch d) {
                    d.send(null, null);
                }
            }
            """;

    private final Router router = PolicySource.compileBundled("Relay.java", RELAY, Budget.DEFAULT).newRouter(Map.of());

    @Test
    void aSecondThreadCallingDuringACallIsRefusedAndTheFirstCallFinishesUnharmed() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Dispatch slow = (request, replica) -> {
            inside.countDown();
            await(release);
        };
        AtomicReference<Throwable> first = new AtomicReference<>();
        Thread thread = new Thread(() -> first.set(catchThrowable(() -> router.route(null, slow))));
        thread.start();
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

        Throwable second = catchThrowable(() -> router.route(null, (request, replica) -> { }));
        release.countDown();
        thread.join();

        assertThat(second).isInstanceOf(ConcurrentPolicyCall.class)
                .hasMessage("Relay.java was called by two threads at once; one thread at a time may call a policy"
                        + " instance");
        assertThat(first.get()).isNull();
    }

    @Test
    void anInstanceMovesBetweenThreadsBetweenCalls() throws Exception {
        int[] sends = {0};
        Dispatch count = (request, replica) -> sends[0]++;
        for (int i = 0; i < 4; i++) {
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread thread = new Thread(() -> outcome.set(catchThrowable(() -> router.route(null, count))));
            thread.start();
            thread.join();
            assertThat(outcome.get()).isNull();
        }

        assertThat(sends[0]).isEqualTo(4);
    }

    @Test
    void aCallFromInsideItsOwnCallIsThePolicysFailure() {
        Dispatch reenter = (request, replica) -> router.route(null, (r, p) -> { });

        assertThat(catchThrowable(() -> router.route(null, reenter))).isInstanceOf(PolicyError.class)
                .hasMessageContaining("Relay.java was called again from inside its own call");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
