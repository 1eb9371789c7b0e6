#!/usr/bin/env python3
"""Derive request-length quantile tables for Glia's workload generator.

Usage:
    python3 tools/calibration/fit_lengths.py [DATA_DIR] [--out-dir DIR] [--samples N] [--seed S] [--dry-run]

DATA_DIR defaults to ../shared/data relative to the repository root (it must hold traces/*.csv,
see that folder's README.md). Each table is written to simulator/workloads/<name>.yaml. Only
derived figures (201 quantiles per length, summary statistics) are written; no trace rows.

How the simulator samples a table (reproduced exactly by sample_table/inflate below):
  * a table is N+1 = 201 quantiles q[0..N] at probabilities i/N;
  * u ~ U[0,1), x = u*N, i = floor(x), v = q[i] + (q[i+1]-q[i])*(x-i) (q[N] if i == N),
    value = max(1, round_half_up(v));
  * optional "Glia inflation knob", independently for prompt and output:
    with probability f the value becomes min(cap, value*factor);
  * prompt and output lengths are sampled independently.

Method:
  * Integer lengths are "de-tied": the m copies of value k are spread evenly over
    [k-0.5, k+0.5], which gives a continuous, strictly increasing empirical quantile
    function Q whose round-half-up reproduces the integer distribution. Plain tables are
    q[i] = Q(i/N), except q[N], which is set so that the last bin (top 0.5%) keeps the mean of
    the top 0.5% of the data (capped at max+0.4 so that rounding never exceeds the max).
  * sharegpt (the Glia trace) already contains the inflation (5% of prompts and 5% of outputs
    x10). Its table is the BASE distribution F, obtained by deconvolving the observed mixture
        F_obs(x) = (1-f) F(x) + f P(min(cap, factor*B) <= x)
    with the simulator's inflation model, i.e. F(x) = (F_obs(x) - f F(x/factor)) / (1-f) below
    the cap and (F_obs(x) - f) / (1-f) above it, solved decade by decade from small x upward
    on a 0.05-token grid; each decade is made monotone by isotonic regression (PAVA) and
    clipped to [0, 1].
  * Every table is validated by sampling (fixed seed) and comparing mean/p50/p90/p99.

Notes on the Glia ShareGPT trace (see pouyahmdn/vidur data/processed_traces/trace_gen.py):
  * its generator inflates the RAW prompt first, by k = min(10, 4096 // raw), and adds the 42
    system-prompt tokens afterwards (inflated prompt = k*raw + 42, max 4134, no mass at a cap;
    visible as an excess of prompts with (p - 42) % 10 == 0), while the simulator's knob
    inflates the whole value (42 included) and clips at 4096. The base prompt table here keeps
    the 42 tokens inside and is deconvolved under the SIMULATOR's rule, so the sampled
    marginal still matches the trace (KS distance < 0.01) but the split between "inflated"
    and "natural" prompts is the simulator's, and ~0.6% of sampled prompts sit at exactly
    4096 where the trace has a spread 3500..4134 instead.
  * outputs are inflated as min(4096, 10*d), exactly the simulator's rule; the base outputs
    stop at ~776 tokens (a pile-up at 767..770 is the original ChatGPT truncation), so nearly
    every output above ~800 in the trace is an inflated one.
  * The arrival process of the splitwise traces (rate, gap CV, lognormal and Gamma fits) is
    printed for reference; it is not written to the YAML files.
"""

import argparse
import csv
import math
import os
import sys

import numpy as np

N = 200                 # table has N+1 quantiles at probabilities i/N
DEFAULT_SEED = 20240917
DEFAULT_SAMPLES = 2_000_000
GRID_STEP = 0.05        # deconvolution grid (tokens)
TOLERANCE = 0.05        # validation: relative error allowed on mean/p50/p90/p99

GLIA_INFLATION = {"promptFraction": 0.05, "outputFraction": 0.05, "factor": 10, "cap": 4096}

