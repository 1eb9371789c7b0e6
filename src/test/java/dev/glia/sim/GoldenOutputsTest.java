package dev.glia.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.glia.sim.engine.ClusterConfig;
import dev.glia.sim.scenario.Scenario;
import dev.glia.sim.scenario.ScenarioLoader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the bytes of {@code request_metrics.csv} for every bundled scenario, seeds 0 and 1. The hashes
 * were recorded before the engine model was extracted from the simulator: a refactoring that changes
 * one byte of one run fails here. A deliberate change of the model re-records them and says why in its
 * commit.
 */
class GoldenOutputsTest {

    /** A bundled scenario, its router or batch priority overridden where not null, and its two hashes. */
    record Case(String scenario, String router, String batchPriority, List<String> sha256) {
        @Override
        public String toString() {
            return scenario + (router != null ? " router=" + router : "")
                    + (batchPriority != null ? " batchPriority=" + batchPriority : "");
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("glia-sharegpt-a10", null, null, List.of(
                        "09e7219752fbe7f655df3b02306358175f1de6ae3c787228784ba6b4f1e422c6",
                        "8f5af212cb161f5c9ed321e198332ea26bd1a210115a191e590d42d757aadfdb")),
                new Case("glia-sharegpt-a10", "hra-spf", null, List.of(
                        "36a887cf207c8ec06d1c4564fc9e864f1cb2f3b91dbc868f62556d9e3758afc2",
                        "92475d8ad01ff7288db9404f9f72410a5876d58758308f7c6e9f2c2081a4e64b")),
                new Case("glia-sharegpt-a10", null, "spf", List.of(
                        "1cb36cf7befa4c5b7c0640809cd65e700db8eff8acb52eedf8580ee13c3b2ea5",
                        "35507dc387d09a567d74eea9d51c0cbc11659c4311da42cc226a67c2c6b436c8")),
                new Case("low-load", null, null, List.of(
                        "b58acf9e87983fe51d9f2cfc4fb7311e00d63dc7f44a9e17aaf98734fdfe3210",
                        "c385d7f7e8ac1cf4b4c1a1e8eb2a77c8a790a827d5bfb63af6eeb7f28bd0824f")),
                new Case("glia-prefill-heavy-h100", null, null, List.of(
                        "893ffee894928afa06481bfef71de805d5b9df8e6c5f3d27d30eff9fe4696972",
                        "bd9973c240118a8d6c37a0ef0b3686622f31e6457584bb0d8ac9e0b21170181e")),
                // the full two hours (~108,000 requests a seed) take about a second: no need to shorten them
                new Case("glia-sinusoid-autoscale", null, null, List.of(
                        "fa6cc14c151f35cdce75e26b8a2e1782685bd36824f4102d5c7313ac5ca80d87",
                        "cfc525444cd68843caefd1170f60d4ad9350136b4be49872fe6efd44d89a5315")))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void requestMetricsKeepEveryByte(Case c) {
        Scenario s = ScenarioLoader.override(ScenarioLoader.load(c.scenario()), null, null, c.router(),
                c.batchPriority(), null);
        Experiment experiment = new Experiment(s);
        Experiment.Policies policies = PolicySet.of(s, Map.of()).factories();
        ClusterConfig engine = experiment.engine();
        List<String> hashes = new ArrayList<>();
        for (int seed = 0; seed < 2; seed++) {
            Experiment.SeedRun run = experiment.runSeed(seed, policies);
            // what RunWriter writes as seed-<k>/request_metrics.csv
            String csv = RunWriter.requestMetrics(run.result(), engine.model(), engine.prefillChunk());
            hashes.add(sha256(csv));
        }
        assertThat(hashes).as("SHA-256 of request_metrics.csv, seeds 0 and 1, of %s", c).isEqualTo(c.sha256());
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
