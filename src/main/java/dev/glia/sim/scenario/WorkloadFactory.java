package dev.glia.sim.scenario;

import dev.glia.sim.engine.Workload;
import dev.glia.sim.scenario.Scenario.Distribution;
import dev.glia.sim.workload.ArrivalProcess;
import dev.glia.sim.workload.LengthSampler;
import dev.glia.sim.workload.LengthTables;
import dev.glia.sim.workload.TraceReader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Turns a scenario's workload section and a seed into the requests of one run. Arrivals, prompt
 * lengths and output lengths draw from separate streams, so changing one leaves the others alone.
 */
public final class WorkloadFactory {
    private WorkloadFactory() {
    }

    public static Workload build(Scenario scenario, long seed) {
        Scenario.WorkloadSpec w = scenario.workload();
        int maxModelLen = scenario.cluster().maxModelLen();
        SplittableRandom root = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0x5DEECE66DL);
        SplittableRandom arrivalRandom = root.split();
        SplittableRandom promptRandom = root.split();
        SplittableRandom outputRandom = root.split();
        Scenario.Inflation inflation = w.inflation();
        if (w.trace() != null) {
            return replay(w.trace(), scenario.duration(), maxModelLen, inflation, promptRandom);
        }
        LengthSampler prompt = side(w.lengths(), true);
        LengthSampler output = side(w.lengths(), false);
        if (inflation != null) {
            prompt = prompt.inflated(inflation.promptFraction(), inflation.factor(), inflation.cap());
            output = output.inflated(inflation.outputFraction(), inflation.factor(), inflation.cap());
        }
        Scenario.Arrivals a = w.arrivals();
        if ("closed-loop".equals(a.process())) {
            LengthSampler p = prompt;
            LengthSampler o = output;
            return new Workload.ClosedLoop(a.users(), a.thinkTime(), scenario.duration(), (random, into) -> {
                into[0] = p.sample(random);
                into[1] = o.sample(random);
                cap(into, maxModelLen);
            });
        }
        ArrivalProcess process = switch (a.process()) {
            case "poisson" -> ArrivalProcess.poisson(a.qps());
            case "lognormal" -> ArrivalProcess.lognormal(a.qps(), a.sigma());
            case "gamma" -> ArrivalProcess.gamma(a.qps(), a.cv());
            case "sinusoid" -> ArrivalProcess.sinusoid(a.minQps(), a.maxQps(), a.period());
            default -> throw new IllegalArgumentException("unknown arrival process " + a.process());
        };
        int capacity = 1024;
        double[] arrivals = new double[capacity];
        int[] prompts = new int[capacity];
        int[] outputs = new int[capacity];
        int[] pair = new int[2];
        int n = 0;
        double t = 0;
        while (true) {
            if (n > 0) {
                t = process.next(t, arrivalRandom);
            }
            if (t >= scenario.duration()) {
                break;
            }
            if (n == arrivals.length) {
                arrivals = Arrays.copyOf(arrivals, n * 2);
                prompts = Arrays.copyOf(prompts, n * 2);
                outputs = Arrays.copyOf(outputs, n * 2);
            }
            pair[0] = prompt.sample(promptRandom);
            pair[1] = output.sample(outputRandom);
            cap(pair, maxModelLen);
            arrivals[n] = t;
            prompts[n] = pair[0];
            outputs[n] = pair[1];
            n++;
        }
        return new Workload.OpenLoop(Arrays.copyOf(arrivals, n), Arrays.copyOf(prompts, n), Arrays.copyOf(outputs, n));
    }

    /** Trace replay, rescaled to {@code trace.qps} if given, cut at {@code duration}. */
    private static Workload replay(Scenario.Trace spec, double duration, int maxModelLen,
                                   Scenario.Inflation inflation, SplittableRandom random) {
        TraceReader.Trace trace = TraceReader.read(Path.of(spec.path()));
        double scale = spec.qps() == null ? 1 : trace.rate() / spec.qps();
        double start = trace.arrivals()[0];
        int n = 0;
        while (n < trace.size() && (trace.arrivals()[n] - start) * scale < duration) {
            n++;
        }
        double[] arrivals = new double[n];
        int[] prompts = new int[n];
        int[] outputs = new int[n];
        int[] pair = new int[2];
        for (int i = 0; i < n; i++) {
            arrivals[i] = (trace.arrivals()[i] - start) * scale;
            pair[0] = trace.prompts()[i];
            pair[1] = trace.outputs()[i];
            if (inflation != null) {
                pair[0] = inflate(pair[0], inflation.promptFraction(), inflation, random);
                pair[1] = inflate(pair[1], inflation.outputFraction(), inflation, random);
            }
            cap(pair, maxModelLen);
            prompts[i] = pair[0];
            outputs[i] = pair[1];
        }
        return new Workload.OpenLoop(arrivals, prompts, outputs);
    }

    /** The scaled span of a trace, for scenarios that replay all of it. */
    public static double traceSpan(Scenario.Trace spec) {
        TraceReader.Trace trace = TraceReader.read(Path.of(spec.path()));
        double scale = spec.qps() == null ? 1 : trace.rate() / spec.qps();
        return (trace.arrivals()[trace.size() - 1] - trace.arrivals()[0]) * scale;
    }

    private static int inflate(int v, double fraction, Scenario.Inflation inflation, SplittableRandom random) {
        return fraction > 0 && random.nextDouble() < fraction
                ? (int) Math.min(inflation.cap(), Math.round(v * inflation.factor())) : v;
    }

    /** vLLM's max_model_len: prompt plus output must fit. */
    static void cap(int[] pair, int maxModelLen) {
        pair[0] = Math.min(pair[0], maxModelLen - 1);
        pair[1] = Math.max(1, Math.min(pair[1], maxModelLen - pair[0]));
    }

    private static LengthSampler side(Scenario.Lengths lengths, boolean prompt) {
        if (lengths.table() != null) {
            LengthTables.Table t = LengthTables.get(lengths.table());
            return LengthSampler.empirical(prompt ? t.prompt() : t.output());
        }
        Distribution d = prompt ? lengths.prompt() : lengths.output();
        return switch (d.distribution()) {
            case "empirical" -> {
                LengthTables.Table t = LengthTables.get(d.table());
                yield LengthSampler.empirical(prompt ? t.prompt() : t.output());
            }
            case "lognormal" -> LengthSampler.lognormal(d.median(), d.sigma());
            case "fixed" -> LengthSampler.fixed(d.value());
            case "uniform" -> LengthSampler.uniform(d.min(), d.max());
            case "quantiles" -> LengthSampler.empirical(d.quantiles().stream().mapToDouble(Double::doubleValue).toArray());
            default -> throw new IllegalArgumentException("unknown distribution " + d.distribution());
        };
    }
}
