package dev.glia.metrics;

import java.io.IOException;
import java.io.StringReader;
import java.util.Arrays;
import java.util.Locale;

/**
 * Parse time of a 1 MB vLLM V1-style scrape (many engines, the latency histograms with vLLM's buckets,
 * labels as vLLM writes them). Not a test: run it by hand, see BENCHMARKS.md.
 *
 * <pre>java -cp target/classes:target/test-classes dev.glia.metrics.ExpositionParserBenchmark</pre>
 */
public final class ExpositionParserBenchmark {

    private static final double[] LATENCY_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5,
        0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};

    public static void main(String[] args) throws IOException {
        String scrape = scrape(1 << 20);
        long lines = scrape.chars().filter(c -> c == '\n').count();
        Scrape parsed = parse(scrape);
        long samples = parsed.families().stream().mapToLong(f -> f.samples().size()).sum();

        long cold = time(scrape);
        for (int i = 0; i < 200; i++) {
            parse(scrape); // let the JIT compile the scanner
        }
        long[] warm = new long[50];
        for (int i = 0; i < warm.length; i++) {
            warm[i] = time(scrape);
        }
        Arrays.sort(warm);
        System.out.printf(Locale.ROOT, "%d bytes, %d lines, %d samples, %d families, %d engines%n",
                scrape.length(), lines, samples, parsed.families().size(), VllmMetrics.engines(parsed).size());
        System.out.printf(Locale.ROOT, "first parse (cold JVM): %.1f ms%n", cold / 1e6);
        System.out.printf(Locale.ROOT, "warm: median %.1f ms, p90 %.1f ms, max %.1f ms (%d runs)%n",
                warm[warm.length / 2] / 1e6, warm[warm.length * 9 / 10] / 1e6, warm[warm.length - 1] / 1e6,
                warm.length);
    }

    private static long time(String scrape) throws IOException {
        long start = System.nanoTime();
        parse(scrape);
        return System.nanoTime() - start;
    }

    private static Scrape parse(String text) throws IOException {
        return Scrape.parse(new StringReader(text), ExpositionFormat.PROMETHEUS_TEXT);
    }

    /** vLLM V1 metrics of as many engines as make the text reach {@code bytes}, grouped by family as vLLM writes them. */
    private static String scrape(int bytes) {
        int engines = bytes / scrapeOf(1).length();
        String text = scrapeOf(engines);
        while (text.length() < bytes) {
            text = scrapeOf(++engines);
        }
        return text;
    }

    private static String scrapeOf(int engines) {
        StringBuilder b = new StringBuilder();
        String model = "model_name=\"meta-llama/Llama-3.1-8B-Instruct\"";
        for (String g : new String[] {"vllm:num_requests_running", "vllm:num_requests_waiting",
            "vllm:kv_cache_usage_perc"}) {
            b.append("# HELP ").append(g).append(" A gauge.\n# TYPE ").append(g).append(" gauge\n");
            for (int e = 0; e < engines; e++) {
                b.append(g).append("{engine=\"").append(e).append("\",").append(model).append("} ")
                        .append(e * 0.37 % 7).append('\n');
            }
        }
        for (String c : new String[] {"vllm:num_preemptions", "vllm:prompt_tokens", "vllm:generation_tokens"}) {
            b.append("# HELP ").append(c).append("_total A counter.\n# TYPE ").append(c).append("_total counter\n");
            for (int e = 0; e < engines; e++) {
                b.append(c).append("_total{engine=\"").append(e).append("\",").append(model).append("} ")
                        .append(e * 1234.0).append('\n');
            }
            b.append("# HELP ").append(c).append("_created A counter.\n# TYPE ").append(c).append("_created gauge\n");
            for (int e = 0; e < engines; e++) {
                b.append(c).append("_created{engine=\"").append(e).append("\",").append(model)
                        .append("} 1.7769301736864786e+09\n");
            }
        }
        b.append("# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig\n");
        b.append("# TYPE vllm:cache_config_info gauge\n");
        for (int e = 0; e < engines; e++) {
            b.append("vllm:cache_config_info{block_size=\"16\",cache_dtype=\"auto\",engine=\"").append(e)
                    .append("\",num_gpu_blocks=\"81767\"} 1.0\n");
        }
        for (String h : new String[] {"vllm:time_to_first_token_seconds", "vllm:e2e_request_latency_seconds",
            "vllm:inter_token_latency_seconds"}) {
            b.append("# HELP ").append(h).append(" A histogram.\n# TYPE ").append(h).append(" histogram\n");
            for (int e = 0; e < engines; e++) {
                double cumulative = 0;
                for (double le : LATENCY_BUCKETS) {
                    cumulative += e % 5;
                    b.append(h).append("_bucket{engine=\"").append(e).append("\",le=\"").append(le).append("\",")
                            .append(model).append("} ").append(cumulative).append('\n');
                }
                b.append(h).append("_bucket{engine=\"").append(e).append("\",le=\"+Inf\",").append(model)
                        .append("} ").append(cumulative).append('\n');
                b.append(h).append("_count{engine=\"").append(e).append("\",").append(model).append("} ")
                        .append(cumulative).append('\n');
                b.append(h).append("_sum{engine=\"").append(e).append("\",").append(model).append("} ")
                        .append(cumulative * 0.123).append('\n');
            }
        }
        return b.toString();
    }

    private ExpositionParserBenchmark() {
    }
}
