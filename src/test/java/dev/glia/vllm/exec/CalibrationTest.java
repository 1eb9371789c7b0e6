package dev.glia.vllm.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fitted execution models reproduce the reference operator profiles (Vidur format, in
 * ../shared/data/profiles, read when present): per layer, the sum of the non-attention operators'
 * medians, from 1 to 4,096 tokens, within ±15%.
 */
class CalibrationTest {
    static final List<String> OPS = List.of("input_layernorm", "attn_pre_proj", "attn_rope", "attn_post_proj",
            "post_attention_layernorm", "mlp_up_proj", "mlp_act", "mlp_down_proj", "add");

    @ParameterizedTest(name = "{1}/{2} TP{3} reproduces {0}")
    @CsvSource({
            "a10_llama3_8b_mlp.csv, a10, llama-3-8b, 1",
            "a100_llama3_8b_mlp.csv, a100, llama-3-8b, 1",
            "a100_llama3_8b_mlp.csv, a100, llama-3-8b, 2",
            "a100_llama3_8b_mlp.csv, a100, llama-3-8b, 4",
            "h100_llama2_70b_mlp.csv, h100, llama-3-70b, 4",
            "h100_llama2_70b_mlp.csv, h100, llama-3-70b, 8",
    })
    void fittedNonAttentionTimeMatchesTheProfile(String file, String gpu, String model, int tp) throws IOException {
        Path csv = Path.of(System.getProperty("glia.shared.data", "../shared/data"), "profiles", file);
        assumeTrue(Files.isReadable(csv), "reference profiles not present: " + csv);
        LayerwiseExecutionModel fitted = Hardware.executionModel(gpu, model, tp, "bf16");
        List<String> lines = Files.readAllLines(csv);
        List<String> header = Arrays.asList(lines.get(0).split(","));
        int tokensCol = header.indexOf("num_tokens");
        int tpCol = header.indexOf("num_tensor_parallel_workers");
        List<Integer> cols = new ArrayList<>();
        for (String op : OPS) {
            cols.add(header.indexOf("time_stats." + op + ".median"));
        }
        int checked = 0;
        double worst = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            int tokens = Integer.parseInt(f[tokensCol]);
            if (Integer.parseInt(f[tpCol]) != tp || tokens > 4096) {
                continue;
            }
            double measured = 0;
            for (int c : cols) {
                measured += Double.parseDouble(f[c]);
            }
            double error = Math.abs(fitted.nonAttentionMs(tokens) / measured - 1);
            worst = Math.max(worst, error);
            assertThat(error).as("%s at %d tokens: fitted %.4f ms vs measured %.4f ms", file, tokens,
                    fitted.nonAttentionMs(tokens), measured).isLessThanOrEqualTo(0.15);
            checked++;
        }
        assertThat(checked).as("profile rows checked").isGreaterThan(100);
        assertThat(worst).isLessThan(0.15);
    }

    @ParameterizedTest(name = "{0}: {1} blocks")
    @CsvSource({"a10, 2240", "a100, 26000"})
    void kvCapacityFromMemoryIsWhatVllmReportsForLlama3_8b(String gpu, int expected) {
        int blocks = Hardware.kvBlocks(gpu, "llama-3-8b", 1, "bf16", 0.9, 16, 8192);
        assertThat((double) blocks).isCloseTo(expected, org.assertj.core.data.Percentage.withPercentage(10));
    }
}
