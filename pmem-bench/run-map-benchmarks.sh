#!/usr/bin/env bash
# run-map-benchmarks.sh - the persistent map (PmemMap) against its peers, in one run.
#
# Builds the benchmarks jar and runs, one after the other on this machine:
#   MapBenchmark      get (hit, miss), put (overwrite, new key), read/write mixes; impl = pmem,
#                     chm (in-heap ceiling), chronicle, mapdb, mapdb-tx; values 100 B and 1 KiB;
#                     -t 1 and -t 2
#   MapOpenBenchmark  open a pool + its map + first get, 10k / 100k / 1M entries
#   MapKillProbe      which persisted maps open again, with every acknowledged put, after kill -9
# then prints markdown tables: ns/op per impl with the ratios pmem/peer (below 1 pmem is faster),
# open time by entry count, and the kill -9 verdicts.
#
# Usage:  pmem-bench/run-map-benchmarks.sh           full run (about 30 minutes on 2 vCPUs)
#         QUICK=1 pmem-bench/run-map-benchmarks.sh   short run (about 5 minutes; 100 B values and the
#                                                    75 % mix only, short iterations: smoke, not numbers)
# Env:    RESULTS_DIR  where raw results and the report go
#                      (default pmem-bench/target/bench-results/map-<timestamp>, ignored by git)
#         POOL_DIR     where pools and peer files are created (default /dev/shm)
#         IMPLS        comma-separated impl list for MapBenchmark (default all five)
#         SKIP_BUILD=1 use the jar already built
#         OPS          regex of the MapBenchmark loop methods to run (default getHit|getMiss|putOverwrite|mix)
#         PUTNEW=0     skip the new-key puts
#         SKIP_OPEN=1  skip MapOpenBenchmark
#         KILL_IMPLS   comma-separated impls for the kill -9 probe (default pmem,chronicle,mapdb,mapdb-tx;
#                      empty skips it)
#         ROUNDS       how many times to run the MapBenchmark runs, one round after the other (default 1).
#                      With two threads on this 2-vCPU VM a fork's mean depends on where the host runs
#                      the vCPUs: forks of one jar gave 460-1,460 ns/op for the same overwrite. With
#                      ROUNDS > 1 every impl gets a fork per round, and the report shows the median of
#                      the forks' means (and their range) and ratios of medians.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench-common.sh
source "$BENCH_DIR/bench-common.sh"
cd "$ROOT"

QUICK=${QUICK:-0}
SKIP_BUILD=${SKIP_BUILD:-0}
POOL_DIR=${POOL_DIR:-/dev/shm}
IMPLS=${IMPLS:-pmem,chm,chronicle,mapdb,mapdb-tx}
OPS=${OPS:-getHit|getMiss|putOverwrite|mix}
PUTNEW=${PUTNEW:-1}
SKIP_OPEN=${SKIP_OPEN:-0}
KILL_IMPLS=${KILL_IMPLS-pmem,chronicle,mapdb,mapdb-tx}
ROUNDS=${ROUNDS:-1}
setup_results_dir map-

if [[ $QUICK == 1 ]]; then
  # 100 B values and the 75 % mix only.
  MATRIX=(-p valueSize=100 -p readPercent=75)
  MATRIX_PUTNEW=(-p valueSize=100)
  LOOP_OPTS=(-f 1 -wi 1 -w 500ms -i 2 -r 500ms)
  PUTNEW_OPTS=(-f 1 -wi 3 -i 3)
  OPEN_OPTS=(-f 1 -wi 2 -i 3)
  KILLS=1