# name, file, source repository, licence, description, deconvolve?
TABLES = [
    {
        "name": "sharegpt",
        # All six sharegpt_<rate>.csv files hold prefixes of ONE request sequence (same seed,
        # different lognormal time scaling, 300 s each); sharegpt_12.0.csv is the longest
        # prefix (3,973 requests, a superset of sharegpt_3.0.csv's 1,002).
        "file": "sharegpt_12.0.csv",
        "source": "pouyahmdn/vidur data/processed_traces, the Glia paper's Vidur fork",
        "licence": "MIT",
        "description": "Glia ShareGPT workload, first-round turns, Llama-3 tokenizer, prompts "
                       "include the 42 system-prompt tokens; BASE lengths before Glia inflation "
                       "(sample with 5% of prompts and 5% of outputs x10, cap 4096 to reproduce "
                       "the trace)",
        "method": "base distribution deconvolved from the trace's inflated mixture "
                  "(5%/5% x10 cap 4096), de-tied empirical quantiles",
        "inflation": GLIA_INFLATION,
        # printed for reference only: the 1,002-request prefix the Glia experiments at 3 req/s use
        "also_compare": ["sharegpt_3.0.csv"],
    },
    {
        "name": "splitwise-code",
        "file": "splitwise_code.csv",
        "source": "microsoft/vidur data/processed_traces, Azure LLM inference trace 2023",
        "licence": "MIT",
        "description": "Azure 2023 production coding trace (Splitwise), prefill-heavy "
                       "(prompt to output about 70 to 1); plain lengths, use with inflation off",
        "method": "de-tied empirical quantiles, no deconvolution",
        "inflation": None,
    },
    {
        "name": "splitwise-conv",
        "file": "splitwise_conv.csv",
        "source": "microsoft/vidur data/processed_traces, Azure LLM inference trace 2023",
        "licence": "MIT",
        "description": "Azure 2023 production conversation trace (Splitwise); plain lengths, "
                       "use with inflation off",
        "method": "de-tied empirical quantiles, no deconvolution",
        "inflation": None,
    },
    {
        "name": "arxiv",
        "file": "arxiv_summarization_stats_llama2_tokenizer_filtered_v2.csv",
        "source": "microsoft/vidur data/processed_traces",
        "licence": "MIT",
        "description": "arXiv summarization, Llama-2 tokenizer, long prompts up to 4k; plain "
                       "lengths, use with inflation off",
        "method": "de-tied empirical quantiles, no deconvolution",
        "inflation": None,
    },
    {
        "name": "sharegpt-multiturn",
        "file": "sharegpt_8k_filtered_stats_llama2_tokenizer.csv",
        "source": "microsoft/sarathi-serve",
        "licence": "MIT",
        "description": "multi-turn ShareGPT (conversation history in the prompt), Llama-2 "
                       "tokenizer, prompts up to 8k; plain lengths, use with inflation off",
        "method": "de-tied empirical quantiles, no deconvolution",
        "inflation": None,
    },
]

ARRIVAL_FILES = ["splitwise_code.csv", "splitwise_conv.csv"]


# ----------------------------------------------------------------------------- input

def read_columns(path, names):
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        cols = {n: [] for n in names}
        for row in reader:
            for n in names:
                cols[n].append(float(row[n]))
    return {n: np.asarray(v) for n, v in cols.items()}


def read_lengths(path):
    cols = read_columns(path, ["num_prefill_tokens", "num_decode_tokens"])
    p = cols["num_prefill_tokens"]
    d = cols["num_decode_tokens"]
    for a in (p, d):
        if np.any(a != np.round(a)) or np.any(a < 1):
            raise ValueError(f"{path}: lengths must be positive integers")
    return p.astype(np.int64), d.astype(np.int64)


# ----------------------------------------------------------------------------- empirical

class Empirical:
    """Continuous version of an integer sample: ties at k spread evenly over [k-0.5, k+0.5]."""

    def __init__(self, values):
        v = np.sort(np.asarray(values, dtype=np.int64))
        n = len(v)
        _, start, counts = np.unique(v, return_index=True, return_counts=True)
        j = np.arange(n) - np.repeat(start, counts)
        m = np.repeat(counts, counts)
        pts = v - 0.5 + (j + 0.5) / m
        self.min = int(v[0])
        self.max = int(v[-1])
        self.xs = np.concatenate(([v[0] - 0.5], pts, [v[-1] + 0.5]))
        self.ps = np.concatenate(([0.0], (np.arange(n) + 0.5) / n, [1.0]))

    def cdf(self, x):
        return np.interp(x, self.xs, self.ps)

    def quantile(self, p):
        return np.interp(p, self.ps, self.xs)


