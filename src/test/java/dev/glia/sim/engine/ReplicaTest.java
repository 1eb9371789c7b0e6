package dev.glia.sim.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.vllm.exec.ExecutionModel;
import dev.glia.vllm.exec.LayerwiseExecutionModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** vLLM's engine-side semantics on one replica, stepped by hand. */
class ReplicaTest {
    static final ExecutionModel MODEL = new LayerwiseExecutionModel("test", 1, new int[] {1, 10000},
            new double[] {10, 20}, 0, 0, 0, 0, 0);

    private double now;
    private final List<Request> finished = new ArrayList<>();

    static Replica replica(int numBlocks, boolean priority, ReplicaScheduler scheduler) {
        Replica r = new Replica(0, numBlocks, 16, 128, priority, scheduler, MODEL, false, 0);
        r.phase = Replica.Phase.READY;
        return r;
    }

    private void step(Replica replica) {
        assertThat(replica.startBatch(now)).isTrue();
        now = replica.batchEnd;
        replica.endBatch(now, finished);
    }

    @Test
    void aDecodeThatFindsNoFreeBlockRestartsTheLatestArrivalWithEverythingSoFarAsItsPrompt() {
        Replica replica = replica(10, false, ReplicaScheduler.sarathi(8192));
        Request early = new Request(0, 0.0, 60, 200);
        Request late = new Request(1, 1.0, 60, 200);
        replica.enqueue(early);
        replica.enqueue(late);
        step(replica); // both prefill 60 tokens (4 blocks each) and produce their first token
        assertThat(replica.allocated).isEqualTo(8);
        assertThat(early.generated).isEqualTo(1);
        while (late.restarts == 0) {
            step(replica);
            assertThat(replica.allocated).isBetween(0, 10);
        }
        // the request that arrived later lost all its KV and returned to the waiting queue
        assertThat(replica.waiting.peek()).isSameAs(late);
        assertThat(late.state).isEqualTo(Request.State.WAITING);
        assertThat(late.blocks).isZero();
        assertThat(late.kv).isZero();
        int generated = late.generated;
        assertThat(generated).isGreaterThan(1);
        // P' = everything processed so far; D' = P + D − P'
        assertThat(late.prefillTarget).isEqualTo(60 + generated);
        assertThat(late.outputTokens - late.generated).isEqualTo(60 + 200 - late.prefillTarget);
        assertThat(late.wastedTokens).isEqualTo(60 + generated - 1);
        assertThat(early.restarts).isZero();
        assertThat(replica.allocated).isEqualTo(replica.blocksHeld());
    }

    @Test
    void aRestartedRequestFinishesWithItsOriginalOutputCountAndKeepsItsFirstTokenTime() {
        Replica replica = replica(10, false, ReplicaScheduler.sarathi(8192));
        Request early = new Request(0, 0.0, 60, 80);
        Request late = new Request(1, 0.5, 60, 80);
        replica.enqueue(early);
        replica.enqueue(late);
        step(replica);
        double firstToken = late.firstTokenAt;
        while (replica.hasWork()) {
            step(replica);
        }
        assertThat(finished).containsExactly(early, late);
        assertThat(late.restarts).isPositive();
        assertThat(late.generated).isEqualTo(80);
        assertThat(late.firstTokenAt).isEqualTo(firstToken);
        assertThat(replica.allocated).isZero();
    }

    @Test
    void preemptedRequestsGoBackToTheFrontOfAFirstComeFirstServedQueue() {
        Replica replica = replica(10, false, ReplicaScheduler.sarathi(8192));
        replica.enqueue(new Request(0, 0.0, 60, 300));
        Request victim = new Request(1, 1.0, 60, 300);
        replica.enqueue(victim);
        step(replica);
        Request newcomer = new Request(2, 2.0, 150, 10); // cannot be admitted: 10 blocks would not fit
        replica.enqueue(newcomer);
        while (victim.restarts == 0) {
            step(replica);
        }
        assertThat(replica.waiting).containsExactly(victim, newcomer);
    }

