#!/usr/bin/env bash
# Simulation to reality through the router: glia-sharegpt-a10 (all 1,000 s of arrivals, seed 0),
# time-compressed, through `glia router` in front of 4 emulated engines, driven by `glia load`,
# under each router; set against `glia simulate` for the same seed with the router's scrape lag
# modelled (a 50 ms scrape at time scale X is X × 50 ms of model time).
# Usage: bench/sim-to-reality.sh [TIME_SCALE] [ROUTER...]   (default: 10 llq hra-spf)
set -euo pipefail
cd "$(dirname "$0")/.."
x="${1:-10}"; shift || true
routers=("$@"); [ $# -eq 0 ] && routers=(llq hra-spf)
engines=18200; router=18280; admin=18281
scrape=$(python3 -c "print(0.05 * $x)")
out="${TMPDIR:-/tmp}/glia-sim-to-reality"
mkdir -p "$out"
./glia engine --replicas 4 --port $engines --gpu a10 --model llama-3-8b --num-gpu-blocks-override 2240 \
    --max-num-seqs 128 --max-num-batched-tokens 8192 --max-model-len 8192 --time-scale "$x" \
    > "$out/engines.log" 2>&1 &
engine_pid=$!
trap 'kill -TERM $engine_pid 2>/dev/null || true' EXIT
for p in 0 1 2 3; do
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$((engines + p))/health" >/dev/null && break; sleep 0.2; done
done
urls=$(printf "http://127.0.0.1:%s," $engines $((engines + 1)) $((engines + 2)) $((engines + 3))); urls=${urls%,}
for r in "${routers[@]}"; do
  ./glia simulate --scenario glia-sharegpt-a10 --router "$r" --seeds 1 --scrape-interval "$scrape" --json \
      --out "$out/$r-sim" > "$out/$r-sim.json"
  # no queue-time limit within the run, as in the simulator: HRA+SPF keeps a few long prompts queued for
  # minutes of model time, and the default 60 s of wall clock is 600 s of model time at time scale 10
  ./glia router --port $router --admin-port $admin --engine "$urls" --router "$r" --max-queue-seconds 3600 \
      --max-queue-tokens 1000000000000 \
      > "$out/$r-router.log" 2>&1 &
  router_pid=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$router/ready" >/dev/null && break; sleep 0.2; done
  ./glia load --scenario glia-sharegpt-a10 --url "http://127.0.0.1:$router" --time-scale "$x" --warmup 200 --json \
      --out "$out/$r-load" > "$out/$r-load.json"
  kill -TERM $router_pid; wait $router_pid || true
done
python3 - "$out" "$x" "${routers[@]}" <<'PY'
import json, sys
out, x, routers = sys.argv[1], sys.argv[2], sys.argv[3:]
def e2e(path):
    return json.load(open(path))["e2e"]["mean"]  # glia simulate --json and glia load --json alike
rows = {r: (e2e(f"{out}/{r}-sim.json"), e2e(f"{out}/{r}-load.json")) for r in routers}
print(f"glia-sharegpt-a10, seed 0, 1,000 s of arrivals, time scale {x}, scrape 50 ms wall")
print(f"{'router':10} {'simulated e2e':>14} {'live e2e':>10} {'live/sim':>9}")
for r, (s, l) in rows.items():
    print(f"{r:10} {s:14.2f} {l:10.2f} {l / s:9.3f}")
if len(routers) == 2:
    (a, (sa, la)), (b, (sb, lb)) = rows.items()
    print(f"ratio {b}/{a}: simulated {sb / sa:.3f}, live {lb / la:.3f}, difference {abs(sb / sa - lb / la):.3f}")
PY
