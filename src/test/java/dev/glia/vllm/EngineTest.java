package dev.glia.vllm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.vllm.exec.ExecutionModel;
import dev.glia.vllm.exec.LayerwiseExecutionModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** vLLM's engine-side semantics on one engine, stepped by hand. */
class EngineTest {
    static final ExecutionModel MODEL = new LayerwiseExecutionModel("test", 1, new int[] {1, 10000},
            new double[] {10, 20}, 0, 0, 0, 0, 0);

    private double now;
    private final List<EngineRequest> finished = new ArrayList<>();

    static Engine<EngineRequest> replica(int numBlocks, boolean priority, BatchFormation formation, int budget) {
        return new Engine<>(0, new EngineSettings(numBlocks, 16, 128, budget, formation,
                priority ? SchedulingPolicy.PRIORITY : SchedulingPolicy.FCFS, false), MODEL);
    }

    private void step(Engine<EngineRequest> replica) {
        assertThat(replica.startBatch(now)).isTrue();
        now = replica.batchEnd;
        replica.endBatch(now, finished);
    }

    @Test
    void aDecodeThatFindsNoFreeBlockRestartsTheLatestArrivalWithEverythingSoFarAsItsPrompt() {
        Engine<EngineRequest> replica = replica(10, false, BatchFormation.CHUNKED_PREFILL, 8192);
        EngineRequest early = new EngineRequest(0, 0.0, 60, 200);
        EngineRequest late = new EngineRequest(1, 1.0, 60, 200);
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
        assertThat(late.state).isEqualTo(EngineRequest.State.WAITING);
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
        Engine<EngineRequest> replica = replica(10, false, BatchFormation.CHUNKED_PREFILL, 8192);
        EngineRequest early = new EngineRequest(0, 0.0, 60, 80);
        EngineRequest late = new EngineRequest(1, 0.5, 60, 80);
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
        Engine<EngineRequest> replica = replica(10, false, BatchFormation.CHUNKED_PREFILL, 8192);
        replica.enqueue(new EngineRequest(0, 0.0, 60, 300));
        EngineRequest victim = new EngineRequest(1, 1.0, 60, 300);
        replica.enqueue(victim);
        step(replica);
        EngineRequest newcomer = new EngineRequest(2, 2.0, 150, 10); // cannot be admitted: 10 blocks would not fit
        replica.enqueue(newcomer);
        while (victim.restarts == 0) {
            step(replica);
        }
        assertThat(replica.waiting).containsExactly(victim, newcomer);
    }

    @Test
    void priorityScheduling_ordersTheWaitingQueueByPriorityThenArrival() {
        Engine<EngineRequest> replica = replica(1000, true, BatchFormation.CHUNKED_PREFILL, 8192);
        EngineRequest a = new EngineRequest(0, 0.0, 10, 5);
        EngineRequest b = new EngineRequest(1, 1.0, 10, 5);
        EngineRequest c = new EngineRequest(2, 2.0, 10, 5);
        EngineRequest d = new EngineRequest(3, 3.0, 10, 5);
        a.priority = 2;
        b.priority = 1;
        c.priority = 1;
        d.priority = 0;
        for (EngineRequest r : List.of(a, b, c, d)) {
            replica.enqueue(r);
        }
        assertThat(replica.waiting).containsExactly(d, b, c, a);
    }

    @Test
    void priorityScheduling_preemptsTheLargestPriorityThenLatestArrival() {
        Engine<EngineRequest> replica = replica(12, true, BatchFormation.CHUNKED_PREFILL, 8192);
        EngineRequest urgentLate = new EngineRequest(0, 5.0, 60, 400);
        EngineRequest lazyEarly = new EngineRequest(1, 0.0, 60, 400);
        EngineRequest normal = new EngineRequest(2, 1.0, 10, 400);
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
        Engine<EngineRequest> replica = replica(1000, false, BatchFormation.CHUNKED_PREFILL, 512);
        EngineRequest r = new EngineRequest(0, 0.0, 1000, 3);
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
        Engine<EngineRequest> replica = replica(1000, false, BatchFormation.CHUNKED_PREFILL, 100);
        EngineRequest decoding = new EngineRequest(0, 0.0, 50, 100);
        replica.enqueue(decoding);
        step(replica);
        EngineRequest longPrompt = new EngineRequest(1, 1.0, 500, 10);
        replica.enqueue(longPrompt);
        replica.startBatch(now);
        assertThat(replica.batch.decodes).isEqualTo(1);
        assertThat(replica.batch.prefillTokens).isEqualTo(99);
    }

