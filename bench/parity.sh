#!/usr/bin/env bash
# Simulator ≡ emulator, in full: each one-replica scenario simulated (`glia simulate`, seed 0) and
# replayed by `glia load` over HTTP against one `glia engine` at time scale X; `glia compare`
# prints the two runs side by side, and the engine's request log gives the requests it preempted,
# set against the simulator's.
# Usage: bench/parity.sh [TIME_SCALE]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
x="${1:-10}"
port=18100
out="${TMPDIR:-/tmp}/glia-parity"
rm -rf "$out"; mkdir -p "$out"
for scenario in bench/scenarios/one-replica-low-load.yaml bench/scenarios/one-replica-saturated.yaml; do
  name=$(basename "$scenario" .yaml)
  ./glia simulate --scenario "$scenario" --seeds 1 --out "$out/$name-sim" > /dev/null
  ./glia engine --port $port --gpu a10 --model llama-3-8b --num-gpu-blocks-override 2240 --max-num-seqs 128 \
      --max-num-batched-tokens 8192 --max-model-len 8192 --time-scale "$x" --request-log "$out/$name-engine.csv" \
      > "$out/$name-engine.log" 2>&1 &
  engine=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
  ./glia load --scenario "$scenario" --url "http://127.0.0.1:$port" --time-scale "$x" --warmup 200 \
      --out "$out/$name-load" > /dev/null
  kill -TERM "$engine"; wait "$engine" || true
  echo "== $name, time scale $x"
  ./glia compare "$out/$name-sim" "$out/$name-load" | grep -E "^ *(metric|e2e.mean|ttft.mean|e2e.p99|ttft.p99|completed)" || true
  python3 - "$out/$name-sim/seed-0/request_metrics.csv" "$out/$name-engine.csv" <<'PY'
import csv, sys
sim = {r["request_id"] for r in csv.DictReader(open(sys.argv[1])) if int(r["restarts"]) > 0}
rows = [r for r in csv.DictReader(open(sys.argv[2])) if r["request_id"].isdigit()]  # not the warm-up
emu = {r["request_id"] for r in rows if int(r["preemptions"]) > 0}
ttft = sum(float(r["first_token_at"]) - float(r["arrived_at"]) for r in rows) / len(rows)
print(f"preempted: simulator {len(sim)}, emulator {len(emu)}, in both {len(sim & emu)}, in one only {len(sim ^ emu)}")
print(f"engine-side mean TTFT (its request log): {ttft:.4f} s")
PY
done