else
  # 5 impls x 2 sizes x 2 thread counts x 6 ops is 120 forks, and the whole run has to stay near
  # 30 minutes on a 2-vCPU machine: so one 5 s warm-up and 3 x 1 s measured. The warm-up must be
  # that long: the off-heap maps (pmem, chronicle, mapdb) run 5-10x slower for the first ~5 s of a
  # fork while C2 compiles their code (the compiler has one vCPU, the benchmark the other); with
  # 2 x 1 s many forks were measured half-compiled.
  MATRIX=()
  MATRIX_PUTNEW=()
  LOOP_OPTS=(-f 1 -wi 1 -w 5s -i 3 -r 1s)
  PUTNEW_OPTS=(-f 1 -wi 5 -i 10)
  OPEN_OPTS=(-f 1 -wi 5 -i 15)
  KILLS=3
fi
# New-key puts per thread per single shot: MapDB with a commit per put takes ~1 ms a put, so it
# gets smaller batches (the score is divided by the batch size either way).
PUTNEW_BATCH=20000
PUTNEW_BATCH_TX=500

find_java25

# What Chronicle Map needs on JDK 17+ (MapBenchmark's @Fork passes the same to its forks); the
# kill probe's JVMs need them directly.
CHRONICLE_FLAGS=(
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  -Dchronicle.analytics.disable=true
)

write_run_info_header "$RESULTS_DIR/run-info.txt" \
  "quick: $QUICK" \
  "impls: $IMPLS; ops: $OPS; putNew: $PUTNEW; open: $((1 - SKIP_OPEN)); kill probe: ${KILL_IMPLS:-none}; rounds: $ROUNDS"

# --- build -----------------------------------------------------------------------------------
build_and_copy_jar "$RESULTS_DIR" "$SKIP_BUILD"

# --- JMH ---------------------------------------------------------------------------------------
# run_jmh (bench-common.sh) waits for any other JMH run on the machine rather than measure beside it.

# Impl lists for the new-key puts: MapDB with transactions in batches of its own.
FAST_IMPLS=$(tr ',' '\n' <<< "$IMPLS" | grep -vx 'mapdb-tx' | paste -sd, - || true)
HAS_TX=$(tr ',' '\n' <<< "$IMPLS" | grep -cx 'mapdb-tx' || true)

for round in $(seq 1 "$ROUNDS"); do
  # One round's files are suffixed -r<round> when there are several rounds.
  sfx=$([[ $ROUNDS == 1 ]] || echo "-r$round")
  for t in 1 2; do
    run_jmh "map-t$t$sfx.json" "MapBenchmark\\.($OPS)\$" -t "$t" -p impl="$IMPLS" ${MATRIX[@]+"${MATRIX[@]}"} "${LOOP_OPTS[@]}"
    if [[ $PUTNEW == 1 && -n $FAST_IMPLS ]]; then
      run_jmh "map-putnew-t$t$sfx.json" 'MapBenchmark\.putNew$' -t "$t" -p impl="$FAST_IMPLS" ${MATRIX_PUTNEW[@]+"${MATRIX_PUTNEW[@]}"} "${PUTNEW_OPTS[@]}" \
        -bs "$PUTNEW_BATCH" -wbs "$PUTNEW_BATCH"
    fi
    if [[ $PUTNEW == 1 ]] && (( HAS_TX > 0 )); then
      run_jmh "map-putnew-tx-t$t$sfx.json" 'MapBenchmark\.putNew$' -t "$t" -p impl=mapdb-tx ${MATRIX_PUTNEW[@]+"${MATRIX_PUTNEW[@]}"} "${PUTNEW_OPTS[@]}" \
        -bs "$PUTNEW_BATCH_TX" -wbs "$PUTNEW_BATCH_TX"
    fi
  done
done
if [[ $SKIP_OPEN != 1 ]]; then
  run_jmh map-open.json 'MapOpenBenchmark' "${OPEN_OPTS[@]}"
fi

