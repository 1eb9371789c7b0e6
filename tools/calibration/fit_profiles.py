#!/usr/bin/env python3
"""Fit Glia's per-layer non-attention execution-time tables from reference GPU profiles.

Usage:
    python3 tools/calibration/fit_profiles.py [SHARED_DATA_DIR]

SHARED_DATA_DIR defaults to ../shared/data relative to the repository root. It must contain
profiles/<gpu>_<model>_mlp.csv (Vidur-style operator profiles, see its README.md). The script
only reads them; what it writes is derived numbers only:

  simulator/hardware/profiles/<name>.yaml   one piecewise-linear table per execution profile
  simulator/hardware/roofline-fit.md        fitted efficiencies of the roofline fallback model

Output is deterministic (no randomness; fixed iteration counts; fixed rounding).

Method (per profile):
  * Each CSV row gives per-layer timings of the non-attention operators at `num_tokens` tokens and
    `num_tensor_parallel_workers`. The per-layer cost of a row is the sum of the `.median` of the nine
    per-layer operators (input_layernorm, attn_pre_proj, attn_rope, attn_post_proj,
    post_attention_layernorm, mlp_up_proj, mlp_act, mlp_down_proj, add). `emb` is excluded: the
    embedding lookup runs once per forward pass, not once per layer. This sum reproduces the figures
    quoted in the shared data README (e.g. A10 4096 tokens -> 28.55 ms, H100 Llama-2-70B 4096 -> 10.86).
  * The table is piecewise linear in tokens with knots at KNOTS (plus 8192/16384/32768 where the
    profile reaches them). Knot values are fitted jointly by a least-absolute-relative-deviation
    regression (IRLS) on the hat-function basis, constrained to be non-decreasing (knot increments
    >= 0, solved by NNLS). Each knot is influenced only by the rows of its two adjacent segments,
    so this is a local robust fit; single noisy rows cannot pull it far.
  * GEMM kernels are tile-quantised, so measured cost jumps at some token counts (e.g. A10 goes
    2.07 ms -> 3.03 ms between 256 and 264 tokens). Linear interpolation across such a cliff cannot be
    within tolerance on both sides. So (a) where the cost jumps by more than CLIFF right after a base
    knot >= 64, a knot is added at knot+1; (b) while any row is off by more than STOP, one more knot
    is inserted greedily at the worst row's cliff (last row before it + 1, the row, or the row + 1,
    whichever lowers the worst error most) and the fit is redone. The fit itself carries a penalty
    that keeps rows inside +-BAND where possible. Acceptance: every row within TOLERANCE.
  * Errors are reported for every CSV row of the profile (duplicates included) after rounding.
"""

import argparse
import csv
import math
import os
import sys

import numpy as np

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT_DIR = os.path.join(REPO_ROOT, "simulator", "hardware", "profiles")
ROOFLINE_MD = os.path.join(REPO_ROOT, "simulator", "hardware", "roofline-fit.md")

LAYER_OPS = [
    "input_layernorm", "attn_pre_proj", "attn_rope", "attn_post_proj", "post_attention_layernorm",
    "mlp_up_proj", "mlp_act", "mlp_down_proj", "add",
]
STAT = "median"
KNOTS = [1, 8, 16, 32, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096]
LARGE_KNOTS = [8192, 16384, 32768]
TOLERANCE = 0.10          # max relative error allowed at any profile row
BAND = 0.09               # band the fit aims for (margin below TOLERANCE)
CLIFF = 0.05              # relative jump after a base knot that gets a cliff knot at knot+1
STOP = 0.095              # add knots until every row is within this
MAX_EXTRA_KNOTS = 24
REPORT_TOKENS = [1, 128, 512, 1024, 2048, 4096]

SOURCE_REPO = {
    "a10_llama3_8b_mlp.csv": "pouyahmdn/vidur",
    "a100_llama3_8b_mlp.csv": "microsoft/vidur",
    "h100_llama2_7b_mlp.csv": "microsoft/vidur",
    "h100_llama2_70b_mlp.csv": "microsoft/vidur",
}


# --------------------------------------------------------------------------- model shapes

def layer_gemm_shapes(hidden, heads, kv_heads, head_dim, ffn):
    """Weight elements per layer of each linear operator (gated MLP)."""
    return {
        "attn_pre_proj": hidden * (heads + 2 * kv_heads) * head_dim,   # fused QKV
        "attn_post_proj": heads * head_dim * hidden,                  # O
        "mlp_up_proj": hidden * 2 * ffn,                              # fused gate+up
        "mlp_down_proj": ffn * hidden,
    }


