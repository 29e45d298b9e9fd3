#!/usr/bin/env bash
# run-cache-benchmarks.sh - the Spring cache provider (pmem-cache) against its peers, in one run.
#
# Builds the benchmarks jar, starts a private redis-server on a free loopback port (installing the
# Debian package first if it is missing and this is root), and runs, one after the other:
#   CacheBenchmark          get (hit, miss), put (overwrite), 100 / 75 / 25 % read mixes through
#                           Spring's Cache interface; store = pmem, pmem-heap, caffeine,
#                           concurrent-map, ehcache-disk, redis; -t 1 and -t 2
#   CacheBenchmark extras   pmem-heap-10pct (heap tier of a tenth of the entries) for hits and
#                           mixes; redis-async (Spring Data Redis 4's default fire-and-forget put)
#                           for puts
#   SerializationBenchmark  the cached value through the JDK's object streams (what Ehcache and
#                           Redis pay per get and put) and through pmem-cache's JdkValueSerializer
# then stops redis-server and prints markdown tables: ops/s per store and the ratios the issue
# sets as targets.
#
# Usage:  pmem-bench/run-cache-benchmarks.sh           full run (about 25 minutes on 2 vCPUs)
#         QUICK=1 pmem-bench/run-cache-benchmarks.sh   short run (a few minutes; the 75 % mix only,
#                                                      short iterations: smoke, not numbers)
# Env:    RESULTS_DIR  where raw results and the report go
#                      (default pmem-bench/target/bench-results/cache-<timestamp>, ignored by git)
#         POOL_DIR     where pools and Ehcache's disk tier are created (default /dev/shm)
#         STORES       comma-separated store list for CacheBenchmark (default all six)
#         METHODS      CacheBenchmark methods, a regex alternation (default getHit|getMiss|put|mix)
#         EXTRAS=0     skip the extras (pmem-heap-10pct, redis-async) and SerializationBenchmark
#         NO_REDIS=1   leave Redis out (it is also left out, with a warning, when redis-server
#                      cannot be installed or started)
#         SKIP_BUILD=1 use the jar already built
#         REPORT_ONLY=1 run nothing: print the report of the results already in RESULTS_DIR
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench-common.sh
source "$BENCH_DIR/bench-common.sh"
cd "$ROOT"

QUICK=${QUICK:-0}
SKIP_BUILD=${SKIP_BUILD:-0}
NO_REDIS=${NO_REDIS:-0}
POOL_DIR=${POOL_DIR:-/dev/shm}
STORES=${STORES:-pmem,pmem-heap,caffeine,concurrent-map,ehcache-disk,redis}
METHODS=${METHODS:-getHit|getMiss|put|mix}
EXTRAS=${EXTRAS:-1}
REPORT_ONLY=${REPORT_ONLY:-0}
setup_results_dir cache-

if [[ $QUICK == 1 ]]; then
  MATRIX=(-p readPercent=75)
  LOOP_OPTS=(-f 1 -wi 1 -w 1s -i 2 -r 500ms)
else
  # 6 stores x 6 ops x 2 thread counts is 72 forks, plus 10 for the extras. Each pays a JVM
  # start and the preload of 100k entries (Ehcache's disk tier takes several seconds); a 5 s
  # warm-up, because on 2 vCPUs C2 needs that long to compile the serializing paths, then
  # 3 x 1 s measured.
  MATRIX=()
  LOOP_OPTS=(-f 1 -wi 1 -w 5s -i 3 -r 1s)
fi

find_java25

# --- Redis: a private redis-server (start_redis / stop_redis, bench-common.sh) ---------------
REDIS_NOTE="not run"
trap stop_redis EXIT

without() { tr ',' '\n' <<< "$1" | grep -vxF "$2" | paste -sd, - || true; }
has() { tr ',' '\n' <<< "$1" | grep -qxF "$2"; }

