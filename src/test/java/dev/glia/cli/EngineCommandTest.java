package dev.glia.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glia.engine.EngineOptions;
import dev.glia.engine.StallAfter;
import dev.glia.vllm.SchedulingPolicy;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `glia engine`'s flags: vLLM's names and defaults, the emulator's own, and errors that say what to change. */
class EngineCommandTest {

    private static EngineOptions parse(String... args) {
        EngineCommand command = new EngineCommand();
        new CommandLine(command).parseArgs(args);
        return command.options();
    }

    @Test
    void defaultsAreVllmsWhereVllmHasThem() {
        EngineOptions o = parse();

        assertThat(o.host()).isEqualTo("0.0.0.0");
        assertThat(o.port()).isEqualTo(8000);
        assertThat(o.servedModelName()).isEqualTo(o.model());
        assertThat(o.blockSize()).isEqualTo(16);
        assertThat(o.schedulingPolicy()).isEqualTo(SchedulingPolicy.FCFS);
        assertThat(o.enableChunkedPrefill()).isTrue();
        assertThat(o.numGpuBlocksOverride()).isNull();
        assertThat(o.timeScale()).isEqualTo(1);
        assertThat(o.replicas()).isEqualTo(1);
        assertThat(o.failAfter()).isNull();
        assertThat(o.stallAfter()).isNull();
        assertThat(o.slowStartSeconds()).isZero();
    }

    @Test
    void everyFlagReachesTheOptions() {
        EngineOptions o = parse("--host", "127.0.0.1", "--port", "9000", "--model", "meta-llama/Llama-3.1-70B-Instruct",
                "--served-model-name", "llama-70b", "--gpu", "A100", "--max-model-len", "4096", "--max-num-seqs", "64",
                "--max-num-batched-tokens", "4096", "--num-gpu-blocks-override", "1200", "--block-size", "32",
                "--scheduling-policy", "priority", "--enable-chunked-prefill=false", "--time-scale", "10",
                "--replicas", "3", "--output-lengths", "sharegpt", "--seed", "7", "--fail-after", "100",
                "--stall-after", "50:2.5", "--slow-start", "30");

        assertThat(o).isEqualTo(new EngineOptions("127.0.0.1", 9000, "meta-llama/Llama-3.1-70B-Instruct", "llama-70b",
                "A100", 4096, 64, 4096, 1200, 32, SchedulingPolicy.PRIORITY, false, 10, 3, "sharegpt", 7, 100,
                new StallAfter(50, 2.5), 30));
        assertThat(o.port(2)).isEqualTo(9002);
    }

    @Test
    void chunkedPrefillTakesVllmsSpellings() {
        assertThat(parse("--enable-chunked-prefill").enableChunkedPrefill()).isTrue();
        assertThat(parse("--enable-chunked-prefill=true").enableChunkedPrefill()).isTrue();
        assertThat(parse("--no-enable-chunked-prefill").enableChunkedPrefill()).isFalse();
    }

    @Test
    void invalidValuesAreRefusedNamingTheFlag() {
        assertThatThrownBy(() -> parse("--scheduling-policy", "lifo")).hasMessageContaining("--scheduling-policy must be fcfs or priority");
        assertThatThrownBy(() -> parse("--block-size", "12")).hasMessageContaining("--block-size must be one of");
        assertThatThrownBy(() -> parse("--time-scale", "0")).hasMessageContaining("--time-scale must be a positive number");
        assertThatThrownBy(() -> parse("--replicas", "0")).hasMessageContaining("--replicas must be at least 1");
        assertThatThrownBy(() -> parse("--port", "65535", "--replicas", "2")).hasMessageContaining("ports end at 65535");
        assertThatThrownBy(() -> parse("--stall-after", "5")).hasMessageContaining("--stall-after takes N:SECONDS");
        assertThatThrownBy(() -> parse("--stall-after", "5:soon")).hasMessageContaining("SECONDS a number");
        assertThatThrownBy(() -> parse("--stall-after", "0:5")).hasMessageContaining("N >= 1");
        assertThatThrownBy(() -> parse("--fail-after", "-1")).hasMessageContaining("--fail-after must be 0 or more");
        assertThatThrownBy(() -> parse("--slow-start", "-2")).hasMessageContaining("--slow-start must be 0 or more");
        assertThatThrownBy(() -> parse("--max-num-seqs", "512", "--max-num-batched-tokens", "256"))
                .hasMessageContaining("--max-num-batched-tokens (256) must be greater than or equal to --max-num-seqs (512)");
        assertThatThrownBy(() -> parse("--no-enable-chunked-prefill", "--max-model-len", "16384"))
                .hasMessageContaining("raise --max-num-batched-tokens, lower --max-model-len, or turn --enable-chunked-prefill on");
    }

    @Test
    void aGpuOrModelWithoutAnExecutionModelExitsWith2BeforeServing() {
        assertThat(new CommandLine(new EngineCommand()).execute("--port", "0", "--gpu", "tpu-v5")).isEqualTo(2);
        assertThat(new CommandLine(new EngineCommand()).execute("--port", "0", "--model", "gpt-2")).isEqualTo(2);
    }

    @Test
    void anInvalidFlagExitsWith2AndNoStackTrace() {
        int exit = new CommandLine(new EngineCommand()).execute("--block-size", "3");

        assertThat(exit).isEqualTo(2);
    }
}
