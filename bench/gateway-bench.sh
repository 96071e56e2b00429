#!/usr/bin/env bash
# The gateway benchmark of BENCHMARKS.md section 7, start to end, on this machine:
#   - one fast upstream (FastUpstream: a fixed short reply, no delay; OpenAI Chat and Anthropic wires),
#   - `ensemble gateway` as its own process, configured with a same-wire model (bench-oa: OpenAI Chat in,
#     OpenAI Chat out, the byte-for-byte path) and a translating one (bench-an: OpenAI Chat in, Anthropic out),
#   - the Portkey gateway from npm (.ci/install-gateway-clients.sh), bound to loopback,
#   - GatewayLoad (closed loop) at concurrency 16 and 64, plain and streamed, against each target in turn,
#   - the gateway's resident memory idle, and with 500 streams held open (OpenStreams, a slow model).
#
#   bench/gateway-bench.sh [SECONDS per run, default 10]
#
# Environment: BENCH_NO_BUILD=1 (use the built jars), BENCH_CONCURRENCY="1 16 64", BENCH_STREAMS=500.
# Prints raw lines and a summary table; everything also lands in $OUT (default /tmp/ensemble-gateway-bench.<pid>).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_PER_RUN=${1:-10}
CONCURRENCY=${BENCH_CONCURRENCY:-1 16 64}
STREAMS=${BENCH_STREAMS:-500}
OUT=${OUT:-/tmp/ensemble-gateway-bench.$$}
mkdir -p "$OUT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
BENCH_JAR="$ROOT/bench/target/benchmarks.jar"

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  (cd "$ROOT" && ./mvnw -B -q -o -DskipTests install -pl cli,bench -am)
fi
NODE_MODULES=$("$ROOT/.ci/install-gateway-clients.sh")

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# Waits until FILE's first line matches, prints it.
first_line() {
  for _ in $(seq 1 600); do
    if [ -s "$1" ] && grep -q "$2" "$1"; then grep -m1 "$2" "$1"; return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; return 1
}
rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" | tee "$OUT/summary.txt"

# 1. The upstream.
"$JAVA" -cp "$BENCH_JAR" dev.ensemble.bench.FastUpstream >"$OUT/upstream.log" 2>&1 &
pids+=($!)
UP_PID=$!
UP=$(first_line "$OUT/upstream.log" '^listening' | cut -d' ' -f2)

# 2. ensemble's gateway, in a scratch repository with a private home (this machine's keys and config unseen).
SCRATCH="$OUT/repo"
mkdir -p "$SCRATCH/home/.config" "$SCRATCH/home/.cache"
git -C "$SCRATCH" init -q -b main
cat >"$SCRATCH/ensemble.yaml" <<YAML
default_model: bench-oa
retry: { max_attempts: 1 }
providers:
  up-openai: { wire: openai-chat, base_url: "http://127.0.0.1:$UP/v1", api_key: "env:BENCH_UPSTREAM_KEY" }
  up-anthropic: { wire: anthropic, base_url: "http://127.0.0.1:$UP", api_key: "env:BENCH_UPSTREAM_KEY" }
models:
  bench-oa: { provider: up-openai, wire_name: bench, family: test, context_window: 32768, max_output: 2048, tokens_per_second: 50,
    tools: true, pricing: { input: 1, output: 2, cached_input: 0.1, source: bench, as_of: 2026-11-01 },
    capabilities: { coding: { score: 6, benchmark: bench } } }
  bench-an: { provider: up-anthropic, wire_name: bench, family: test, context_window: 32768, max_output: 2048, tokens_per_second: 50,
    tools: true, pricing: { input: 1, output: 2, cached_input: 0.1, source: bench, as_of: 2026-11-01 },
    capabilities: { coding: { score: 6, benchmark: bench } } }
  bench-slow-oa: { provider: up-openai, wire_name: slow, family: test, context_window: 32768, max_output: 2048, tokens_per_second: 50,
    tools: true, pricing: { input: 1, output: 2, cached_input: 0.1, source: bench, as_of: 2026-11-01 },
    capabilities: { coding: { score: 6, benchmark: bench } } }
  bench-slow-an: { provider: up-anthropic, wire_name: slow, family: test, context_window: 32768, max_output: 2048, tokens_per_second: 50,
    tools: true, pricing: { input: 1, output: 2, cached_input: 0.1, source: bench, as_of: 2026-11-01 },
    capabilities: { coding: { score: 6, benchmark: bench } } }
YAML
(cd "$SCRATCH" && exec env -i PATH="$PATH" HOME="$SCRATCH/home" XDG_CONFIG_HOME="$SCRATCH/home/.config" \
    XDG_CACHE_HOME="$SCRATCH/home/.cache" JAVA_HOME="$JAVA_HOME" BENCH_UPSTREAM_KEY=sk-bench-upstream LANG=C.UTF-8 \
    ENSEMBLE_NO_BUILD=1 ENSEMBLE_JAVA_OPTS="${ENSEMBLE_JAVA_OPTS:-}" \
    "$ROOT/ensemble" gateway --port 0 --json >"$OUT/gateway.log" 2>&1) &
GW_PID=$!
pids+=($GW_PID)
GW=$(first_line "$OUT/gateway.log" '"port"' | sed 's/.*"port" *: *\([0-9]*\).*/\1/')
sleep 3
echo "ensemble gateway RSS idle after start: $(rss_mb $GW_PID) MB (pid $GW_PID)" | tee -a "$OUT/summary.txt"

