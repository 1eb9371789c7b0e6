package dev.glia.router.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Label selectors as kubectl -l takes them, checked before the API server is asked. */
class SelectorTest {

    @Test
    void equalityRequirementsMatchAsKubernetesDoes() {
        Selector s = Selector.parse("app=vllm, tier==gpu,zone!=us-east-1a");

        assertThat(s.matches(Map.of("app", "vllm", "tier", "gpu"))).isTrue();
        assertThat(s.matches(Map.of("app", "vllm", "tier", "gpu", "zone", "eu-west-1b"))).isTrue();
        assertThat(s.matches(Map.of("app", "vllm", "tier", "gpu", "zone", "us-east-1a"))).isFalse();
        assertThat(s.matches(Map.of("app", "vllm"))).isFalse();
        assertThat(s.matches(null)).isFalse();
        assertThat(s.toString()).isEqualTo("app=vllm,tier=gpu,zone!=us-east-1a");
    }

    @Test
    void setAndExistenceRequirements() {
        Selector s = Selector.parse("app.kubernetes.io/name in (vllm, vllm-canary),role notin (draft),model,!paused");

        assertThat(s.matches(Map.of("app.kubernetes.io/name", "vllm-canary", "model", "llama"))).isTrue();
        assertThat(s.matches(Map.of("app.kubernetes.io/name", "vllm", "model", "llama", "role", "draft"))).isFalse();
        assertThat(s.matches(Map.of("app.kubernetes.io/name", "vllm"))).isFalse();
        assertThat(s.matches(Map.of("app.kubernetes.io/name", "vllm", "model", "x", "paused", "true"))).isFalse();
        assertThat(s.toString())
                .isEqualTo("app.kubernetes.io/name in (vllm,vllm-canary),role notin (draft),model,!paused");
    }

    @Test
    void malformedSelectorsSayWhatIsWrong() {
        assertThatThrownBy(() -> Selector.parse(" ")).hasMessageStartingWith("empty selector");
        assertThatThrownBy(() -> Selector.parse("app=vllm,")).hasMessageStartingWith("empty requirement");
        assertThatThrownBy(() -> Selector.parse("app=vl lm")).hasMessageStartingWith("bad label value \"vl lm\"");
        assertThatThrownBy(() -> Selector.parse("-app=vllm")).hasMessageStartingWith("bad label key \"-app\"");
        assertThatThrownBy(() -> Selector.parse("app in (a,b")).hasMessageStartingWith("unbalanced '('");
        assertThatThrownBy(() -> Selector.parse("app in ()")).hasMessageStartingWith("no values");
        assertThatThrownBy(() -> Selector.parse("app=" + "v".repeat(64))).hasMessageStartingWith("bad label value");
        assertThatThrownBy(() -> Selector.parse("!app=vllm")).hasMessageStartingWith("bad label key \"!app\"");
    }
}
