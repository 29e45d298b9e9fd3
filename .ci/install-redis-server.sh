#!/usr/bin/env bash
# Installs redis-server from Debian's packages when it is missing. The coherence tests (pmem-cache-redis,
# demo-app) and the cache benchmarks start private servers of their own on free loopback ports; the
# package's own service is not started (no init system runs here, and nothing talks to port 6379).
set -euo pipefail
if command -v redis-server > /dev/null; then
  exit 0
fi
if [[ $(id -u) != 0 ]] || ! command -v apt-get > /dev/null; then
  echo "redis-server is missing and cannot be installed here (needs root and apt-get):" \
       "install it (Debian: apt-get install redis-server) or put it on PATH" >&2
  exit 1
fi
log=$(mktemp "${TMPDIR:-/tmp}/redis-install.XXXXXX.log")
# Package lists may be missing or stale on a fresh machine: update once if the first try fails.
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server > "$log" 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get update -q >> "$log" 2>&1 || true
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >> "$log" 2>&1; then
    echo "apt-get install redis-server failed:" >&2
    tail -20 "$log" >&2
    exit 1
  fi
fi
rm -f "$log"
command -v redis-server > /dev/null