run_benchmarks() {
WANT_REDIS=0
if has "$STORES" redis; then WANT_REDIS=1; fi
if [[ $NO_REDIS == 1 ]]; then
  WANT_REDIS=0
  STORES=$(without "$STORES" redis)
fi
if (( WANT_REDIS == 1 )); then
  log "== redis-server"
  if ! start_redis; then
    log "   leaving the redis store out of this run"
    STORES=$(without "$STORES" redis)
    WANT_REDIS=0
  fi
fi
[[ -n $STORES ]] || die "no store left to run"

write_run_info_header "$RESULTS_DIR/run-info.txt" \
  "stores: $STORES" \
  "redis: $REDIS_NOTE" \
  "quick: $QUICK"

# --- build -----------------------------------------------------------------------------------
build_and_copy_jar "$RESULTS_DIR" "$SKIP_BUILD"

# --- JMH ---------------------------------------------------------------------------------------
# run_jmh (bench-common.sh) waits for any other JMH run on the machine rather than measure beside it.

for t in 1 2; do
  run_jmh "cache-t$t.json" "CacheBenchmark\\.($METHODS)\$" -t "$t" -p store="$STORES" \
    ${MATRIX[@]+"${MATRIX[@]}"} "${LOOP_OPTS[@]}"
  [[ $EXTRAS == 1 ]] || continue
  if has "$STORES" pmem-heap; then
    run_jmh "cache-heap10-t$t.json" 'CacheBenchmark\.(getHit|mix)$' -t "$t" -p store=pmem-heap-10pct \
      ${MATRIX[@]+"${MATRIX[@]}"} "${LOOP_OPTS[@]}"
  fi
  if (( WANT_REDIS == 1 )); then
    run_jmh "cache-redis-async-t$t.json" 'CacheBenchmark\.put$' -t "$t" -p store=redis-async "${LOOP_OPTS[@]}"
  fi
done
if [[ $EXTRAS == 1 ]]; then
  run_jmh serialization.json 'SerializationBenchmark' "${LOOP_OPTS[@]}"
fi

stop_redis
finish_run_info "$RESULTS_DIR/run-info.txt"
}

if [[ $REPORT_ONLY != 1 ]]; then
  run_benchmarks
fi

# --- report ------------------------------------------------------------------------------------
python3 - "$RESULTS_DIR" <<'PY' | tee "$RESULTS_DIR/report.md"
import glob, json, os, sys

results_dir = sys.argv[1]
STORES = ["pmem", "pmem-heap", "pmem-heap-10pct", "caffeine", "concurrent-map", "ehcache-disk", "redis", "redis-async"]
OPS = [("getHit", None, "get (hit)"), ("getMiss", None, "get (miss)"), ("put", None, "put (overwrite)"),
       ("mix", "100", "mix 100 % reads"), ("mix", "75", "mix 75 % reads"), ("mix", "25", "mix 25 % reads")]

rows = {}    # (method, readPercent, threads) -> store -> (ops/s, error)
best = {}    # the same, from each fork's best measured iteration
serial = {}  # method -> (ops/s, error)
for path in sorted(glob.glob(os.path.join(results_dir, "*.json"))):
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        continue
    for r in data:
        method = r["benchmark"].rsplit(".", 1)[1]
        metric = r["primaryMetric"]
        score = float(metric["score"])
        err = metric.get("scoreError")
        err = None if err is None else float(err)  # JMH writes "NaN" when it cannot tell
        if err is not None and err != err:
            err = None
        if ".SerializationBenchmark." in r["benchmark"]:
            serial[method] = (score, err)
            continue
        params = r.get("params", {})
        key = (method, params.get("readPercent"), r["threads"])
        rows.setdefault(key, {})[params["store"]] = (score, err)
        raw = [float(x) for fork in metric.get("rawData", []) for x in fork]
        if raw:
            best.setdefault(key, {})[params["store"]] = (max(raw), None)

present = [s for s in STORES if any(s in v for v in rows.values())]

def fmt(v):
    if v is None:
        return "—"
    if v >= 1e6:
        return f"{v / 1e6:,.2f} M"
    if v >= 1e3:
        return f"{v / 1e3:,.1f} k"
    return f"{v:,.0f}"

def cell(entry):
    if entry is None:
        return "—"
    s, e = entry
    return fmt(s) + (f" ± {fmt(e)}" if e is not None else "")