def plain_table(values):
    emp = Empirical(values)
    return make_table(emp.quantile, emp.max)


def make_table(quantile, vmax):
    """q[i] = Q(i/N); the top knot is chosen so that the last bin keeps the mean of the top
    1/N of the distribution (linear interpolation up to the sample max would overstate the
    mean of long-tailed lengths, e.g. by 9% for splitwise_code outputs); it is kept in
    [q[N-1], max + 0.4] so that rounding never exceeds the observed max."""
    q = quantile(np.arange(N + 1) / N)
    top_mean = float(np.mean(quantile(np.linspace(1 - 1 / N, 1, 20001))))
    q[N] = min(max(2 * top_mean - q[N - 1], q[N - 1]), math.floor(vmax + 0.5) + 0.4)
    return finish_table(q)


def finish_table(q):
    q = np.round(np.asarray(q, dtype=float), 1)
    q = np.maximum.accumulate(np.maximum(q, 0.5))
    return q


# ----------------------------------------------------------------------------- deconvolution

def pava(y):
    """Non-decreasing least-squares fit (pool adjacent violators), equal weights."""
    vals, wts, lens = [], [], []
    for v in y:
        vals.append(float(v))
        wts.append(1.0)
        lens.append(1)
        while len(vals) > 1 and vals[-2] > vals[-1]:
            w = wts[-2] + wts[-1]
            v2 = (vals[-2] * wts[-2] + vals[-1] * wts[-1]) / w
            l2 = lens[-2] + lens[-1]
            vals.pop(); wts.pop(); lens.pop()
            vals[-1], wts[-1], lens[-1] = v2, w, l2
    return np.repeat(vals, lens)


def deconvolve(values, frac, factor, cap):
    """Base CDF F on a grid such that (1-frac)F + frac*law(min(cap, factor*B)) = observed."""
    emp = Empirical(values)
    top = max(emp.max + 0.5, cap + 0.5)
    x = np.arange(0.0, top + GRID_STEP, GRID_STEP)
    f_obs = emp.cdf(x)
    F = np.zeros_like(x)
    lo = 0.0
    hi = 0.5           # values are >= 1, so F = 0 below 0.5
    F[x < hi] = 0.0
    done = x < hi
    while not np.all(done):
        lo, hi = hi, hi * factor
        blk = (x >= lo) & (x < hi)
        xb = x[blk]
        # inflated values are integers factor*k (k = rounded base) or the cap; in the de-tied
        # picture P(factor*B <= x) ~ F(x/factor), and the capped mass sits on [cap-0.5, cap+0.5]
        f_inf = np.where(xb >= cap - 0.5, 1.0, np.interp(xb / factor, x[done], F[done]))
        raw = (f_obs[blk] - frac * f_inf) / (1.0 - frac)
        fit = np.clip(pava(raw), 0.0, 1.0)
        prev = F[done][-1]
        F[blk] = np.maximum(fit, prev)
        done = done | blk
    F = np.maximum.accumulate(np.clip(F, 0.0, 1.0))
    return x, F


def table_from_cdf(x, F):
    def quantile(p):
        p = np.atleast_1d(np.asarray(p, dtype=float))
        k = np.clip(np.searchsorted(F, p, side="left"), 1, len(x) - 1)
        f0, f1 = F[k - 1], F[k]
        t = np.where(f1 > f0, (p - f0) / np.where(f1 > f0, f1 - f0, 1.0), 0.0)
        out = x[k - 1] + t * (x[k] - x[k - 1])
        zero = np.nonzero(F <= 0.0)[0]
        out[p <= 0.0] = x[zero[-1]] if len(zero) else x[0]
        return out

    full = np.nonzero(F >= 1.0)[0]
    vmax = x[full[0]] if len(full) else x[-1]
    return make_table(quantile, vmax)


# ----------------------------------------------------------------------------- simulator model

def sample_table(q, n, rng):
    q = np.asarray(q, dtype=float)
    u = rng.random(n)
    xx = u * N
    i = np.floor(xx).astype(np.int64)
    top = i >= N
    i = np.minimum(i, N - 1)
    v = q[i] + (q[i + 1] - q[i]) * (xx - i)
    v = np.where(top, q[N], v)
    return np.maximum(1, np.floor(v + 0.5)).astype(np.int64)


