#!/usr/bin/env bash
# run-benchmarks.sh - our benchmarks side by side with the PMDK baseline, in one run.
#
# Builds the benchmarks jar, runs PMDK's libpmemobj baseline (native/run-pmdk.sh) and our JMH
# benchmarks (allocator, transactions, open, recovery) on the same machine, one after the other,
# then prints markdown tables: ratio ours/PMDK (below 1 means we are faster), and recovery time
# by amount of live data (ours only).
#
# Usage:  pmem-bench/run-benchmarks.sh            full run (fork 1; allocator: warmup 2x2 s,
#                                                 transactions: warmup 5x2 s; measure 5x2 s)
#         QUICK=1 pmem-bench/run-benchmarks.sh    smoke run (fork 1, warmup 1x1 s, measure 2x1 s)
# Env:    RESULTS_DIR   where raw results and the report go
#                       (default pmem-bench/target/bench-results/<timestamp>, ignored by git)
#         PMDK_SECONDS  measured seconds per PMDK loop configuration (default 5, QUICK: 1)
#         SKIP_PMDK=1   run ours only; the PMDK columns say "pending"
#         POOL_DIR      where pools are created (default /dev/shm), for both sides
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench-common.sh
source "$BENCH_DIR/bench-common.sh"
cd "$ROOT"

QUICK=${QUICK:-0}
SKIP_PMDK=${SKIP_PMDK:-0}
POOL_DIR=${POOL_DIR:-/dev/shm}
setup_results_dir

if [[ $QUICK == 1 ]]; then
  LOOP_OPTS=(-f 1 -wi 1 -w 1s -i 2 -r 1s)
  TX_OPTS=("${LOOP_OPTS[@]}")
  OPEN_WARM_OPTS=(-f 1 -wi 1 -i 2)
  OPEN_COLD_FORKS=1
  RECOVERY_OPTS=(-f 1 -wi 2 -i 3)
  PMDK_SECONDS=${PMDK_SECONDS:-1}
else
  LOOP_OPTS=(-f 1 -wi 2 -w 2s -i 5 -r 2s)
  # A transaction is far more code than an allocation: C2 needs 6-8 s of it on this 2-vCPU VM
  # before the per-op time settles (2x2 s leaves the first measured iterations 3-5x slow).
  TX_OPTS=(-f 1 -wi 5 -w 2s -i 5 -r 2s)
  # Opening takes milliseconds, so many shots are cheap; the first few run interpreted.
  OPEN_WARM_OPTS=(-f 1 -wi 10 -i 20)
  # One cold shot per fresh JVM, five JVMs: the counterpart of PMDK's median of five exec'd opens.
  OPEN_COLD_FORKS=5
  # Recovery: one shot = one open after one interrupted transaction; warm, as the open benchmark's
  # in-process reading (the first open of a fresh JVM adds class loading whatever the pool holds).
  RECOVERY_OPTS=(-f 1 -wi 20 -i 30)
  PMDK_SECONDS=${PMDK_SECONDS:-5}
fi

find_java25

# This script's run-info.txt has no machine lines (cpu, memory, kernel, java, pool dir).
{ run_info_start; run_info_uncommitted; } > "$RESULTS_DIR/run-info.txt"

# --- build -----------------------------------------------------------------------------------
# Always builds (no SKIP_BUILD here), and runs from a temporary directory, not RESULTS_DIR.
JAR_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pmem-bench-jar.XXXXXX")
trap 'rm -rf "$JAR_DIR"' EXIT
build_and_copy_jar "$JAR_DIR"

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
# Not bench-common.sh's run_jmh: this script neither waits for another JMH run nor writes the
# load before each run to run-info.txt; a JMH run that fails ends it, as does one that finds the
# JMH lock held by another run.
jmh() {
  local out=$1; shift
  log "== JMH $* -> $out"
  # JMH passes this JVM's options on to its forks, so the pool directory reaches them too.
  "$JAVA" --enable-native-access=ALL-UNNAMED -Dpmem.bench.dir="$POOL_DIR" -jar "$JAR" "$@" \
    -rf json -rff "$RESULTS_DIR/$out" > "$RESULTS_DIR/${out%.json}.log" 2>&1 \
    || die "JMH run failed, see $RESULTS_DIR/${out%.json}.log"
  log_jmh_failures "$RESULTS_DIR/${out%.json}.log"
}

# A JMH include pattern is a regex searched in the full name: anchor it, or OpenBenchmark would
# also run MapOpenBenchmark.
only() { printf '^dev\\.pmemspring\\.bench\\.%s\\.' "$1"; }

jmh alloc-t1.json "$(only AllocatorBenchmark)" -t 1 "${LOOP_OPTS[@]}"
jmh alloc-t2.json "$(only AllocatorBenchmark)" -t 2 "${LOOP_OPTS[@]}"
jmh tx-t1.json "$(only TransactionBenchmark)" -t 1 "${TX_OPTS[@]}"
jmh tx-t2.json "$(only TransactionBenchmark)" -t 2 "${TX_OPTS[@]}"
jmh open-warm.json "$(only OpenBenchmark)" "${OPEN_WARM_OPTS[@]}"
jmh open-cold.json "$(only OpenBenchmark)" -f "$OPEN_COLD_FORKS" -wi 0 -i 1
jmh recovery.json "$(only RecoveryBenchmark)" "${RECOVERY_OPTS[@]}"
# Control: the same with the JVM heap committed and touched up front. Open allocates a small
# volatile object per run, and on this VM every first touch of a heap page is a costly fault.
jmh recovery-pretouch.json "$(only RecoveryBenchmark)" -p durability=PROCESS -p liveMiB=10,1024 -p txSpanMiB=all \
  -jvmArgsAppend "-Xms2g -Xmx2g -XX:+AlwaysPreTouch" "${RECOVERY_OPTS[@]}"
finish_run_info "$RESULTS_DIR/run-info.txt"

# --- report ----------------------------------------------------------------------------------
python3 "$BENCH_DIR/report.py" "$RESULTS_DIR" | tee "$RESULTS_DIR/report.md"
log "raw results and report: $RESULTS_DIR"
