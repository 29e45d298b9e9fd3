#!/usr/bin/env bash
# run-pmdk.sh - build pmdk_bench.c (PMDK libpmemobj baseline) and run the full
# matrix in both modes:
#   process: PMEM_IS_PMEM_FORCE=1 PMEM_NO_FLUSH=1 (no cache flushes, only fences)
#   sync:    both unset (PMDK's default msync() path on a non-DAX file)
#
# Usage:  bash run-pmdk.sh                  full matrix, SECONDS=3 per run
#         SECONDS=2 bash run-pmdk.sh        measured seconds per run
#         QUICK=1 bash run-pmdk.sh          one tiny config per benchmark (smoke)
# Env:    BUILD_DIR (default /tmp/pmdk-bench-build, must be outside the repo)
#         POOL_DIR  (default /dev/shm; pool files are created and removed there)
# stdout: CSV only: pmdk,<benchmark>,<mode>,<param>,<threads>,<ns_per_op>
# Progress, apt and compiler output go to stderr.
set -euo pipefail

log() { printf '%s\n' "$*" >&2; }
die() { log "run-pmdk.sh: $*"; exit 1; }

# In bash, $SECONDS is special (seconds since the shell started). So read the
# caller's value from our own initial environment block.
env_seconds=$( (tr '\0' '\n' </proc/$$/environ | sed -n 's/^SECONDS=//p' | head -n 1) 2>/dev/null || true)
QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
  MEASURE_SECONDS=1
else
  MEASURE_SECONDS=${env_seconds:-3}
fi
[[ $MEASURE_SECONDS =~ ^[1-9][0-9]*$ ]] || die "SECONDS must be a positive integer (got '$MEASURE_SECONDS')"

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_DIR=${BUILD_DIR:-/tmp/pmdk-bench-build}
POOL_DIR=${POOL_DIR:-/dev/shm}

# Never build inside the repository.
REPO_ROOT=$(git -C "$SCRIPT_DIR" rev-parse --show-toplevel 2>/dev/null || (cd "$SCRIPT_DIR/../.." && pwd))
case "$(realpath -m "$BUILD_DIR")/" in
  "$REPO_ROOT"/*) die "BUILD_DIR ($BUILD_DIR) must be outside the repository ($REPO_ROOT)" ;;
esac
[[ -d $POOL_DIR && -w $POOL_DIR ]] || die "POOL_DIR ($POOL_DIR) is not a writable directory"

# --- 1. PMDK development package ---------------------------------------------
if ! { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libpmemobj; }; then
  [[ $(id -u) -eq 0 ]] || die "libpmemobj-dev is missing and we are not root to install it"
  log "installing libpmemobj-dev (and pkg-config) with apt-get"
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y libpmemobj-dev pkg-config >&2
  pkg-config --exists libpmemobj || die "libpmemobj still not found by pkg-config"
fi
log "libpmemobj $(pkg-config --modversion libpmemobj)"

# --- 2. build ------------------------------------------------------------------
mkdir -p "$BUILD_DIR"
BIN=$BUILD_DIR/pmdk_bench
# pkg-config output is left unquoted on purpose: it must split into words.
# shellcheck disable=SC2046
gcc -O2 -o "$BIN" "$SCRIPT_DIR/pmdk_bench.c" $(pkg-config --cflags --libs libpmemobj) -lpthread >&2
log "built $BIN"
# Other load on the machine skews the numbers, 2-thread runs most of all.
log "loadavg at start: $(cat /proc/loadavg 2>/dev/null || echo n/a)"

# --- 3. run ----------------------------------------------------------------------
# run MODE ARGS...: run one configuration with the PMDK environment for MODE.
run() {
  local mode=$1; shift
  log "== [$mode] $*"
  case $mode in
    process) env PMEM_IS_PMEM_FORCE=1 PMEM_NO_FLUSH=1 \
               "$BIN" --dir "$POOL_DIR" --mode "$mode" "$@" ;;
    sync)    env -u PMEM_IS_PMEM_FORCE -u PMEM_NO_FLUSH \
               "$BIN" --dir "$POOL_DIR" --mode "$mode" "$@" ;;
    *)       die "unknown mode $mode" ;;
  esac
}

S=$MEASURE_SECONDS
# open-time: "exec" (fresh process per sample) is the main number, printed as
# open-time. "inproc" (reopen in the same process, warm malloc) is printed as
# open-time-inproc for reference. See pmdk_bench.c.
OPEN_METHODS=exec,inproc

for mode in process sync; do
  if [[ $QUICK == 1 ]]; then
    run "$mode" alloc-free 64 1 "$S"
    run "$mode" alloc-into-free 64 1 "$S"
    run "$mode" --open-method "$OPEN_METHODS" open-time 10000
    run "$mode" tx-snapshot 64 1 "$S"
    run "$mode" tx-alloc 256 1 "$S"
    continue
  fi
  for size in 64 256 4096 1048576; do
    for t in 1 2; do run "$mode" alloc-free "$size" "$t" "$S"; done
    for t in 1 2; do run "$mode" alloc-into-free "$size" "$t" "$S"; done
  done
  for n in 200000 2000000; do
    run "$mode" --open-method "$OPEN_METHODS" open-time "$n"
  done
  for size in 64 4096; do
    for t in 1 2; do run "$mode" tx-snapshot "$size" "$t" "$S"; done
  done
  for t in 1 2; do run "$mode" tx-alloc 256 "$t" "$S"; done
done
log "done; loadavg at end: $(cat /proc/loadavg 2>/dev/null || echo n/a)"