    @Test
    void admissionKeepsTheWatermarkOfFreeBlocks() {
        Engine<EngineRequest> replica = replica(200, false, BatchFormation.CHUNKED_PREFILL, 8192); // watermark: 2 blocks
        EngineRequest fits = new EngineRequest(0, 0.0, 16 * 198, 5);
        EngineRequest tooBig = new EngineRequest(1, 0.0, 16 * 199, 5);
        replica.enqueue(fits);
        assertThat(replica.canAdmitHead()).isTrue();
        replica.waiting.poll();
        replica.enqueue(tooBig);
        assertThat(replica.canAdmitHead()).isFalse();
    }

    @Test
    void legacyScheduler_runsPrefillOnlyBatchesWithinThePaddedTokenBudget() {
        Engine<EngineRequest> replica = replica(1000, false, BatchFormation.PREFILL_FIRST, 1000);
        replica.enqueue(new EngineRequest(0, 0.0, 300, 5));
        replica.enqueue(new EngineRequest(1, 0.1, 400, 5));
        replica.enqueue(new EngineRequest(2, 0.2, 100, 5));
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

    @Test
    void anAbortedWaitingRequestLeavesTheQueue() {
        Engine<EngineRequest> engine = replica(1000, false, BatchFormation.CHUNKED_PREFILL, 8192);
        EngineRequest first = new EngineRequest(0, 0.0, 10, 5);
        EngineRequest gone = new EngineRequest(1, 0.1, 10, 5);
        EngineRequest last = new EngineRequest(2, 0.2, 10, 5);
        for (EngineRequest r : List.of(first, gone, last)) {
            engine.enqueue(r);
        }
        assertThat(engine.abort(gone)).isTrue();
        assertThat(engine.waiting()).containsExactly(first, last);
        assertThat(gone.state()).isEqualTo(EngineRequest.State.ABORTED);
    }

    @Test
    void anAbortedRunningRequestFreesItsBlocksAtTheNextStepBoundary() {
        Engine<EngineRequest> engine = replica(1000, false, BatchFormation.CHUNKED_PREFILL, 8192);
        EngineRequest stays = new EngineRequest(0, 0.0, 64, 50);
        EngineRequest gone = new EngineRequest(1, 0.0, 64, 50);
        engine.enqueue(stays);
        engine.enqueue(gone);
        step(engine);
        assertThat(engine.startBatch(now)).isTrue();
        // in the batch in flight: it cannot leave before the iteration ends
        assertThat(engine.abort(gone)).isFalse();
        now = engine.batchEnd();
        engine.endBatch(now, finished);
        int before = engine.allocatedBlocks();
        int held = gone.blocks();
        assertThat(held).isEqualTo(5); // 64 prompt tokens and 2 outputs, in blocks of 16
        assertThat(engine.abort(gone)).isTrue();
        assertThat(engine.running()).containsExactly(stays);
        assertThat(gone.blocks()).isZero();
        assertThat(engine.allocatedBlocks()).isEqualTo(before - held).isEqualTo(engine.blocksHeld());
        while (engine.hasWork()) {
            step(engine);
        }
        assertThat(finished).containsExactly(stays);
        assertThat(engine.allocatedBlocks()).isZero();
    }

    @Test
    void steppedOneIterationAtATimeEveryDecodeIterationEmitsOneTokenPerMember() {
        Engine<EngineRequest> engine = replica(1000, false, BatchFormation.CHUNKED_PREFILL, 8192);
        EngineRequest a = new EngineRequest(0, 0.0, 30, 20);
        EngineRequest b = new EngineRequest(1, 0.0, 40, 20);
        engine.enqueue(a);
        engine.enqueue(b);
        for (int iteration = 1; iteration <= 20; iteration++) {
            step(engine);
            assertThat(engine.iterations()).isEqualTo(1);
            assertThat(a.generated()).isEqualTo(iteration);
            assertThat(b.generated()).isEqualTo(iteration);
        }
        assertThat(finished).containsExactly(a, b);
    }
}
