#!/usr/bin/env bash
# Router overhead: what `glia router` adds to a request, against nginx proxying the same engines in
# the same run. 4 emulated engines (one `glia engine` process) at a time scale of 10^6, so model time
# is negligible and an engine answers at once; requests are bench/scenarios/router-overhead.yaml
# (Poisson arrivals, streamed /v1/completions, 16-token prompt, max_tokens 1, so TTFT is a full round
# trip), sent open loop by `glia load` (one process per phase) to three targets, interleaved per rate:
# the engines directly (glia load spreads over the 4 by its own requests in flight), `glia router`
# (its own JVM, --router llq) and nginx (Debian package, own config in a temp dir, 1 worker process:
# the router is one Vert.x event loop; NGINX_WORKERS=auto to change; upstream keepalive, buffering off).
# Added latency = TTFT percentile via the proxy - the same percentile direct, in the same repetition.
# CPU per request = (utime + stime of the proxy's process(es), /proc/PID/stat, over the phase
# - its idle rate x the phase's time outside the send window) / requests it carried (plan + warm-up);
# "excl. idle rate" also takes the idle rate off inside the window (the router's 80 scrapes a second
# of 4 engines' /metrics, its timers, leftover JIT: what it burns with no traffic).
# Before measuring, each target gets an unmeasured warm-up phase (JIT of the router's JVM).
# Figures are medians over the repetitions. Everything shares the machine's cores: see its load.
# Usage: bench/router-overhead.sh [DURATION_SECONDS] [REPEATS] [RATE...]   (defaults: 15 3 500 1000 2000)
# Env: NGINX_WORKERS (1), ROUTER_JAVA_OPTS (extra JVM flags for the router only, e.g. a JFR recording),
# ROUTER_ARGS (extra `glia router` flags, e.g. --scrape-interval 1).
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-15}"; repeats="${2:-3}"; shift 2 || shift $# || true
rates=("$@"); [ "${#rates[@]}" -eq 0 ] && rates=(500 1000 2000)
engine_port=18400; router_port=18480; nginx_port=18490
model=meta-llama/Llama-3.1-8B-Instruct
out="${TMPDIR:-/tmp}/glia-router-overhead"
if [ -n "${REPORT_ONLY:-}" ]; then out="$REPORT_ONLY"; else
rm -rf "$out"; mkdir -p "$out/nginx"
./glia --version >/dev/null

