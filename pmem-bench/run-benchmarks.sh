#!/usr/bin/env bash
# run-benchmarks.sh - the allocator benchmarks side by side with the PMDK baseline, in one run.
#
# Builds the benchmarks jar, runs PMDK's libpmemobj baseline (native/run-pmdk.sh) and our JMH
# benchmarks on the same machine, one after the other, then prints a markdown table with the
# ratio ours/PMDK (below 1 means we are faster).
#
# Usage:  pmem-bench/run-benchmarks.sh            full run (fork 1, warmup 2x2 s, measure 5x2 s)
#         QUICK=1 pmem-bench/run-benchmarks.sh    smoke run (fork 1, warmup 1x1 s, measure 2x1 s)
# Env:    RESULTS_DIR   where raw results and the report go
#                       (default pmem-bench/target/bench-results/<timestamp>, ignored by git)
#         PMDK_SECONDS  measured seconds per PMDK loop configuration (default 5, QUICK: 1)
#         SKIP_PMDK=1   run ours only; the PMDK columns say "pending"
#         POOL_DIR      where pools are created (default /dev/shm), for both sides
set -euo pipefail

log() { printf '%s\n' "$*" >&2; }
die() { log "run-benchmarks.sh: $*"; exit 1; }

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
cd "$ROOT"

QUICK=${QUICK:-0}
SKIP_PMDK=${SKIP_PMDK:-0}
POOL_DIR=${POOL_DIR:-/dev/shm}
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/target/bench-results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$RESULTS_DIR"
RESULTS_DIR=$(cd "$RESULTS_DIR" && pwd)

if [[ $QUICK == 1 ]]; then
  LOOP_OPTS=(-f 1 -wi 1 -w 1s -i 2 -r 1s)
  OPEN_WARM_OPTS=(-f 1 -wi 1 -i 2)
  OPEN_COLD_FORKS=1
  PMDK_SECONDS=${PMDK_SECONDS:-1}
else
  LOOP_OPTS=(-f 1 -wi 2 -w 2s -i 5 -r 2s)
  # Opening takes milliseconds, so many shots are cheap; the first few run interpreted.
  OPEN_WARM_OPTS=(-f 1 -wi 10 -i 20)
  # One cold shot per fresh JVM, five JVMs: the counterpart of PMDK's median of five exec'd opens.
  OPEN_COLD_FORKS=5
  PMDK_SECONDS=${PMDK_SECONDS:-5}
fi

# --- JDK 25 ----------------------------------------------------------------------------------
java_feature() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
JAVA=
if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]] && (( $(java_feature "$JAVA_HOME/bin/java") >= 25 )); then
  JAVA=$JAVA_HOME/bin/java
else
  for home in /usr/lib/jvm/*25*; do
    if [[ -x $home/bin/java ]]; then JAVA=$home/bin/java; break; fi
  done
fi
[[ -n $JAVA ]] || die "no JDK 25 found (set JAVA_HOME to one)"
log "java: $JAVA ($("$JAVA" -version 2>&1 | head -n 1))"

# --- build -----------------------------------------------------------------------------------
log "building pmem-bench"
./mvnw -q -B -pl pmem-bench -am -DskipTests package
JAR=$BENCH_DIR/target/benchmarks.jar
[[ -f $JAR ]] || die "$JAR was not built"

# --- PMDK baseline ---------------------------------------------------------------------------
PMDK_CSV=$RESULTS_DIR/pmdk.csv
: > "$PMDK_CSV"
if [[ $SKIP_PMDK == 1 ]]; then
  log "SKIP_PMDK=1: PMDK baseline not run"
elif [[ ! -f $BENCH_DIR/native/run-pmdk.sh ]]; then
  log "native/run-pmdk.sh does not exist yet: PMDK baseline not run"
else
  log "running the PMDK baseline ($PMDK_SECONDS s per configuration; log in $RESULTS_DIR/pmdk.log)"
  # Always the full matrix (not run-pmdk.sh's QUICK), so every row of ours has its PMDK row.
  # env, because SECONDS is special in bash.
  if ! env -u QUICK SECONDS="$PMDK_SECONDS" POOL_DIR="$POOL_DIR" \
      bash "$BENCH_DIR/native/run-pmdk.sh" > "$PMDK_CSV" 2> "$RESULTS_DIR/pmdk.log"; then
    log "the PMDK baseline failed (see $RESULTS_DIR/pmdk.log); its rows that did finish are kept"
  fi
fi

# --- ours (JMH) ------------------------------------------------------------------------------
jmh() {
  local out=$1; shift
  log "== JMH $* -> $out"
  # JMH passes this JVM's options on to its forks, so the pool directory reaches them too.
  "$JAVA" --enable-native-access=ALL-UNNAMED -Dpmem.bench.dir="$POOL_DIR" -jar "$JAR" "$@" \
    -rf json -rff "$RESULTS_DIR/$out" > "$RESULTS_DIR/${out%.json}.log" 2>&1 \
    || die "JMH run failed, see $RESULTS_DIR/${out%.json}.log"
  # JMH carries on past a benchmark that throws; say so here, the report shows it as failed.
  local failures
  failures=$(grep -c '<failure>' "$RESULTS_DIR/${out%.json}.log" || true)
  if (( failures > 0 )); then
    log "   $failures benchmark(s) failed, see $RESULTS_DIR/${out%.json}.log"
  fi
}

jmh alloc-t1.json AllocatorBenchmark -t 1 "${LOOP_OPTS[@]}"
jmh alloc-t2.json AllocatorBenchmark -t 2 "${LOOP_OPTS[@]}"
jmh open-warm.json OpenBenchmark "${OPEN_WARM_OPTS[@]}"
jmh open-cold.json OpenBenchmark -f "$OPEN_COLD_FORKS" -wi 0 -i 1

# --- report ----------------------------------------------------------------------------------
python3 "$BENCH_DIR/report.py" "$RESULTS_DIR" | tee "$RESULTS_DIR/report.md"
log "raw results and report: $RESULTS_DIR"
