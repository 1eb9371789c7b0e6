import dev.glia.policy.BatchPriority;
import dev.glia.policy.ClusterView;
import dev.glia.policy.RequestView;

/**
 * Batch priority: shorter prompts run sooner (vLLM priority = prompt tokens), the classic
 * shortest-job-first approximation inside each engine. Under vLLM's priority scheduling the
 * longest prompt is also the first preempted when memory runs out.
 */
public class ShortestPromptFirst implements BatchPriority {
    @Override
    public int priority(RequestView request, ClusterView cluster) {
        return request.promptTokens();
    }
}
