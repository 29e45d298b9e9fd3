#!/usr/bin/env bash
# build-pmdk.sh - build the PMDK libpmemobj baseline (pmdk_bench.c) and print the binary's path.
#
# What Java cannot do for the benchmark suites (dev.pmemspring.bench.suite.PmdkBaseline): install
# libpmemobj-dev when it is missing (root and apt-get needed) and compile the C program. The suites
# run the binary themselves, one configuration at a time, with each mode's PMDK environment.
#
# Usage:  bash build-pmdk.sh
# Env:    BUILD_DIR (default /tmp/pmdk-bench-build, must be outside the repository)
# stdout: the path of the built binary, alone. Progress, apt and compiler output go to stderr.
set -euo pipefail

log() { printf '%s\n' "$*" >&2; }
die() { log "build-pmdk.sh: $*"; exit 1; }

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_DIR=${BUILD_DIR:-/tmp/pmdk-bench-build}

# Never build inside the repository.
REPO_ROOT=$(git -C "$SCRIPT_DIR" rev-parse --show-toplevel 2>/dev/null || (cd "$SCRIPT_DIR/../.." && pwd))
case "$(realpath -m "$BUILD_DIR")/" in
  "$REPO_ROOT"/*) die "BUILD_DIR ($BUILD_DIR) must be outside the repository ($REPO_ROOT)" ;;
esac

# --- PMDK development package ------------------------------------------------
if ! { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libpmemobj; }; then
  [[ $(id -u) -eq 0 ]] || die "libpmemobj-dev is missing and we are not root to install it"
  log "installing libpmemobj-dev (and pkg-config) with apt-get"
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y libpmemobj-dev pkg-config >&2
  pkg-config --exists libpmemobj || die "libpmemobj still not found by pkg-config"
fi
log "libpmemobj $(pkg-config --modversion libpmemobj)"

# --- build ---------------------------------------------------------------------
mkdir -p "$BUILD_DIR"
BIN=$BUILD_DIR/pmdk_bench
# pkg-config output is left unquoted on purpose: it must split into words.
# shellcheck disable=SC2046
gcc -O2 -o "$BIN" "$SCRIPT_DIR/pmdk_bench.c" $(pkg-config --cflags --libs libpmemobj) -lpthread >&2
log "built $BIN"
printf '%s\n' "$BIN"
