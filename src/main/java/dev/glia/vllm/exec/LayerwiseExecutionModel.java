package dev.glia.vllm.exec;

import java.util.Arrays;

/**
 * Time of one engine iteration, Vidur-style: per transformer layer, the non-attention operators
 * at the batch's token count (a piecewise-linear table: weight-read floor at small batches,
 * FLOP-bound slope at large ones) plus attention, plus a fixed per-iteration overhead (LM head,
 * sampling, scheduler). Decode attention is linear in the KV tokens read, prefill attention in
 * chunk × (cached context + chunk / 2); linearity is what lets {@link #idealLatency} be exact
 * without stepping.
 */
public final class LayerwiseExecutionModel implements ExecutionModel {
    private final String description;
    private final int layers;
    private final int[] knotTokens;
    private final double[] knotMs;
    private final double decodeBaseMs;
    private final double decodeMsPerToken;
    private final double prefillBaseMs;
    private final double prefillMsPerWork;
    private final double overheadMs;

    public LayerwiseExecutionModel(String description, int layers, int[] knotTokens, double[] knotMs,
                          double decodeBaseMs, double decodeMsPerToken,
                          double prefillBaseMs, double prefillMsPerWork, double overheadMs) {
        if (knotTokens.length < 2 || knotTokens.length != knotMs.length) {
            throw new IllegalArgumentException("a non-attention table needs at least two knots of tokens and ms");
        }
        for (int i = 1; i < knotTokens.length; i++) {
            if (knotTokens[i] <= knotTokens[i - 1]) {
                throw new IllegalArgumentException("non-attention knots must be strictly increasing in tokens");
            }
        }
        this.description = description;
        this.layers = layers;
        this.knotTokens = knotTokens.clone();
        this.knotMs = knotMs.clone();
        this.decodeBaseMs = decodeBaseMs;
        this.decodeMsPerToken = decodeMsPerToken;
        this.prefillBaseMs = prefillBaseMs;
        this.prefillMsPerWork = prefillMsPerWork;
        this.overheadMs = overheadMs;
    }

    /** Non-attention operators of one layer at {@code tokens} tokens, in ms (linear beyond the table). */
    public double nonAttentionMs(int tokens) {
        int i = Arrays.binarySearch(knotTokens, tokens);
        if (i >= 0) {
            return knotMs[i];
        }
        int hi = Math.min(Math.max(-i - 1, 1), knotTokens.length - 1);
        int lo = hi - 1;
        double slope = (knotMs[hi] - knotMs[lo]) / (knotTokens[hi] - knotTokens[lo]);
        return Math.max(knotMs[0], knotMs[lo] + slope * (tokens - knotTokens[lo]));
    }

    @Override
    public double iterationSeconds(int tokens, int decodes, long decodeContext, int prefills, double prefillWork) {
        double perLayer = nonAttentionMs(tokens);
        if (decodes > 0) {
            perLayer += decodeBaseMs + decodeMsPerToken * decodeContext;
        }
        if (prefills > 0) {
            perLayer += prefillBaseMs + prefillMsPerWork * prefillWork;
        }
        return (layers * perLayer + overheadMs) * 1e-3;
    }

    @Override
    public double idealLatency(int prompt, int output, int chunk) {
        double seconds = 0;
        int done = 0;
        while (done < prompt) {
            int c = Math.min(chunk, prompt - done);
            seconds += iterationSeconds(c, 0, 0, 1, c * (done + c / 2.0));
            done += c;
        }
        int decodes = output - 1;
        if (decodes > 0) {
            // Σ over steps of the context read: prompt, prompt + 1, ..., prompt + decodes - 1
            double context = (double) decodes * prompt + (double) decodes * (decodes - 1) / 2.0;
            seconds += decodes * (layers * (nonAttentionMs(1) + decodeBaseMs) + overheadMs) * 1e-3
                    + layers * decodeMsPerToken * context * 1e-3;
        }
        return seconds;
    }

    @Override
    public String description() {
        return description;
    }

    public int layers() {
        return layers;
    }
}
