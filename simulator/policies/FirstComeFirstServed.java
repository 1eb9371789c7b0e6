import dev.glia.policy.BatchPriority;
import dev.glia.policy.ClusterView;
import dev.glia.policy.RequestView;

/** Batch priority: vLLM's default, every request equal, so engines serve in arrival order. */
public class FirstComeFirstServed implements BatchPriority {
    @Override
    public int priority(RequestView request, ClusterView cluster) {
        return 0;
    }
}
