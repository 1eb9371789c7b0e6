#!/usr/bin/env bash
# Capacity of the emulated engine: 4 engines in one `glia engine` process carry glia-sharegpt-a10's
# load (replayed by `glia load` in a second process, spread over the 4 by requests in flight), at
# several time scales. For each: the engines' token lateness (a token handed to its HTTP stream
# minus the end of its iteration on the model clock, p50/p99/p99.9) and the client's figures.
# Usage: bench/engine-capacity.sh [DURATION_SECONDS] [SCALE...]   (defaults: 120 s; 1 2 5 10 20)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-120}"; shift || true
scales=("${@:-1 2 5 10 20}")
[ "$#" -eq 0 ] && scales=(1 2 5 10 20)
port=18000
out="${TMPDIR:-/tmp}/glia-engine-capacity"
mkdir -p "$out"
./glia --version >/dev/null
printf "%-6s %-10s %-10s %-10s %-10s %-9s %-9s %-9s %s\n" scale "late.p50" "late.p99" "late.p999" tokens \
  "e2e" "ttft" "itl.p99" "failed"
for x in "${scales[@]}"; do
  ./glia engine --replicas 4 --port $port --gpu a10 --model llama-3-8b --num-gpu-blocks-override 2240 \
      --max-num-seqs 128 --max-num-batched-tokens 8192 --max-model-len 8192 --time-scale "$x" \
      > "$out/engine-$x.log" 2>&1 &
  engine=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$((port + 3))/health" >/dev/null && break; sleep 0.2; done
  urls="http://127.0.0.1:$port,http://127.0.0.1:$((port + 1)),http://127.0.0.1:$((port + 2)),http://127.0.0.1:$((port + 3))"
  ./glia load --scenario glia-sharegpt-a10 --duration "$duration" --url "$urls" --time-scale "$x" --warmup 200 \
      --out "$out/load-$x" --json > "$out/load-$x.json" 2> "$out/load-$x.err"
  kill -TERM "$engine"; wait "$engine" || true
  timing=$(grep -o 'token timing: .*' "$out/engine-$x.log" || echo "token timing: none")
  read -r tokens p50 p99 p999 < <(echo "$timing" | sed -E 's/.*: ([0-9]+) tokens .*p50 ([0-9.]+) ms, p99 ([0-9.]+) ms, p99.9 ([0-9.]+) ms/\1 \2 \3 \4/')
  python3 - "$out/load-$x/summary.json" "$x" "$p50" "$p99" "$p999" "$tokens" <<'PY'
import json, sys
summary, x, p50, p99, p999, tokens = sys.argv[1:]
m = json.load(open(summary))["metrics"]
get = lambda k: m[k]["mean"] if k in m else float("nan")
print(f"{x:<6} {p50+' ms':<10} {p99+' ms':<10} {p999+' ms':<10} {tokens:<10} {get('e2e.mean'):<9.2f} "
      f"{get('ttft.mean'):<9.3f} {get('itl.p99'):<9.4f} {get('failed'):.0f}")
PY
done
echo "(logs and run directories in $out)"