def inflate(values, frac, factor, cap, rng):
    hit = rng.random(len(values)) < frac
    out = values.copy()
    out[hit] = np.minimum(cap, values[hit] * factor)
    return out


def summary(v):
    v = np.asarray(v, dtype=float)
    p50, p90, p99 = np.percentile(v, [50, 90, 99])
    return {"mean": float(v.mean()), "p50": float(p50), "p90": float(p90), "p99": float(p99)}


# ----------------------------------------------------------------------------- arrivals

def digamma(x):
    r = 0.0
    while x < 6.0:
        r -= 1.0 / x
        x += 1.0
    f = 1.0 / (x * x)
    return r + math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f / 240)))


def trigamma(x):
    r = 0.0
    while x < 6.0:
        r += 1.0 / (x * x)
        x += 1.0
    f = 1.0 / (x * x)
    return r + 1 / x + f / 2 + f / x * (1 / 6 - f * (1 / 30 - f / 42))


def gamma_mle_shape(g):
    s = math.log(g.mean()) - float(np.mean(np.log(g)))
    k = (3 - s + math.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s)
    for _ in range(50):
        step = (math.log(k) - digamma(k) - s) / (1 / k - trigamma(k))
        k = max(k - step, k / 10)
        if abs(step) < 1e-12 * k:
            break
    return k


def arrival_report(path):
    t = read_columns(path, ["arrived_at"])["arrived_at"]
    g = np.diff(t)
    g = g[g > 0]
    cv = float(g.std() / g.mean())
    k = gamma_mle_shape(g)
    return {
        "requests": len(t),
        "span_s": float(t[-1] - t[0]),
        "rate": (len(t) - 1) / float(t[-1] - t[0]),
        "gap_mean_s": float(g.mean()),
        "gap_cv": cv,
        "lognormal_sigma_mle": float(np.log(g).std()),
        "lognormal_sigma_moments": math.sqrt(math.log(1 + cv * cv)),
        "gamma_shape_mle": k,
        "gamma_cv_mle": 1 / math.sqrt(k),
        "zero_gaps": int(np.sum(np.diff(t) <= 0)),
    }


# ----------------------------------------------------------------------------- output

def fmt_num(v):
    if abs(v - round(v)) < 1e-9:
        return str(int(round(v)))
    return f"{v:.1f}"


def fmt_list(q, indent=4, per_line=20):
    items = [fmt_num(v) for v in q]
    lines = []
    for s in range(0, len(items), per_line):
        lines.append(" " * indent + ", ".join(items[s:s + per_line]))
    return "[\n" + ",\n".join(lines) + "\n" + " " * (indent - 2) + "]"


def fmt_stats(s):
    return "{" + ", ".join(f"{k}: {s[k]:.1f}" for k in ("mean", "p50", "p90", "p99")) + "}"


def yaml_text(spec, qp, qo, sp, so):
    infl = spec["inflation"]
    if infl:
        infl_txt = ("{promptFraction: %s, outputFraction: %s, factor: %s, cap: %s}"
                    % (infl["promptFraction"], infl["outputFraction"], infl["factor"], infl["cap"]))
    else:
        infl_txt = "none"
    return (
        f"# Derived by tools/calibration/fit_lengths.py from {spec['file']} ({spec['source']}, "
        f"{spec['licence']} licence). Method: {spec['method']}.\n"
        f"name: {spec['name']}\n"
        f"description: \"{spec['description']}\"\n"
        f"prompt:\n  quantiles: {fmt_list(qp)}\n"
        f"output:\n  quantiles: {fmt_list(qo)}\n"
        f"stats:  # what sampling this table reproduces (with the inflation settings stated)\n"
        f"  inflation: {infl_txt}\n"
        f"  prompt: {fmt_stats(sp)}\n"
        f"  output: {fmt_stats(so)}\n"
    )


# ----------------------------------------------------------------------------- main

