package dev.glia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;

/** `glia load` as the packaged application runs it (the replay itself is specified in dev.glia.load). */
@QuarkusMainTest
class LoadCommandTest {

    @Test
    void aServerThatDoesNotAnswerIsOneClearErrorWithoutAStackTrace(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("load", "--scenario", "low-load", "--url", "http://127.0.0.1:1",
                "--requests", "1");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.getErrorOutput()).contains("error: cannot ask http://127.0.0.1:1 for its models")
                .contains("give --model").doesNotContain("\tat ");
    }

    @Test
    void badOptionsAreRefusedBeforeAnythingIsSent(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("load", "--scenario", "low-load", "--url", "localhost:8000");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.getErrorOutput()).contains("--url must be an http(s) URL");
    }
}