    @Test
    void priorityScheduling_ordersTheWaitingQueueByPriorityThenArrival() {
        Replica replica = replica(1000, true, ReplicaScheduler.sarathi(8192));
        Request a = new Request(0, 0.0, 10, 5);
        Request b = new Request(1, 1.0, 10, 5);
        Request c = new Request(2, 2.0, 10, 5);
        Request d = new Request(3, 3.0, 10, 5);
        a.priority = 2;
        b.priority = 1;
        c.priority = 1;
        d.priority = 0;
        for (Request r : List.of(a, b, c, d)) {
            replica.enqueue(r);
        }
        assertThat(replica.waiting).containsExactly(d, b, c, a);
    }

    @Test
    void priorityScheduling_preemptsTheLargestPriorityThenLatestArrival() {
        Replica replica = replica(12, true, ReplicaScheduler.sarathi(8192));
        Request urgentLate = new Request(0, 5.0, 60, 400);
        Request lazyEarly = new Request(1, 0.0, 60, 400);
        Request normal = new Request(2, 1.0, 10, 400);
        urgentLate.priority = 0;
        lazyEarly.priority = 9;
        normal.priority = 1;
        replica.enqueue(urgentLate);
        replica.enqueue(lazyEarly);
        replica.enqueue(normal);
        step(replica);
        while (urgentLate.restarts + lazyEarly.restarts + normal.restarts == 0) {
            step(replica);
        }
        assertThat(lazyEarly.restarts).isEqualTo(1);
        assertThat(urgentLate.restarts).isZero();
        assertThat(normal.restarts).isZero();
    }

    @Test
    void chunkedPrefill_splitsALongPromptOverIterationsAndEmitsTheFirstTokenWithTheLastChunk() {
        Replica replica = replica(1000, false, ReplicaScheduler.sarathi(512));
        Request r = new Request(0, 0.0, 1000, 3);
        replica.enqueue(r);
        step(replica);
        assertThat(r.prefilled).isEqualTo(512);
        assertThat(r.generated).isZero();
        assertThat(r.firstTokenAt).isNaN();
        step(replica);
        assertThat(r.prefilled).isEqualTo(1000);
        assertThat(r.generated).isEqualTo(1);
        assertThat(r.firstTokenAt).isEqualTo(now);
        step(replica);
        step(replica);
        // D output tokens take the prefill iteration plus D − 1 decode iterations
        assertThat(finished).containsExactly(r);
        assertThat(r.completedAt).isEqualTo(now);
    }

    @Test
    void chunkedPrefill_putsRunningDecodesFirstInTheTokenBudget() {
        Replica replica = replica(1000, false, ReplicaScheduler.sarathi(100));
        Request decoding = new Request(0, 0.0, 50, 100);
        replica.enqueue(decoding);
        step(replica);
        Request longPrompt = new Request(1, 1.0, 500, 10);
        replica.enqueue(longPrompt);
        replica.startBatch(now);
        assertThat(replica.batch.decodes).isEqualTo(1);
        assertThat(replica.batch.prefillTokens).isEqualTo(99);
    }

    @Test
    void admissionKeepsTheWatermarkOfFreeBlocks() {
        Replica replica = replica(200, false, ReplicaScheduler.sarathi(8192)); // watermark: 2 blocks
        Request fits = new Request(0, 0.0, 16 * 198, 5);
        Request tooBig = new Request(1, 0.0, 16 * 199, 5);
        replica.enqueue(fits);
        assertThat(replica.canAdmitHead()).isTrue();
        replica.waiting.poll();
        replica.enqueue(tooBig);
        assertThat(replica.canAdmitHead()).isFalse();
    }

    @Test
    void legacyScheduler_runsPrefillOnlyBatchesWithinThePaddedTokenBudget() {
        Replica replica = replica(1000, false, ReplicaScheduler.vllm(1000));
        replica.enqueue(new Request(0, 0.0, 300, 5));
        replica.enqueue(new Request(1, 0.1, 400, 5));
        replica.enqueue(new Request(2, 0.2, 100, 5));
        replica.startBatch(now);
        // 2 × max(300, 400) = 800 fits, 3 × 400 = 1200 does not
        assertThat(replica.batch.size).isEqualTo(2);
        assertThat(replica.batch.decodes).isZero();
        now = replica.batchEnd;
        replica.endBatch(now, finished);
        replica.startBatch(now);
        assertThat(replica.batch.size).isEqualTo(1);
        assertThat(replica.batch.prefills).isEqualTo(1);
        now = replica.batchEnd;
        replica.endBatch(now, finished);
        replica.startBatch(now);
        assertThat(replica.batch.decodes).isEqualTo(3);
    }
}
