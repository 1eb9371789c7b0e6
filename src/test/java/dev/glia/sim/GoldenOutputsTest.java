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
                        "2eb2887664b3b676d6a7873be4bfe03cc90895426c89caf3e79f8f1fbadfb085",
                        "51c0c895747a5c49b71fa92217dee07de8b4952d3a61066020f354ccc49c937a")),
                new Case("glia-sharegpt-a10", "hra-spf", null, List.of(
                        "f7917d62952721fead71001f21aff7e6541ef13d764e277650378c4582119b22",
                        "a4315008cb6c9cfe9fb571c53a792b57082680ef9a20a79161379ffbe40022b5")),
                new Case("glia-sharegpt-a10", null, "spf", List.of(
                        "373d9855a8d640fd6e541610ef08922429079670ea43e1a3d54be8bf14f93623",
                        "088b57bc04f2d561d4abbbb6ae9b4247ec41fb7b246d44a25744662c3bce4a4a")),
                new Case("low-load", null, null, List.of(
                        "74c7abc93e5e8ee949a29b090bcb13673883f0ca68df5cb4481f6e892c5419e7",
                        "c4b7c78c3e32120ca51af9488abd7bfbb970782d94530adf58ab9008cca5dd55")),
                new Case("glia-prefill-heavy-h100", null, null, List.of(
                        "09a99e237e70e7cc72ce8b2f25968de51dc3e082e497ccec20ca6d68e14b15e9",
                        "71349cfc0386473a98357804de906cfeac729c88eb3e72c76c3e06dc352f2a1b")),
                // the full two hours (~108,000 requests a seed) take about a second: no need to shorten them
                new Case("glia-sinusoid-autoscale", null, null, List.of(
                        "434aad7e89884fe0c32c1e5dc931739e2f132ba65dfbf6df09ff8f6b133c2e54",
                        "8020edf573d4771c9a0411eb76ceabcc96931fec862bf407aad90a5e14b9f2bd")))
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