# --- kill -9 -----------------------------------------------------------------------------------
log "== kill -9 probe ($KILLS kills per persisted impl) -> kill-probe.txt"
: > "$RESULTS_DIR/kill-probe.txt"
for impl in $(tr ',' ' ' <<< "$KILL_IMPLS"); do
  "$JAVA" --enable-native-access=ALL-UNNAMED "${CHRONICLE_FLAGS[@]}" -Dpmem.bench.dir="$POOL_DIR" \
    -cp "$JAR" dev.pmemspring.bench.MapKillProbe "$impl" "$KILLS" 2>> "$RESULTS_DIR/kill-probe.log" \
    | tee -a "$RESULTS_DIR/kill-probe.txt" >&2 || log "   kill probe of $impl failed, see kill-probe.log"
done

finish_run_info "$RESULTS_DIR/run-info.txt"

# --- report ------------------------------------------------------------------------------------
python3 - "$RESULTS_DIR" <<'PY' | tee "$RESULTS_DIR/report.md"
import glob, json, os, re, sys

results_dir = sys.argv[1]
IMPLS = ["pmem", "chm", "chronicle", "mapdb", "mapdb-tx"]
OPS = [("getHit", None, "get (hit)"), ("getMiss", None, "get (miss)"),
       ("putOverwrite", None, "put (overwrite)"), ("putNew", None, "put (new key)"),
       ("mix", "100", "mix 100 % reads"), ("mix", "75", "mix 75 % reads"), ("mix", "25", "mix 25 % reads")]

rows = {}   # (method, readPercent, valueSize, threads) -> impl -> [(ns, err), one per round]
opens = {}  # entries -> result
for path in sorted(glob.glob(os.path.join(results_dir, "*.json"))):
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        continue
    for r in data:
        method = r["benchmark"].rsplit(".", 1)[1]
        params = r.get("params", {})
        metric = r["primaryMetric"]
        score = float(metric["score"])
        err = metric.get("scoreError")
        err = None if err is None else float(err)  # JMH writes "NaN" (a string) when it cannot tell
        if err is not None and err != err:
            err = None
        if ".MapOpenBenchmark." in r["benchmark"]:
            opens.setdefault(int(params["entries"]), {})[method] = (score, err, metric.get("scorePercentiles", {}))
            continue
        if r["mode"] == "ss" and method == "putNew":
            batch = r.get("measurementBatchSize", 1)
            score /= batch
            err = err / batch if err is not None else None
        key = (method, params.get("readPercent"), int(params["valueSize"]), r["threads"])
        rows.setdefault(key, {}).setdefault(params["impl"], []).append((score, err))

def fmt(v):
    if v is None:
        return "—"
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:,.1f}"

def median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2

def center(entries):
    """One round's score, or the median of the rounds' scores."""
    return None if not entries else median([s for s, _ in entries])

def cell(entries):
    if not entries:
        return "—"
    if len(entries) == 1:
        s, e = entries[0]
        return fmt(s) + (f" ± {fmt(e)}" if e is not None else "")
    scores = [s for s, _ in entries]
    return f"{fmt(median(scores))} ({fmt(min(scores))}–{fmt(max(scores))})"

def ratio(a, b):
    a, b = center(a), center(b)
    if a is None or b is None or b <= 0:
        return "—"
    return f"{a / b:.2f}"

print("## Map operations: ns/op (per thread), lower is better\n")
print("Ratios are pmem / peer: **below 1 pmem is faster**. `±` is JMH's 99.9 % confidence half-width;")
print("with several rounds a cell is the median of the rounds' fork means (their range in brackets),")
print("and a ratio is of medians.")
print("put (new key) is a single-shot batch per iteration, divided by the batch size.\n")
print("| op | value | threads | " + " | ".join(IMPLS) + " | pmem/chm | pmem/chronicle | pmem/mapdb | pmem/mapdb-tx |")
print("| --- | ---: | ---: | " + " | ".join(["---:"] * len(IMPLS)) + " | ---: | ---: | ---: | ---: |")
for method, rp, label in OPS:
    for vs in (100, 1024):
        for t in (1, 2):
            impls = rows.get((method, rp, vs, t))
            if not impls:
                continue
            p = impls.get("pmem")
            print(f"| {label} | {vs} B | {t} | " + " | ".join(cell(impls.get(i)) for i in IMPLS)
                  + f" | {ratio(p, impls.get('chm'))} | {ratio(p, impls.get('chronicle'))}"
                  + f" | {ratio(p, impls.get('mapdb'))} | {ratio(p, impls.get('mapdb-tx'))} |")