# 3. Portkey, bound to loopback.
PK=$((UP + 1))
(cd "$OUT" && exec node --import "$ROOT/bench/src/main/node/loopback.mjs" \
    "$NODE_MODULES/@portkey-ai/gateway/build/start-server.js" --port=$PK --headless >"$OUT/portkey.log" 2>&1) &
PK_PID=$!
pids+=($PK_PID)
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$PK/" && break
  sleep 0.2
done
echo "portkey RSS idle after start: $(rss_mb $PK_PID) MB (pid $PK_PID)" | tee -a "$OUT/summary.txt"

load() { "$JAVA" -cp "$BENCH_JAR" dev.ensemble.bench.GatewayLoad --seconds "$SECONDS_PER_RUN" "$@" | tee -a "$OUT/raw.tsv"; }
for c in $CONCURRENCY; do
  for mode in plain stream; do
    flag=(); [ "$mode" = stream ] && flag=(--stream)
    load --label direct --url "http://127.0.0.1:$UP/v1/chat/completions" --model bench --concurrency "$c" "${flag[@]}" --cpu-pid "$UP_PID"
    load --label ensemble-same-wire --url "http://127.0.0.1:$GW/v1/chat/completions" --model bench-oa --concurrency "$c" "${flag[@]}" --cpu-pid "$GW_PID"
    load --label ensemble-translating --url "http://127.0.0.1:$GW/v1/chat/completions" --model bench-an --concurrency "$c" "${flag[@]}" --cpu-pid "$GW_PID"
    load --label portkey --url "http://127.0.0.1:$PK/v1/chat/completions" --model bench --concurrency "$c" "${flag[@]}" --cpu-pid "$PK_PID" \
        --header "x-portkey-provider: openai" --header "x-portkey-custom-host: http://127.0.0.1:$UP/v1" \
        --header "authorization: Bearer sk-bench-upstream"
  done
done

sleep 3
echo "ensemble gateway RSS idle after the load runs: $(rss_mb $GW_PID) MB" | tee -a "$OUT/summary.txt"
streams() { "$JAVA" -cp "$BENCH_JAR" dev.ensemble.bench.OpenStreams --count "$STREAMS" --hold 5 "$@"; }
echo "ensemble gateway, $STREAMS same-wire streams: $(streams --url "http://127.0.0.1:$GW/v1/chat/completions" --model bench-slow-oa --pid $GW_PID)" \
  | tee -a "$OUT/summary.txt"
echo "ensemble gateway, $STREAMS translated streams: $(streams --url "http://127.0.0.1:$GW/v1/chat/completions" --model bench-slow-an --pid $GW_PID)" \
  | tee -a "$OUT/summary.txt"
echo "portkey, $STREAMS streams: $(streams --url "http://127.0.0.1:$PK/v1/chat/completions" --model slow --pid $PK_PID \
  --header "x-portkey-provider: openai" --header "x-portkey-custom-host: http://127.0.0.1:$UP/v1" \
  --header "authorization: Bearer sk-bench-upstream")" | tee -a "$OUT/summary.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/summary.txt"

# Summary: added latency against the direct run of the same concurrency and mode, and ensemble against Portkey.
python3 - "$OUT/raw.tsv" <<'PY' | tee -a "$OUT/summary.txt"
import re, sys
rows = {}
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    num = lambda s: float(re.findall(r"[-\d.]+", s)[-1])
    rows[(f[0], f[1], f[2])] = dict(rps=num(f[3]), p50=num(f[4]), p99=num(f[5]), t50=num(f[6]), t99=num(f[7]), err=int(num(f[8])),
                                    cpu=float(f[9].split()[1]) if len(f) > 9 else float("nan"))
print("| target | c | mode | req/s | vs direct | p50 ms | added p50 | p99 ms | added p99 | first byte p50 | added first byte p50 | errors | target's CPU ms/req |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for (label, c, mode), r in rows.items():
    d = rows.get(("direct", c, mode))
    print(f"| {label} | {c[2:]} | {mode} | {r['rps']:.0f} | {r['rps']/d['rps']:.2f}x | {r['p50']:.2f} | {r['p50']-d['p50']:+.2f} | "
          f"{r['p99']:.2f} | {r['p99']-d['p99']:+.2f} | {r['t50']:.2f} | {r['t50']-d['t50']:+.2f} | {r['err']} | {r['cpu']:.2f} |")
print()
for (label, c, mode), r in rows.items():
    if label not in ("ensemble-same-wire", "ensemble-translating"): continue
    d, p = rows[("direct", c, mode)], rows.get(("portkey", c, mode))
    if not p: continue
    pk_added = p["p50"] - d["p50"]
    added = r["p50"] - d["p50"]
    print(f"{label} {c} {mode}: added p50 {added:.2f} ms = {added/pk_added:.2f} of Portkey's {pk_added:.2f} ms (target <= 0.20); "
          f"req/s {r['rps']/p['rps']:.1f}x Portkey's (target >= 5); CPU per request {r['cpu']:.2f} ms vs Portkey's {p['cpu']:.2f} ms "
          f"= {p['cpu']/r['cpu']:.1f}x the requests per CPU-second")
PY