nginx_bin=$(command -v nginx || true); [ -z "$nginx_bin" ] && [ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx
if [ -z "$nginx_bin" ]; then
  echo "nginx is missing: installing the Debian package" >&2
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y nginx >&2 || { apt-get update >&2 && apt-get install -y nginx >&2; }
  else sudo apt-get install -y nginx >&2 || { sudo apt-get update >&2 && sudo apt-get install -y nginx >&2; }; fi
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

engines=""; upstreams=""
for i in 0 1 2 3; do
  engines+="${engines:+,}http://127.0.0.1:$((engine_port + i))"
  upstreams+="    server 127.0.0.1:$((engine_port + i));"$'\n'
done
./glia engine --host 127.0.0.1 --replicas 4 --port $engine_port --time-scale 1000000 > "$out/engine.log" 2>&1 &
engine_pid=$!; pids+=("$engine_pid")
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$((engine_port + 3))/health" >/dev/null && break; sleep 0.2; done

GLIA_JAVA_OPTS="${ROUTER_JAVA_OPTS:-}" ./glia router --host 127.0.0.1 --port $router_port --engine "$engines" \
    --router llq ${ROUTER_ARGS:-} > "$out/router.log" 2>&1 &
router_pid=$!; pids+=("$router_pid")

cat > "$out/nginx/nginx.conf" <<EOF
worker_processes ${NGINX_WORKERS:-1};
pid $out/nginx/nginx.pid;
error_log $out/nginx/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $out/nginx/body; proxy_temp_path $out/nginx/proxy;
  fastcgi_temp_path $out/nginx/fastcgi; uwsgi_temp_path $out/nginx/uwsgi; scgi_temp_path $out/nginx/scgi;
  keepalive_requests 1000000;
  upstream engines {
$upstreams    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://engines;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
EOF
"$nginx_bin" -p "$out/nginx" -c "$out/nginx/nginx.conf" -g 'daemon off;' > "$out/nginx/stdout.log" 2>&1 &
nginx_pid=$!; pids+=("$nginx_pid")
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$router_port/ready" >/dev/null && break; sleep 0.2; done
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nginx_port/health" >/dev/null && break; sleep 0.1; done

url_of() { case $1 in direct) echo "$engines";; router) echo "http://127.0.0.1:$router_port";; nginx) echo "http://127.0.0.1:$nginx_port";; esac; }
# CPU ticks (utime + stime) of a target's proxy process(es): the router's JVM; nginx's master and workers
ticks() {
  local ps
  case $1 in direct) ps=();; router) ps=("$router_pid");; nginx) ps=("$nginx_pid" $(pgrep -P "$nginx_pid" || true));; esac
  local t=0
  for p in "${ps[@]}"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo $t
}
engine_ticks() { awk '{print $14 + $15}' "/proc/$engine_pid/stat"; }
# the router's CPU ticks by thread kind (event loop, JIT compilers, GC, other), for the per-phase breakdown
router_threads() {
  for f in /proc/$router_pid/task/*/stat; do
    sed -E 's/^[0-9]+ \((.*)\) . (.*)$/\1|\2/' "$f" 2>/dev/null | awk -F'|' '{split($2, a, " "); print $1 "|" a[11] + a[12]}'
  done | awk -F'|' '{k = $1 ~ /eventloo/ ? "loop" : $1 ~ /Compiler/ ? "jit" : $1 ~ /(GC|G1)/ ? "gc" : "other"; t[k] += $2}
                    END {printf "loop=%d jit=%d gc=%d other=%d\n", t["loop"], t["jit"], t["gc"], t["other"]}'
}
hz=$(getconf CLK_TCK)

scenario_at() { sed -E "s/qps: [0-9.]+/qps: $1/" bench/scenarios/router-overhead.yaml > "$out/scenario-$1.yaml"; echo "$out/scenario-$1.yaml"; }

warm=200  # glia load's own warm-up requests per phase (connections, its JIT): carried by the proxy, counted
phase() {  # target rate seconds name
  local t0 e0 w0 w1
  router_threads > "$out/$4.threads0"
  t0=$(ticks "$1"); e0=$(engine_ticks); w0=$(date +%s.%N)
  ./glia load --scenario "$(scenario_at "$2")" --duration "$3" --url "$(url_of "$1")" --model "$model" \
      --warmup $warm --out "$out/$4" --json > "$out/$4.json" 2> "$out/$4.err" || true
  w1=$(date +%s.%N)
  router_threads > "$out/$4.threads1"
  echo "$1 $2 $(( $(ticks "$1") - t0 )) $(( $(engine_ticks) - e0 )) $w0 $w1 $(cut -d' ' -f1 /proc/loadavg)"
}

echo "warming up (not measured)..." >&2
for target in direct router nginx; do phase $target 1000 10 "warmup-$target" > /dev/null; done
phase router 1000 20 warmup-router-2 > /dev/null  # C2 is still compiling the router after the first
# idle CPU rate of each proxy (the router scrapes 4 engines every 50 ms)
i0r=$(ticks router); i0n=$(ticks nginx); sleep 5; i1r=$(ticks router); i1n=$(ticks nginx)
echo "idle router $(( i1r - i0r )) nginx $(( i1n - i0n )) 5" > "$out/idle.txt"

: > "$out/phases.txt"
for rep in $(seq "$repeats"); do
  for rate in "${rates[@]}"; do
    for target in direct router nginx; do
      echo "rep $rep, $rate req/s, $target" >&2
      echo "$rep $(phase $target "$rate" "$duration" "r$rep-$rate-$target")" >> "$out/phases.txt"
    done
  done
done

fi  # REPORT_ONLY
python3 - "$out" "$(getconf CLK_TCK)" 200 <<'PY'
import csv, json, statistics, sys, os
out, hz, warm = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
idle = open(f"{out}/idle.txt").read().split()
idle_rate = {"router": int(idle[2]) / hz / float(idle[5]), "nginx": int(idle[4]) / hz / float(idle[5]), "direct": 0.0}
def pct(xs, q):  # nearest rank
    xs = sorted(xs); return xs[min(len(xs) - 1, max(0, int(-(-q * len(xs) // 1)) - 1))]
def split_of(d, n):  # the router's CPU per request by thread kind, µs
    read = lambda f: dict(kv.split("=") for kv in open(f).read().split())
    a, b = read(d + ".threads0"), read(d + ".threads1")
    return " ".join(f"{k} {(int(b[k]) - int(a[k])) / hz / n * 1e6:.0f}" for k in ("loop", "jit", "gc", "other"))
rows = {}
for line in open(f"{out}/phases.txt"):
    rep, target, rate, ticks, eticks, w0, w1, load = line.split()
    d = f"{out}/r{rep}-{rate}-{target}"
    ttft = [float(r["ttft"]) for r in csv.DictReader(open(f"{d}/seed-0/request_metrics.csv")) if r["ttft"]]
    m = json.load(open(f"{d}/summary.json"))["metrics"]
    sent = int(m["completed"]["mean"] + m["failed"]["mean"])
    outside = max(0.0, float(w1) - float(w0) - m["makespan"]["mean"])
    cpu = max(0.0, int(ticks) / hz - idle_rate[target] * outside)
    scrapes = idle_rate[target] * m["makespan"]["mean"]  # what the proxy burns idle (scrapes, timers), over the window
    rows[(int(rep), int(rate), target)] = dict(p50=pct(ttft, .5) * 1e3, p90=pct(ttft, .9) * 1e3, p99=pct(ttft, .99) * 1e3,
        cpu_us=cpu / (sent + warm) * 1e6, cpu_ex_us=max(0.0, cpu - scrapes) / (sent + warm) * 1e6, eng_us=int(eticks) / hz / (sent + warm) * 1e6,
        split=split_of(d, sent + warm), failed=m["failed"]["mean"], lag99=m["sendLag.p99"]["mean"] * 1e3, rate=m["achievedRate"]["mean"], load=float(load))
med = statistics.median
reps = sorted({k[0] for k in rows}); rates = sorted({k[1] for k in rows})
print(f"idle CPU (5 s after the warm-up; scrapes, timers, JIT): router {idle_rate['router']*1e3:.1f} ms/s, nginx {idle_rate['nginx']*1e3:.1f} ms/s; "
      f"medians of {len(reps)} repetition(s); TTFT and added (via - direct, same repetition) in ms")
print("| req/s | via | TTFT p50 | p90 | p99 | added p50 | p90 | p99 | CPU/request | excl. idle rate | × nginx | engine CPU/req | failed | load (1 min) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for rate in rates:
    for t in ("direct", "router", "nginx"):
        g = lambda k: med(rows[(r, rate, t)][k] for r in reps)
        add = lambda k: med(rows[(r, rate, t)][k] - rows[(r, rate, "direct")][k] for r in reps)
        ratio = med(rows[(r, rate, t)]["cpu_us"] / rows[(r, rate, "nginx")]["cpu_us"] for r in reps)
        failed = sum(rows[(r, rate, t)]["failed"] for r in reps)
        if t == "direct":
            added, cpu = "| — | — | —", "| — | — | —"
        else:
            added = f"| {add('p50'):+.2f} | {add('p90'):+.2f} | {add('p99'):+.2f}"
            cpu = f"| {g('cpu_us'):.0f} µs | {g('cpu_ex_us'):.0f} µs | {ratio:.2f}" if t == "router" else f"| {g('cpu_us'):.0f} µs | {g('cpu_ex_us'):.0f} µs | 1"
        print(f"| {rate} | {t} | {g('p50'):.2f} | {g('p90'):.2f} | {g('p99'):.2f} {added} {cpu} | {g('eng_us'):.0f} µs | {failed:.0f} | {g('load'):.1f} |")
print("\nper phase:")
print("rep req/s target  p50 ms  p90 ms  p99 ms  cpu µs/req  engine µs/req  sendLag.p99 ms  achieved  failed  load1  router threads µs/req (raw: with idle scrapes)")
for (rep, rate, t), v in sorted(rows.items()):
    print(f"{rep:>3} {rate:>5} {t:<7} {v['p50']:>7.2f} {v['p90']:>7.2f} {v['p99']:>7.2f} {v['cpu_us']:>11.0f} {v['eng_us']:>14.0f} {v['lag99']:>15.2f} "
          f"{v['rate']:>9.0f} {v['failed']:>7.0f} {v['load']:>6.2f}  {v['split'] if t == 'router' else ''}")
PY
echo "(logs and run directories in $out)"
