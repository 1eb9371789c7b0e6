package dev.glia.policy.sandbox;

import static dev.glia.policy.sandbox.HostilePolicyTest.SEND_ALL;
import static dev.glia.policy.sandbox.HostilePolicyTest.outcome;
import static dev.glia.policy.sandbox.HostilePolicyTest.router;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.glia.policy.runtime.PolicyFailure;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Work inside the JDK is paid for before it is done, in proportion to what it can cost. */
class JdkChargesTest {
    private static final Budget BUDGET = HostilePolicyTest.BUDGET;

    @Test
    void aCharSequenceThatReportsANegativeLengthBuysNoSteps() {
        String source = router("""
                static final class Refund implements CharSequence {
                    public int length() { return -1_000_000_000; }
                    public char charAt(int i) { return 'x'; }
                    public CharSequence subSequence(int a, int b) { return this; }
                    public String toString() { return "x"; }
                }

                public void route(ClusterView c, Dispatch d) {
                    Refund refund = new Refund();
                    long n = 0;
                    while (n >= 0) {
                        n += String.valueOf(refund).length();
                    }
                }""");

        Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> outcome(source, BUDGET));

        assertThat(thrown).isInstanceOf(PolicyFailure.class).hasMessageContaining("budget");
    }

    @Test
    void sortingManyReferencesToOneLongStringPaysForTheLongComparisons() {
        String source = router("""
                public void route(ClusterView c, Dispatch d) {
                    List<String> same = new ArrayList<>(Collections.nCopies(200_000, "x".repeat(1_000_000)));
                    Collections.sort(same);
                    %s
                }""".formatted(SEND_ALL));

        Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> outcome(source, Budget.DEFAULT));

        assertThat(thrown).isInstanceOf(PolicyFailure.class).hasMessageContaining("step budget exceeded");
    }

    @Test
    void scanningAnArrayIsWorkNotAllocation() {
        String source = router("""
                private final long[] table = new long[100_000];

                public void route(ClusterView c, Dispatch d) {
                    for (int i = 0; i < 50; i++) {
                        Arrays.fill(table, i);
                    }
                    %s
                }""".formatted(SEND_ALL));
        Budget fewCells = new Budget(20_000_000L, 200_000L, 1_000_000_000L);

        assertThat(outcome(source, fewCells)).as("a policy filling an array it holds, 50 times per call").isNull();
    }

    @Test
    void aPolicyWhoseEveryCallStaysInsideItsDeadlineStillEndsTheRunWithinTheRunBudget() {
        String source = router("""
                long sink;

                public void route(ClusterView c, Dispatch d) {
                    for (int i = 0; i < 3_000_000; i++) {
                        sink += i %% 7;
                    }
                    %s
                }""".formatted(SEND_ALL));
        Budget tightRun = new Budget(50_000_000L, 4_000_000L, 1_000_000_000L, Budget.DEFAULT_STACK_SLOTS, 200_000_000L);

        Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> outcome(source, tightRun));

        assertThat(thrown).isInstanceOf(PolicyFailure.class).hasMessageContaining("more than its run budget of 0.2 s");
    }

    @Test
    void aStreamOverAHugeRangeIsMeteredPerElement() {
        String source = router("""
                public void route(ClusterView c, Dispatch d) {
                    long sum = java.util.stream.IntStream.range(0, Integer.MAX_VALUE).asLongStream().sum();
                    %s
                }""".formatted(SEND_ALL));

        Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> outcome(source, BUDGET));

        assertThat(thrown).isInstanceOf(PolicyFailure.class).hasMessageContaining("step budget exceeded");
    }
}
