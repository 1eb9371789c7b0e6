package dev.glia.metrics.prometheus;

import dev.glia.metrics.Histogram;
import dev.glia.metrics.RouterHistograms;
import dev.glia.metrics.fit.Observations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * The PromQL that workload fitting sends (docs/fitting.md lists each with what it computes), and the
 * {@link Observations} it reads: the increase of the router's histograms over the window (vLLM's token
 * histograms when the router's are absent), the arrival rate over sub-windows, and the engines' cache
 * configuration at the window's end.
 */
public final class WorkloadQueries {
    public static final String GAPS = RouterHistograms.INTERARRIVAL;
    public static final String ROUTER_PROMPT = RouterHistograms.PROMPT_TOKENS;
    public static final String ROUTER_OUTPUT = RouterHistograms.OUTPUT_TOKENS;
    public static final String VLLM_PROMPT = "vllm:request_prompt_tokens";
    public static final String VLLM_OUTPUT = "vllm:request_generation_tokens";
    public static final String CACHE_CONFIG = "vllm:cache_config_info";

    private final PrometheusClient client;
    private final String routerMatchers;
    private final String engineMatchers;
    private final List<String> sent = new ArrayList<>();

    /**
     * {@code routerMatchers}, {@code engineMatchers}: label matchers that pick the router's and the engines'
     * series, as inside PromQL braces ({@code job="glia-router"}); empty for all.
     */
    public WorkloadQueries(PrometheusClient client, String routerMatchers, String engineMatchers) {
        this.client = client;
        this.routerMatchers = strip(routerMatchers);
        this.engineMatchers = strip(engineMatchers);
    }

    /** Every query sent so far, in order. */
    public List<String> sent() {
        return List.copyOf(sent);
    }

    public Observations observe(Instant end, Duration window) {
        String w = range(window);
        Histogram gaps = histogram(GAPS, routerMatchers, w, end);
        Histogram prompt = histogram(ROUTER_PROMPT, routerMatchers, w, end);
        String promptMetric = ROUTER_PROMPT;
        if (prompt.count().orElse(0) == 0) {
            prompt = histogram(VLLM_PROMPT, engineMatchers, w, end);
            promptMetric = VLLM_PROMPT;
        }
        Histogram output = histogram(ROUTER_OUTPUT, routerMatchers, w, end);
        String outputMetric = ROUTER_OUTPUT;
        if (output.count().orElse(0) == 0) {
            output = histogram(VLLM_OUTPUT, engineMatchers, w, end);
            outputMetric = VLLM_OUTPUT;
        }
        double windowRate = gaps.count().orElse(Double.NaN) / (window.toMillis() / 1000.0);

        // the rate over 10 sub-windows, every half sub-window: how steady the arrivals were
        Duration sub = window.dividedBy(10);
        List<Double> rates = new ArrayList<>();
        if (sub.toMillis() >= 1) {
            String q = "sum(rate(" + selector(GAPS + "_count", routerMatchers) + "[" + range(sub) + "]))";
            sent.add(q);
            Duration step = sub.dividedBy(2).isZero() ? sub : sub.dividedBy(2);
            for (PrometheusClient.Series s : client.range(q, end.minus(window).plus(sub), end, step)) {
                s.points().forEach(p -> rates.add(p.value()));
            }
        }

        String configs = selector(CACHE_CONFIG, engineMatchers);
        sent.add(configs);
        List<Map<String, String>> cacheConfigs = client.instant(configs, end).stream()
                .map(PrometheusClient.Sample::labels).toList();
        return new Observations(end, window, gaps, prompt, promptMetric, output, outputMetric, windowRate, rates,
                cacheConfigs);
    }

    /** The increase of a histogram over the window, summed over series by bucket, and of its sum. */
    private Histogram histogram(String name, String matchers, String window, Instant end) {
        String buckets = "sum by (le) (increase(" + selector(name + "_bucket", matchers) + "[" + window + "]))";
        String sum = "sum(increase(" + selector(name + "_sum", matchers) + "[" + window + "]))";
        sent.add(buckets);
        sent.add(sum);
        TreeMap<Double, Double> counts = new TreeMap<>();
        for (PrometheusClient.Sample s : client.instant(buckets, end)) {
            String le = s.label("le");
            if (le != null) {
                counts.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), s.value());
            }
        }
        List<PrometheusClient.Sample> total = client.instant(sum, end);
        Double inf = counts.get(Double.POSITIVE_INFINITY);
        return new Histogram(Map.of(), counts, total.isEmpty() ? OptionalDouble.empty()
                : OptionalDouble.of(total.get(0).value()), inf == null ? OptionalDouble.of(0) : OptionalDouble.of(inf));
    }

    static String selector(String name, String matchers) {
        return matchers.isEmpty() ? name : name + "{" + matchers + "}";
    }

    /** A PromQL duration: whole seconds, else milliseconds. */
    static String range(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static String strip(String matchers) {
        if (matchers == null) {
            return "";
        }
        String m = matchers.strip();
        if (m.startsWith("{") && m.endsWith("}")) {
            m = m.substring(1, m.length() - 1).strip();
        }
        return m;
    }
}
