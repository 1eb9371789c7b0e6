package dev.glia.metrics.fit;

import dev.glia.metrics.Histogram;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What Prometheus (or any source of the same series) says about a window: the increase of each histogram over
 * it, the arrivals it counted, and the engines' cache configuration. Wall-clock seconds throughout.
 *
 * @param end            the window's end
 * @param window         its length
 * @param gaps           seconds between consecutive arrivals at the router
 * @param prompt         prompt tokens per request
 * @param promptMetric   the histogram {@code prompt} came from
 * @param output         output tokens per request
 * @param outputMetric   the histogram {@code output} came from
 * @param windowRate     arrivals per second over the whole window ({@code increase} / window); NaN if unknown
 * @param rateOverTime   the arrival rate over sub-windows (a range query), for how steady it was; may be empty
 * @param cacheConfigs   the label sets of {@code vllm:cache_config_info}, one per engine
 */
public record Observations(Instant end, Duration window, Histogram gaps, Histogram prompt, String promptMetric,
                           Histogram output, String outputMetric, double windowRate, List<Double> rateOverTime,
                           List<Map<String, String>> cacheConfigs) {
    public Observations {
        rateOverTime = List.copyOf(rateOverTime);
        cacheConfigs = List.copyOf(cacheConfigs);
    }
}