# Best iteration: the least disturbed second of each fork (the machine is shared; see run-info.txt).
best = {}
for path in sorted(glob.glob(os.path.join(results_dir, "*.json"))):
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        continue
    for r in data:
        if ".MapBenchmark." not in r["benchmark"]:
            continue
        method = r["benchmark"].rsplit(".", 1)[1]
        params = r.get("params", {})
        raw = [float(x) for fork in r["primaryMetric"].get("rawData", []) for x in fork]
        if not raw:
            continue
        b = min(raw)
        if r["mode"] == "ss" and method == "putNew":
            b /= r.get("measurementBatchSize", 1)
        cells = best.setdefault((method, params.get("readPercent"), int(params["valueSize"]), r["threads"]), {})
        # Over several rounds: the best iteration of all forks.
        cells[params["impl"]] = [(min(b, cells[params["impl"]][0][0]) if params["impl"] in cells else b, None)]

if best:
    print("\n## Map operations, best iteration: ns/op (per thread)\n")
    print("The fastest measured iteration of each fork: less sensitive to other work on the machine than")
    print("the mean, but optimistic. Ratios pmem / peer as above.\n")
    print("| op | value | threads | " + " | ".join(IMPLS) + " | pmem/chm | pmem/chronicle | pmem/mapdb | pmem/mapdb-tx |")
    print("| --- | ---: | ---: | " + " | ".join(["---:"] * len(IMPLS)) + " | ---: | ---: | ---: | ---: |")
    for method, rp, label in OPS:
        for vs in (100, 1024):
            for t in (1, 2):
                impls = best.get((method, rp, vs, t))
                if not impls:
                    continue
                p = impls.get("pmem")
                print(f"| {label} | {vs} B | {t} | " + " | ".join(cell(impls.get(i)) for i in IMPLS)
                      + f" | {ratio(p, impls.get('chm'))} | {ratio(p, impls.get('chronicle'))}"
                      + f" | {ratio(p, impls.get('mapdb'))} | {ratio(p, impls.get('mapdb-tx'))} |")

if opens:
    print("\n## Open a pool and its map, first get (MapOpenBenchmark), µs\n")
    print("Single shots in a warm JVM, after the pool was filled and closed. `pool only` is")
    print("`PmemPool.open` alone; `map + get` is the median difference.\n")
    print("| entries | open + map + get: mean ± | median | max | pool only: median | map + get (median diff) | mean / smallest |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    smallest = None
    for n in sorted(opens):
        full = opens[n].get("openAndGet")
        pool = opens[n].get("openPoolOnly")
        if full is None:
            continue
        s, e, pct = full
        smallest = smallest or s
        med, mx = pct.get("50.0"), pct.get("100.0")
        pmed = pool[2].get("50.0") if pool else None
        diff = med - pmed if med is not None and pmed is not None else None
        us = lambda v: fmt(v / 1000) if v is not None else "—"
        print(f"| {n:,} | {us(s)}" + (f" ± {us(e)}" if e is not None else "") + f" | {us(med)} | {us(mx)} | "
              f"{us(pmed)} | {us(diff)} | {s / smallest:.2f} |")

probe = os.path.join(results_dir, "kill-probe.txt")
if os.path.exists(probe):
    with open(probe) as f:
        lines = [l.strip() for l in f if "verdict" in l]
    if lines:
        print("\n## kill -9 (MapKillProbe)\n")
        for l in lines:
            print(f"- {l}")
PY
log "raw results and report: $RESULTS_DIR"