print("## Spring cache: ops/s (all threads together), higher is better\n")
print("`±` is JMH's 99.9 % confidence half-width over the measured iterations; k = 10^3, M = 10^6.\n")
print("| op | threads | " + " | ".join(present) + " |")
print("| --- | ---: | " + " | ".join(["---:"] * len(present)) + " |")
for method, rp, label in OPS:
    for t in (1, 2):
        stores = rows.get((method, rp, t))
        if stores:
            print(f"| {label} | {t} | " + " | ".join(cell(stores.get(s)) for s in present) + " |")

def ratio(op, t, ours, peer, table):
    stores = table.get((op[0], op[1], t), {})
    a, b = stores.get(ours), stores.get(peer)
    if a is None or b is None or b[0] <= 0:
        return None
    return a[0] / b[0]

TARGETS = [  # (label, op, ours, peer, target)
    ("hits, heap tier vs Caffeine", ("getHit", None), "pmem-heap", "caffeine", 0.8),
    ("hits (100 % read mix), heap tier vs Caffeine", ("mix", "100"), "pmem-heap", "caffeine", 0.8),
    ("hits, heap tier of 10 % vs Caffeine", ("getHit", None), "pmem-heap-10pct", "caffeine", 0.8),
    ("hits, no heap tier vs Ehcache disk tier", ("getHit", None), "pmem", "ehcache-disk", 10),
    ("hits, no heap tier vs Redis", ("getHit", None), "pmem", "redis", 50),
    ("puts, no heap tier vs Ehcache disk tier", ("put", None), "pmem", "ehcache-disk", 10),
    ("puts, no heap tier vs Redis", ("put", None), "pmem", "redis", 20),
    ("puts, heap tier vs Ehcache disk tier", ("put", None), "pmem-heap", "ehcache-disk", 10),
    ("puts, heap tier vs Redis", ("put", None), "pmem-heap", "redis", 20),
]
print("\n## Best iteration: ops/s (all threads together)\n")
print("The fastest measured iteration of each fork: less sensitive to other work on the machine than")
print("the mean, but optimistic.\n")
print("| op | threads | " + " | ".join(present) + " |")
print("| --- | ---: | " + " | ".join(["---:"] * len(present)) + " |")
for method, rp, label in OPS:
    for t in (1, 2):
        stores = best.get((method, rp, t))
        if stores:
            print(f"| {label} | {t} | " + " | ".join(cell(stores.get(s)) for s in present) + " |")

target_rows = []
for label, op, ours, peer, target in TARGETS:
    r = [ratio(op, t, ours, peer, rows) for t in (1, 2)]
    b = [ratio(op, t, ours, peer, best) for t in (1, 2)]
    if all(x is None for x in r):
        continue
    met = "yes" if all(x is not None and x >= target for x in r) else (
        "no" if all(x is not None and x < target for x in r) else "partly")
    cells = " | ".join("—" if x is None else f"{x:.2f} ({y:.2f})" if y is not None else f"{x:.2f}"
                       for x, y in zip(r, b))
    target_rows.append(f"| {label} | {ours} / {peer} | ≥ {target:g} | {cells} | {met} |")
if target_rows:
    print("\n## Against the targets: ours / peer in ops/s (higher is better)\n")
    print("From the means (first table) and, in brackets, from the best iterations (second table).\n")
    print("| what | ours / peer | target | 1 thread | 2 threads | met (means) |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    print("\n".join(target_rows))

if serial:
    print("\n## Serialization of the cached value alone (SerializationBenchmark, 1 thread), ops/s\n")
    print("| format | serialize | deserialize |")
    print("| --- | ---: | ---: |")
    print(f"| JDK object stream (Ehcache, Redis) | {cell(serial.get('serialize'))} | {cell(serial.get('deserialize'))} |")
    print(f"| pmem-cache JdkValueSerializer | {cell(serial.get('serializeForPmem'))} | {cell(serial.get('deserializeForPmem'))} |")
PY
log "raw results and report: $RESULTS_DIR"