LLAMA2_7B = layer_gemm_shapes(4096, 32, 32, 128, 11008)
LLAMA3_8B = layer_gemm_shapes(4096, 32, 8, 128, 14336)
LLAMA3_70B = layer_gemm_shapes(8192, 64, 8, 128, 28672)   # == Llama-2-70B layer shape

# Llama-3-8B / Llama-2-7B per operator. GEMMs scale with their weight (= FLOPs per token) ratio;
# mlp_act (SiLU(gate)*up over n x ffn elements) scales with the FFN width ratio; layernorms, rope
# and add work on hidden-sized tensors and are left unscaled.
H100_L3_8B_SCALE = {op: LLAMA3_8B[op] / LLAMA2_7B[op] for op in LLAMA2_7B}
H100_L3_8B_SCALE["mlp_act"] = 14336 / 11008
GEMM_RATIO_L3_8B_L2_7B = sum(LLAMA3_8B.values()) / sum(LLAMA2_7B.values())

PROFILES = [
    dict(name="a10-llama-3-8b", gpu="a10", model="llama-3-8b", tp=1, source="a10_llama3_8b_mlp.csv"),
    dict(name="a100-llama-3-8b", gpu="a100", model="llama-3-8b", tp=1, source="a100_llama3_8b_mlp.csv"),
    dict(name="a100-llama-3-8b-tp2", gpu="a100", model="llama-3-8b", tp=2, source="a100_llama3_8b_mlp.csv"),
    dict(name="a100-llama-3-8b-tp4", gpu="a100", model="llama-3-8b", tp=4, source="a100_llama3_8b_mlp.csv"),
    dict(name="a100-llama-3-8b-tp8", gpu="a100", model="llama-3-8b", tp=8, source="a100_llama3_8b_mlp.csv"),
    dict(name="h100-llama-3-8b", gpu="h100", model="llama-3-8b", tp=1, source="h100_llama2_7b_mlp.csv",
         scale=H100_L3_8B_SCALE),
    dict(name="h100-llama-3-70b-tp4", gpu="h100", model="llama-3-70b", tp=4, source="h100_llama2_70b_mlp.csv"),
    dict(name="h100-llama-3-70b-tp8", gpu="h100", model="llama-3-70b", tp=8, source="h100_llama2_70b_mlp.csv"),
]


# --------------------------------------------------------------------------- data

def load_rows(data_dir, source, tp, scale=None):
    """(num_tokens, per-layer ms) for every row of the given TP degree, sorted by tokens."""
    path = os.path.join(data_dir, "profiles", source)
    out = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if int(r["num_tensor_parallel_workers"]) != tp:
                continue
            total = 0.0
            for op in LAYER_OPS:
                v = float(r["time_stats.%s.%s" % (op, STAT)])
                total += v * (scale.get(op, 1.0) if scale else 1.0)
            out.append((int(r["num_tokens"]), total))
    out.sort()
    return out


# --------------------------------------------------------------------------- fitting

def hat_basis(x, knots):
    """Matrix B with f(x) = B @ values for the piecewise-linear interpolant (clamped outside)."""
    knots = np.asarray(knots, dtype=float)
    x = np.clip(np.asarray(x, dtype=float), knots[0], knots[-1])
    B = np.zeros((len(x), len(knots)))
    idx = np.clip(np.searchsorted(knots, x, side="right") - 1, 0, len(knots) - 2)
    t = (x - knots[idx]) / (knots[idx + 1] - knots[idx])
    rows = np.arange(len(x))
    B[rows, idx] += 1.0 - t
    B[rows, idx + 1] += t
    return B


def nnls(A, b, max_iter=2000):
    """Lawson-Hanson non-negative least squares: min ||A x - b|| s.t. x >= 0."""
    m, n = A.shape
    x = np.zeros(n)
    passive = np.zeros(n, dtype=bool)
    w = A.T @ (b - A @ x)
    tol = 1e-12 * max(1.0, np.abs(A).max()) * max(m, n)
    it = 0
    while (~passive).any() and w[~passive].max() > tol and it < max_iter:
        it += 1
        j = np.argmax(np.where(passive, -np.inf, w))
        passive[j] = True
        while True:
            s = np.zeros(n)
            s[passive] = np.linalg.lstsq(A[:, passive], b, rcond=None)[0]
            if s[passive].min() > 0:
                break
            mask = passive & (s <= 0)
            alpha = np.min(x[mask] / (x[mask] - s[mask]))
            x = x + alpha * (s - x)
            passive &= x > 1e-15
            x[~passive] = 0.0
        x = s
        w = A.T @ (b - A @ x)
    return x


