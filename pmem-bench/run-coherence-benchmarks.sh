#!/usr/bin/env bash
# run-coherence-benchmarks.sh - what cache coherence over Redis costs and how fast it is, in one run.
#
# Builds the benchmarks jar, starts a private redis-server on a free loopback port (installing the
# Debian package first if it is missing and this is root), and runs, one after the other:
#   CoherencePutBenchmark   Cache.put without coherence and with it (coherence=none|redis), -t 1, -t 2
#   CoherenceLagBenchmark   an evict on instance A until instance B misses the key: p50 / p99
#   RollingRestartBenchmark a rolling restart of 3 instances with 100k entries and 1 % of the keys
#                           changed while each was down: back-end loads per restart, ours against
#                           Redisson's RLocalCachedMap
# then stops redis-server and prints markdown tables (report.md in the results folder).
#
# Usage:  pmem-bench/run-coherence-benchmarks.sh           full run (about 8 minutes on 2 vCPUs)
#         QUICK=1 pmem-bench/run-coherence-benchmarks.sh   short run (smoke, not numbers)
# Env:    RESULTS_DIR  where raw results and the report go
#                      (default pmem-bench/target/bench-results/coherence-<timestamp>, ignored by git)
#         POOL_DIR     where pools are created (default /dev/shm)
#         SKIP_BUILD=1 use the jar already built
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench-common.sh
source "$BENCH_DIR/bench-common.sh"
cd "$ROOT"

QUICK=${QUICK:-0}
SKIP_BUILD=${SKIP_BUILD:-0}
POOL_DIR=${POOL_DIR:-/dev/shm}
setup_results_dir coherence-

if [[ $QUICK == 1 ]]; then
  PUT_OPTS=(-f 1 -wi 1 -w 1s -i 2 -r 500ms)
  LAG_OPTS=(-f 1 -wi 1 -w 1s -i 1 -r 2s)
  ROLLING=(-Dentries=10000)
else
  PUT_OPTS=(-f 1 -wi 1 -w 5s -i 5 -r 2s)
  LAG_OPTS=(-f 1 -wi 1 -w 5s -i 3 -r 10s)
  ROLLING=(-Dentries=100000)
fi

find_java25
REDIS_NOTE="not run"
trap stop_redis EXIT
log "== redis-server"
start_redis || die "the coherence benchmarks need a redis-server"

write_run_info_header "$RESULTS_DIR/run-info.txt" "redis: $REDIS_NOTE" "quick: $QUICK"
build_and_copy_jar "$RESULTS_DIR" "$SKIP_BUILD"

for t in 1 2; do
  run_jmh "put-t$t.json" 'CoherencePutBenchmark' -t "$t" "${PUT_OPTS[@]}"
done
run_jmh lag.json 'CoherenceLagBenchmark' "${LAG_OPTS[@]}"

log "== RollingRestartBenchmark ${ROLLING[*]}"
echo "uptime before rolling-restart: $(uptime)" >> "$RESULTS_DIR/run-info.txt"
"$JAVA" --enable-native-access=ALL-UNNAMED -Xmx4g -Dpmem.bench.dir="$POOL_DIR" "${ROLLING[@]}" \
  -cp "$JAR" dev.pmemspring.bench.RollingRestartBenchmark > "$RESULTS_DIR/rolling-restart.log" 2>&1 \
  || die "RollingRestartBenchmark failed, see $RESULTS_DIR/rolling-restart.log"

stop_redis
finish_run_info "$RESULTS_DIR/run-info.txt"

# --- report ------------------------------------------------------------------------------------
python3 - "$RESULTS_DIR" <<'PY' | tee "$RESULTS_DIR/report.md"
import json, os, sys

d = sys.argv[1]
def load(name):
    path = os.path.join(d, name)
    return json.load(open(path)) if os.path.exists(path) else []

print("## Put: without and with coherence (ops/s)\n")
print("| threads | coherence=none | coherence=redis | cost (none / redis) |")
print("| --- | --- | --- | --- |")
for t in (1, 2):
    score = {r["params"]["coherence"]: (r["primaryMetric"]["score"], r["primaryMetric"]["scoreError"])
             for r in load(f"put-t{t}.json")}
    if "none" in score and "redis" in score:
        n, r = score["none"], score["redis"]
        print(f"| {t} | {n[0]:,.0f} ± {n[1]:,.0f} | {r[0]:,.0f} ± {r[1]:,.0f} | {n[0] / r[0]:.2f}x |")

print("\n## Lag: evict on A until B misses (µs)\n")
print("| samples | p50 | p90 | p99 | p99.9 | max |")
print("| --- | --- | --- | --- | --- | --- |")
for r in load("lag.json"):
    m = r["primaryMetric"]
    p = m["scorePercentiles"]
    def count(h):  # forks > iterations > [value, count] pairs
        if isinstance(h, list) and len(h) == 2 and all(isinstance(x, (int, float)) for x in h):
            return h[1]
        return sum(count(x) for x in h) if isinstance(h, list) else 0
    n = f"{count(m.get('rawDataHistogram', [])):,}"
    print(f"| {n} | {p['50.0']:,.0f} | {p['90.0']:,.0f} | {p['99.0']:,.0f} | {p['99.9']:,.0f} | {p['100.0']:,.0f} |")

print()
with open(os.path.join(d, "rolling-restart.log")) as f:
    lines = f.read().splitlines()
start = next((i for i, l in enumerate(lines) if l.startswith("rolling restart of")), None)
if start is not None:
    print("## " + lines[start][0].upper() + lines[start][1:] + "\n")
    print("\n".join(l for l in lines[start + 1:] if l.startswith("|")))
PY
log "results: $RESULTS_DIR"
