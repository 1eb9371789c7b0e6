package dev.glia.metrics.fit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The engines as {@code vllm:cache_config_info} describes them, one series per engine: their count, KV blocks
 * (the smallest engine's, so the scenario never promises more than the tightest engine has) and block size.
 *
 * @param count     engines that exported the series (0: none did)
 * @param numBlocks {@code num_gpu_blocks}, the smallest; null when unknown
 * @param blockSize {@code block_size}; null when unknown
 * @param notes     what was inconsistent or missing
 */
public record EngineFit(int count, Integer numBlocks, Integer blockSize, List<String> notes) {

    public static EngineFit of(List<Map<String, String>> cacheConfigs) {
        List<String> notes = new ArrayList<>();
        TreeSet<Integer> blocks = new TreeSet<>();
        TreeSet<Integer> sizes = new TreeSet<>();
        for (Map<String, String> labels : cacheConfigs) {
            integer(labels.get("num_gpu_blocks")).ifPresent(blocks::add);
            integer(labels.get("block_size")).ifPresent(sizes::add);
        }
        if (cacheConfigs.isEmpty()) {
            notes.add("no vllm:cache_config_info series: engine count, KV blocks and block size come from the options"
                    + " and the hardware profile");
        }
        if (blocks.size() > 1) {
            notes.add("engines differ in num_gpu_blocks " + blocks + ": the scenario uses the smallest");
        }
        if (sizes.size() > 1) {
            notes.add("engines differ in block_size " + sizes + ": the scenario uses the smallest");
        }
        return new EngineFit(cacheConfigs.size(), blocks.isEmpty() ? null : blocks.first(),
                sizes.isEmpty() ? null : sizes.first(), List.copyOf(notes));
    }

    private static java.util.Optional<Integer> integer(String s) {
        try {
            return s == null ? java.util.Optional.empty() : java.util.Optional.of((int) Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty(); // vLLM writes "None" before the cache is profiled
        }
    }
}