def fit_monotone_l1(n, y, knots, iters=80, target=None, penalty=100.0):
    """Knot values minimising sum |f(n_i)/y_i - 1| subject to non-decreasing knot values.

    With `target` set, rows whose relative error exceeds it get an extra quadratic penalty
    penalty * (|r_i| - target)^2, which pulls every row inside the band when that is possible
    (iteratively reweighted least squares; each step is a non-negative least-squares solve on
    the knot increments, so the result is always monotone)."""
    B = hat_basis(n, knots)
    L = np.tril(np.ones((len(knots), len(knots))))     # values = L @ increments, increments >= 0
    M = (B @ L) / y[:, None]
    w = np.ones(len(y))
    d = nnls(M, np.ones(len(y)))
    for it in range(iters):
        penalty_it = penalty * 4.0 ** min(it // 10, 5)     # continuation: stiffen the band
        r = M @ d - 1.0
        w = 1.0 / np.maximum(np.abs(r), 0.002)
        A_rows, b_rows = [M * np.sqrt(w)[:, None]], [np.sqrt(w)]
        if target is not None:
            out = np.abs(r) > target
            if out.any():
                sp = math.sqrt(penalty_it)
                A_rows.append(M[out] * sp)
                b_rows.append(sp * (1.0 + np.sign(r[out]) * target))
        d = nnls(np.vstack(A_rows), np.concatenate(b_rows))
    return L @ d


def round_sig(v, sig=4):
    if v == 0:
        return 0.0
    return float("%.*g" % (sig, v))


def interp(table_tokens, table_ms, n):
    return np.interp(np.asarray(n, dtype=float), table_tokens, table_ms)


def rel_errors(knots, values, n, y):
    return np.abs(interp(knots, values, n) / y - 1.0)


def fit_profile(rows):
    n_all = np.array([r[0] for r in rows], dtype=float)
    y_all = np.array([r[1] for r in rows], dtype=float)
    # Duplicated token counts are averaged for the fit; errors are checked on every row.
    uniq = sorted(set(n_all))
    n_fit = np.array(uniq)
    y_fit = np.array([y_all[n_all == u].mean() for u in uniq])
    max_n = int(n_all.max())
    knots = [k for k in KNOTS + LARGE_KNOTS if k <= max_n]
    if knots[-1] != max_n:
        knots.append(max_n)

    # Cliff knots: where the measured cost jumps by more than CLIFF between a base knot's row and
    # the next row (a GEMM tile boundary), add a knot at knot+1 so the table is right on both sides.
    base = list(knots)
    for k in base:
        nxt = [u for u in uniq if u > k]
        if k >= 64 and k in uniq and nxt and nxt[0] - k <= 16:
            y0, y1 = y_fit[uniq.index(k)], y_fit[uniq.index(nxt[0])]
            if y1 > y0 * (1.0 + CLIFF) and k + 1 not in knots:
                knots.append(k + 1)
    knots.sort()
    cliffs = sorted(set(knots) - set(base))

    def solve(ks):
        vals = np.array([round_sig(v) for v in fit_monotone_l1(n_fit, y_fit, ks, target=BAND)])
        return vals, rel_errors(ks, vals, n_all, y_all)

    vals, err = solve(knots)
    extra = []
    while err.max() > STOP and len(extra) < MAX_EXTRA_KNOTS:
        i = int(np.argmax(err))
        ni = int(n_all[i])
        below = [int(u) for u in uniq if u < ni]
        cands = {ni, ni + 1}
        if below:
            cands.add(below[-1] + 1)
        cands = sorted(c for c in cands if c not in knots and 1 < c < max_n)
        if not cands:
            break
        best = None
        for c in cands:
            ks = sorted(knots + [c])
            v, e = solve(ks)
            key = (round(e.max(), 6), c)
            if best is None or key < best[0]:
                best = (key, c, ks, v, e)
        _, c, knots, vals, err = best
        extra.append(c)
    return dict(knots=knots, values=vals, extra=sorted(extra + cliffs), n=n_all, y=y_all, err=err)


# --------------------------------------------------------------------------- output

def fmt_num(v):
    s = "%.4g" % v
    if "e" in s:
        s = ("%.6f" % v).rstrip("0").rstrip(".")
    return s


def write_yaml(p, fit):
    src = p["source"]
    method = ("sum of per-layer op medians (emb excluded), monotone least-absolute-relative-deviation "
              "piecewise-linear fit")
    if fit["extra"]:
        method += ", extra knots at GEMM tile-quantisation steps"
    if p.get("scale"):
        method += ("; Llama-2-7B ops scaled to Llama-3-8B by weight ratio (qkv x%.4g, o x%.4g, mlp x%.4g, "
                   "act x%.4g; norms/rope/add unscaled)" % (
                       p["scale"]["attn_pre_proj"], p["scale"]["attn_post_proj"],
                       p["scale"]["mlp_up_proj"], p["scale"]["mlp_act"]))
    if p["model"] == "llama-3-70b":
        method += "; Llama-2-70B has the same layer shape as Llama-3-70B"
    lines = [
        "# Fitted by tools/calibration/fit_profiles.py from %s (%s, MIT). %s." % (src, SOURCE_REPO[src], method),
        "name: %s" % p["name"],
        "gpu: %s" % p["gpu"],
        "model: %s" % p["model"],
        "tensorParallel: %d" % p["tp"],
        "nonAttention:",
        "  # per transformer layer, milliseconds, piecewise-linear in the number of tokens in the batch",
        "  tokens: [%s]" % ", ".join(str(k) for k in fit["knots"]),
        "  ms: [%s]" % ", ".join(fmt_num(v) for v in fit["values"]),
        "fit:",
        "  source: %s" % src,
        "  rows: %d" % len(fit["y"]),
        "  maxRelativeError: %.3f" % fit["err"].max(),
        "  medianRelativeError: %.3f" % float(np.median(fit["err"])),
    ]
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, p["name"] + ".yaml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


# --------------------------------------------------------------------------- roofline fallback

GPUS = {  # dense bf16 FLOP/s, HBM bytes/s
    "a10": dict(label="A10", flops=125e12, bw=600e9),
    "a100": dict(label="A100-80GB", flops=312e12, bw=2039e9),
    "h100": dict(label="H100-SXM", flops=989e12, bw=3350e9),
}

ROOFLINE_FIT_SETS = [  # TP1 profiles used to fit the roofline efficiencies
    ("a10", "a10_llama3_8b_mlp.csv", LLAMA3_8B, "Llama-3-8B", None),
    ("a100", "a100_llama3_8b_mlp.csv", LLAMA3_8B, "Llama-3-8B", None),
    ("h100", "h100_llama2_7b_mlp.csv", LLAMA2_7B, "Llama-2-7B", None),
    ("h100", "h100_llama2_70b_mlp.csv", LLAMA3_70B, "Llama-2-70B", None),
]
ROOFLINE_CHECK_SETS = [  # (gpu, source, shapes, label, tp): checked with the compromise values
    ("a100", "a100_llama3_8b_mlp.csv", LLAMA3_8B, "Llama-3-8B", 2),
    ("a100", "a100_llama3_8b_mlp.csv", LLAMA3_8B, "Llama-3-8B", 4),
    ("a100", "a100_llama3_8b_mlp.csv", LLAMA3_8B, "Llama-3-8B", 8),
    ("h100", "h100_llama2_70b_mlp.csv", LLAMA3_70B, "Llama-2-70B", 4),
    ("h100", "h100_llama2_70b_mlp.csv", LLAMA3_70B, "Llama-2-70B", 8),
]
EFF_BW_GRID = np.round(np.arange(0.30, 1.0001, 0.01), 2)
EFF_FLOPS_GRID = np.round(np.arange(0.20, 1.0001, 0.01), 2)
CONST_GRID = np.round(np.arange(0.0, 0.2001, 0.005), 3)   # ms


def roofline_ms(params, tp, gpu, n, eff_bw, eff_flops, const_ms):
    """Per-layer ms: max(weight read, GEMM FLOPs) + constant. Arrays broadcast over the grids."""
    p = params / tp
    t_mem = 2.0 * p / (GPUS[gpu]["bw"] * eff_bw) * 1e3
    t_cmp = 2.0 * p * n / (GPUS[gpu]["flops"] * eff_flops) * 1e3
    return np.maximum(t_mem, t_cmp) + const_ms


def roofline_grid_error(datasets):
    """Mean |relative error| over rows (1..4096 tokens), per dataset, over the full grid."""
    ef = EFF_FLOPS_GRID[:, None, None]
    c = CONST_GRID[None, :, None]
    out = []
    for gpu, params, tp, n, y in datasets:
        e = np.empty((len(EFF_BW_GRID), len(EFF_FLOPS_GRID), len(CONST_GRID)))
        for i, eb in enumerate(EFF_BW_GRID):
            pred = roofline_ms(params, tp, gpu, n[None, None, :], eb, ef, c)
            e[i] = np.mean(np.abs(pred / y - 1.0), axis=-1)
        out.append(e)
    return out


def roofline_dataset(data_dir, gpu, source, shapes, tp):
    rows = [r for r in load_rows(data_dir, source, tp) if r[0] <= 4096]
    n = np.array([r[0] for r in rows], dtype=float)
    y = np.array([r[1] for r in rows], dtype=float)
    return (gpu, float(sum(shapes.values())), tp, n, y)


def fit_roofline(data_dir):
    fit_ds = [roofline_dataset(data_dir, g, s, sh, 1) for g, s, sh, _, _ in ROOFLINE_FIT_SETS]
    errs = roofline_grid_error(fit_ds)
    per = []
    for (gpu, src, _, label, _), ds, e in zip(ROOFLINE_FIT_SETS, fit_ds, errs):
        i, j, k = np.unravel_index(np.argmin(e), e.shape)
        per.append(dict(gpu=gpu, label=label, src=src, eff_bw=EFF_BW_GRID[i], eff_flops=EFF_FLOPS_GRID[j],
                        const=CONST_GRID[k], err=float(e[i, j, k]), ds=ds))
    # Per GPU: fit the GPU's datasets jointly (mean of their mean errors).
    per_gpu = {}
    for gpu in GPUS:
        es = [e for (g, *_), e in zip(ROOFLINE_FIT_SETS, errs) if g == gpu]
        tot = sum(es) / len(es)
        i, j, k = np.unravel_index(np.argmin(tot), tot.shape)
        per_gpu[gpu] = dict(eff_bw=EFF_BW_GRID[i], eff_flops=EFF_FLOPS_GRID[j], const=CONST_GRID[k],
                            err=float(tot[i, j, k]))
    # Same with the constant forced to 0 (effBW and the constant trade off against each other).
    for gpu in GPUS:
        es = [e[:, :, 0] for (g, *_), e in zip(ROOFLINE_FIT_SETS, errs) if g == gpu]
        tot = sum(es) / len(es)
        i, j = np.unravel_index(np.argmin(tot), tot.shape)
        per_gpu[gpu]["c0"] = dict(eff_bw=EFF_BW_GRID[i], eff_flops=EFF_FLOPS_GRID[j], err=float(tot[i, j]))
    # Compromise: minimise the worst per-GPU mean error.
    gpu_err = []
    for gpu in GPUS:
        es = [e for (g, *_), e in zip(ROOFLINE_FIT_SETS, errs) if g == gpu]
        gpu_err.append(sum(es) / len(es))
    worst = np.max(np.stack(gpu_err), axis=0)
    i, j, k = np.unravel_index(np.argmin(worst), worst.shape)
    comp = dict(eff_bw=EFF_BW_GRID[i], eff_flops=EFF_FLOPS_GRID[j], const=CONST_GRID[k])
    for d in per:
        d["comp_err"] = float(np.mean(np.abs(roofline_ms(d["ds"][1], 1, d["gpu"], d["ds"][3], comp["eff_bw"],
                                                         comp["eff_flops"], comp["const"]) / d["ds"][4] - 1)))
        d["own_gpu_err"] = float(np.mean(np.abs(roofline_ms(d["ds"][1], 1, d["gpu"], d["ds"][3],
                                                            per_gpu[d["gpu"]]["eff_bw"],
                                                            per_gpu[d["gpu"]]["eff_flops"],
                                                            per_gpu[d["gpu"]]["const"]) / d["ds"][4] - 1)))
    checks = []
    for gpu, src, sh, label, tp in ROOFLINE_CHECK_SETS:
        ds = roofline_dataset(data_dir, gpu, src, sh, tp)
        pg = per_gpu[gpu]
        e_gpu = float(np.mean(np.abs(roofline_ms(ds[1], tp, gpu, ds[3], pg["eff_bw"], pg["eff_flops"],
                                                 pg["const"]) / ds[4] - 1)))
        e_comp = float(np.mean(np.abs(roofline_ms(ds[1], tp, gpu, ds[3], comp["eff_bw"], comp["eff_flops"],
                                                  comp["const"]) / ds[4] - 1)))
        checks.append(dict(gpu=gpu, label=label, tp=tp, e_gpu=e_gpu, e_comp=e_comp))
    return per, per_gpu, comp, checks


def write_roofline_md(per, per_gpu, comp, checks):
    L = []
    L.append("# Roofline fallback: fitted efficiencies (non-attention part, per layer)")
    L.append("")
    L.append("Generated by `tools/calibration/fit_profiles.py` from the reference operator profiles "
             "(microsoft/vidur and pouyahmdn/vidur, MIT). Do not edit by hand; rerun the script.")
    L.append("")
    L.append("Model, per transformer layer, for a batch of `n` tokens at tensor-parallel degree `tp`:")
    L.append("")
    L.append("    t(n) = max( weightBytes / (bandwidth * effBW),  2 * params * n / (peakFlops * effFlops) ) + constant")
    L.append("")
    L.append("`params` = linear-layer weights of one layer / tp (QKV + O + gate/up + down; bf16, so "
             "weightBytes = 2 * params). Llama-3-8B: %.1f M, Llama-2-7B: %.1f M, Llama-3-70B (= Llama-2-70B "
             "layer shape): %.1f M. The measured time is the sum of the per-layer operator medians "
             "(emb excluded), so `constant` and the efficiencies absorb the layernorm / rope / activation / "
             "residual-add kernels." % (sum(LLAMA3_8B.values()) / 1e6, sum(LLAMA2_7B.values()) / 1e6,
                                       sum(LLAMA3_70B.values()) / 1e6))
    L.append("")
    L.append("GPU specs: A10 125 TFLOP/s bf16 dense, 600 GB/s; A100-80GB 312 TFLOP/s, 2039 GB/s; "
             "H100-SXM 989 TFLOP/s, 3350 GB/s.")
    L.append("")
    L.append("Method: grid search (effBW step 0.01, effFlops step 0.01, constant step 0.005 ms) minimising "
             "the mean absolute relative error over all TP1 profile rows with 1..4096 tokens. "
             "Per GPU, its profiles are fitted jointly; the compromise set minimises the worst per-GPU error.")
    L.append("")
    L.append("## Per GPU")
    L.append("")
    L.append("| GPU | profiles (TP1) | effBW | effFlops | constant (ms) | mean abs rel. error |")
    L.append("|---|---|---|---|---|---|")
    for gpu, g in per_gpu.items():
        labels = ", ".join(d["label"] for d in per if d["gpu"] == gpu)
        L.append("| %s | %s | %.2f | %.2f | %.3f | %.1f%% |" % (GPUS[gpu]["label"], labels, g["eff_bw"],
                                                          g["eff_flops"], g["const"], 100 * g["err"]))
    L.append("")
    L.append("effBW and the constant trade off against each other (both set the small-batch cost). With the "
             "constant forced to 0:")
    L.append("")
    L.append("| GPU | effBW | effFlops | constant (ms) | mean abs rel. error |")
    L.append("|---|---|---|---|---|")
    for gpu, g in per_gpu.items():
        L.append("| %s | %.2f | %.2f | 0 | %.1f%% |" % (GPUS[gpu]["label"], g["c0"]["eff_bw"], g["c0"]["eff_flops"],
                                                    100 * g["c0"]["err"]))
    L.append("")
    L.append("Per single profile (own best fit):")
    L.append("")
    L.append("| GPU | model | effBW | effFlops | constant (ms) | mean abs rel. error |")
    L.append("|---|---|---|---|---|---|")
    for d in per:
        L.append("| %s | %s | %.2f | %.2f | %.3f | %.1f%% |" % (GPUS[d["gpu"]]["label"], d["label"], d["eff_bw"],
                                                          d["eff_flops"], d["const"], 100 * d["err"]))
    L.append("")
    L.append("## Compromise (one set for all GPUs)")
    L.append("")
    L.append("**effBW = %.2f, effFlops = %.2f, constant = %.3f ms**" % (comp["eff_bw"], comp["eff_flops"],
                                                                      comp["const"]))
    L.append("")
    L.append("| GPU | model | TP | error with per-GPU set | error with compromise set |")
    L.append("|---|---|---|---|---|")
    for d in per:
        L.append("| %s | %s | 1 | %.1f%% | %.1f%% |" % (GPUS[d["gpu"]]["label"], d["label"],
                                                     100 * d["own_gpu_err"], 100 * d["comp_err"]))
    for c in checks:
        L.append("| %s | %s | %d | %.1f%% | %.1f%% |" % (GPUS[c["gpu"]]["label"], c["label"], c["tp"],
                                                     100 * c["e_gpu"], 100 * c["e_comp"]))
    L.append("")
    L.append("TP>1 rows were not used for fitting (they check how the model transfers when weights are "
             "sharded; the operator profiles exclude all-reduce time). The roofline ignores the tile-"
             "quantisation steps of the measured curves, so prefer the fitted tables in `profiles/` "
             "wherever one exists.")
    L.append("")
    with open(ROOFLINE_MD, "w") as f:
        f.write("\n".join(L))
    return ROOFLINE_MD


# --------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir", nargs="?", default=os.path.join(REPO_ROOT, "..", "shared", "data"),
                    help="shared data directory (default: ../shared/data relative to the repo root)")
    args = ap.parse_args()
    data_dir = os.path.abspath(args.data_dir)
    if not os.path.isdir(os.path.join(data_dir, "profiles")):
        sys.exit("no profiles/ directory under %s" % data_dir)

    print("Llama-3-8B / Llama-2-7B per-layer linear weights (= FLOPs per token): %d / %d = %.4f"
          % (sum(LLAMA3_8B.values()), sum(LLAMA2_7B.values()), GEMM_RATIO_L3_8B_L2_7B))
    print("per-op scale for h100-llama-3-8b: " +
          ", ".join("%s x%.4f" % (k, v) for k, v in sorted(H100_L3_8B_SCALE.items())))
    print()
    hdr = "%-22s %5s %7s %7s %7s  %-24s " % ("profile", "rows", "maxErr", "medErr", "max<=4k", "extra knots")
    print(hdr + " ".join("%8s" % ("@%d" % t) for t in REPORT_TOKENS))
    for p in PROFILES:
        rows = load_rows(data_dir, p["source"], p["tp"], p.get("scale"))
        if not rows:
            print("%-22s (no rows for TP%d, skipped)" % (p["name"], p["tp"]))
            continue
        fit = fit_profile(rows)
        path = write_yaml(p, fit)
        small = fit["n"] <= 4096
        at = interp(fit["knots"], fit["values"], REPORT_TOKENS)
        print("%-22s %5d %7.3f %7.3f %7.3f  %-24s " % (
            p["name"], len(fit["y"]), fit["err"].max(), np.median(fit["err"]), fit["err"][small].max(),
            ",".join(str(e) for e in fit["extra"]) or "-") + " ".join("%8.4g" % v for v in at))
        if fit["err"].max() > TOLERANCE:
            print("  WARNING: %s exceeds tolerance %.2f" % (path, TOLERANCE))

    per, per_gpu, comp, checks = fit_roofline(data_dir)
    write_roofline_md(per, per_gpu, comp, checks)
    print()
    for gpu, g in per_gpu.items():
        print("roofline %-5s effBW %.2f effFlops %.2f const %.3f ms  mean err %.3f | const=0: effBW %.2f "
              "effFlops %.2f err %.3f" % (gpu, g["eff_bw"], g["eff_flops"], g["const"], g["err"],
                                          g["c0"]["eff_bw"], g["c0"]["eff_flops"], g["c0"]["err"]))
    for d in per:
        print("  %-5s %-12s own effBW %.2f effFlops %.2f const %.3f err %.3f | per-GPU set err %.3f | "
              "compromise err %.3f" % (d["gpu"], d["label"], d["eff_bw"], d["eff_flops"], d["const"], d["err"],
                                       d["own_gpu_err"], d["comp_err"]))
    print("roofline compromise: effBW %.2f effFlops %.2f const %.3f ms" % (comp["eff_bw"], comp["eff_flops"],
                                                                         comp["const"]))
    for c in checks:
        print("  check %-5s %-12s TP%d per-GPU err %.3f compromise err %.3f"
              % (c["gpu"], c["label"], c["tp"], c["e_gpu"], c["e_comp"]))


if __name__ == "__main__":
    main()