def fit_one(spec, data_dir, samples, seed):
    path = os.path.join(data_dir, "traces", spec["file"])
    p, d = read_lengths(path)
    infl = spec["inflation"]
    if infl:
        xp, Fp = deconvolve(p, infl["promptFraction"], infl["factor"], infl["cap"])
        xo, Fo = deconvolve(d, infl["outputFraction"], infl["factor"], infl["cap"])
        qp, qo = table_from_cdf(xp, Fp), table_from_cdf(xo, Fo)
    else:
        qp, qo = plain_table(p), plain_table(d)
    rng = np.random.default_rng(seed)
    sp = sample_table(qp, samples, rng)
    so = sample_table(qo, samples, rng)
    if infl:
        sp = inflate(sp, infl["promptFraction"], infl["factor"], infl["cap"], rng)
        so = inflate(so, infl["outputFraction"], infl["factor"], infl["cap"], rng)
    result = {
        "trace": {"prompt": summary(p), "output": summary(d)},
        "sampled": {"prompt": summary(sp), "output": summary(so)},
        "n": len(p),
        "log_corr": float(np.corrcoef(np.log(p), np.log(d))[0, 1]),
        "max": {"prompt": (int(p.max()), int(sp.max())), "output": (int(d.max()), int(so.max()))},
    }
    for other in spec.get("also_compare", []):
        op, od = read_lengths(os.path.join(data_dir, "traces", other))
        result.setdefault("others", []).append(
            (other, len(op), {"prompt": summary(op), "output": summary(od)}))
    return qp, qo, result


def print_validation(name, res):
    print(f"\n{name}: {res['n']} trace rows, corr(log prompt, log output) = {res['log_corr']:.3f}")
    print(f"  {'':7s}{'stat':5s}{'trace':>10s}{'sampled':>10s}{'err':>8s}")
    ok = True
    for side in ("prompt", "output"):
        for k in ("mean", "p50", "p90", "p99"):
            a = res["trace"][side][k]
            b = res["sampled"][side][k]
            err = (b - a) / a
            flag = "" if abs(err) <= TOLERANCE else "  <-- outside +-5%"
            ok = ok and not flag
            print(f"  {side:7s}{k:5s}{a:10.1f}{b:10.1f}{100 * err:7.1f}%{flag}")
        print(f"  {side:7s}{'max':5s}{res['max'][side][0]:10d}{res['max'][side][1]:10d}")
    for other, n, st in res.get("others", []):
        print(f"  for reference, {other} ({n} rows): sampled vs its stats")
        for side in ("prompt", "output"):
            print(f"    {side:7s}" + "  ".join(
                f"{k} {st[side][k]:.1f}/{res['sampled'][side][k]:.1f} "
                f"({100 * (res['sampled'][side][k] / st[side][k] - 1):+.1f}%)"
                for k in ("mean", "p50", "p90", "p99")))
    return ok


def main(argv=None):
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir", nargs="?", default=os.path.join(repo, "..", "shared", "data"))
    ap.add_argument("--out-dir", default=os.path.join(repo, "simulator", "workloads"))
    ap.add_argument("--samples", type=int, default=DEFAULT_SAMPLES)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
    args = ap.parse_args(argv)

    all_ok = True
    for spec in TABLES:
        qp, qo, res = fit_one(spec, args.data_dir, args.samples, args.seed)
        all_ok &= print_validation(spec["name"], res)
        if not args.dry_run:
            os.makedirs(args.out_dir, exist_ok=True)
            out = os.path.join(args.out_dir, spec["name"] + ".yaml")
            with open(out, "w") as fh:
                fh.write(yaml_text(spec, qp, qo, res["sampled"]["prompt"], res["sampled"]["output"]))
            print(f"  wrote {os.path.relpath(out, repo)}")

    print("\narrival process (gaps between consecutive arrivals):")
    for f in ARRIVAL_FILES:
        a = arrival_report(os.path.join(args.data_dir, "traces", f))
        print(f"  {f}: {a['requests']} req over {a['span_s']:.0f} s, rate {a['rate']:.3f}/s, "
              f"gap mean {a['gap_mean_s']:.4f} s, gap CV {a['gap_cv']:.2f}, "
              f"lognormal sigma {a['lognormal_sigma_mle']:.3f} (MLE) / "
              f"{a['lognormal_sigma_moments']:.3f} (moments), "
              f"Gamma shape {a['gamma_shape_mle']:.4f} -> cv {a['gamma_cv_mle']:.2f} (MLE; "
              f"moment fit cv = gap CV), zero gaps {a['zero_gaps']}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
