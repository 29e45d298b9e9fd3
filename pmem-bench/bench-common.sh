# shellcheck shell=bash
# bench-common.sh - what the run-*.sh benchmark scripts share.
#
# Sourced, never run: each script sets BENCH_DIR (this folder) and then
#   source "$BENCH_DIR/bench-common.sh"
# Nothing here runs on sourcing but the definitions and ROOT. The functions read and set the
# scripts' globals: RESULTS_DIR, JAVA, JAR, POOL_DIR (named at each function).

# The repository root: the scripts cd there, and run-info.txt records its commit.
ROOT=$(cd "$BENCH_DIR/.." && pwd)

# Progress goes to stderr, so that stdout carries the report alone (the scripts tee it).
log() { printf '%s\n' "$*" >&2; }
# Errors name the script that failed, not this file.
die() { log "${0##*/}: $*"; exit 1; }

# RESULTS_DIR, default BENCH_DIR/target/bench-results/PREFIX<timestamp>, made absolute, so the
# JMH forks and report see one path whatever their working directory.
setup_results_dir() {  # [PREFIX]
  RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/target/bench-results/${1-}$(date +%Y%m%d-%H%M%S)}
  mkdir -p "$RESULTS_DIR"
  RESULTS_DIR=$(cd "$RESULTS_DIR" && pwd)
}

# --- JDK 25 ----------------------------------------------------------------------------------
# The benchmarks need the FFM API of JDK 25, and the default java on the machine may be older.
java_feature() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }

# Sets JAVA: JAVA_HOME's java if it is 25 or later, else the first /usr/lib/jvm/*25*/bin/java.
find_java25() {
  JAVA=
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]] && (( $(java_feature "$JAVA_HOME/bin/java") >= 25 )); then
    JAVA=$JAVA_HOME/bin/java
  else
    local home
    for home in /usr/lib/jvm/*25*; do
      if [[ -x $home/bin/java ]]; then JAVA=$home/bin/java; break; fi
    done
  fi
  [[ -n $JAVA ]] || die "no JDK 25 found (set JAVA_HOME to one)"
  log "java: $JAVA ($("$JAVA" -version 2>&1 | head -n 1))"
}

# --- run-info.txt ----------------------------------------------------------------------------
# What was measured, and under what load (other work on the machine skews the numbers): the
# pieces of run-info.txt, on stdout.
run_info_start() {  # started, load and commit
  echo "started: $(date -Is)"
  echo "uptime at start: $(uptime)"
  echo "commit: $(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo n/a)"
}
run_info_machine() {  # which machine, JDK ($JAVA) and pool file system ($POOL_DIR) the numbers are from
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') x $(nproc)"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "kernel: $(uname -r)"
  echo "java: $("$JAVA" -version 2>&1 | head -n 2 | tail -n 1)"
  echo "pool dir: $POOL_DIR ($(df -T "$POOL_DIR" | awk 'NR==2 {print $2}'))"
}
run_info_uncommitted() {  # the commit alone does not say what ran if the tree was dirty
  echo "uncommitted changes at start:"
  git -C "$ROOT" status --short 2>/dev/null || true
}

# Writes FILE anew: start, machine, then each LINE (the script's own settings), then uncommitted changes.
write_run_info_header() {  # FILE [LINE...]
  local file=$1; shift
  {
    run_info_start
    run_info_machine
    if (( $# > 0 )); then printf '%s\n' "$@"; fi
    run_info_uncommitted
  } > "$file"
}

# Appends the load and time at the end, to compare with the start.
finish_run_info() {  # FILE
  echo "uptime at end: $(uptime)" >> "$1"
  echo "ended: $(date -Is)" >> "$1"
}

# --- build -----------------------------------------------------------------------------------
# Builds pmem-bench (unless SKIP_BUILD is 1) and sets JAR to a copy of benchmarks.jar in DEST_DIR:
# JMH forks read the jar as they start, and a rebuild of target/ meanwhile (other work on the
# tree) must not change the classes under a running benchmark or its forks.
build_and_copy_jar() {  # DEST_DIR [SKIP_BUILD]
  if [[ ${2:-0} != 1 ]]; then
    log "building pmem-bench"
    (cd "$ROOT" && ./mvnw -q -B -pl pmem-bench -am -DskipTests package)
  fi
  [[ -f $BENCH_DIR/target/benchmarks.jar ]] || die "$BENCH_DIR/target/benchmarks.jar was not built"
  JAR=$1/benchmarks.jar
  cp "$BENCH_DIR/target/benchmarks.jar" "$JAR"
}

# --- JMH -------------------------------------------------------------------------------------
# JMH allows one run per machine (/tmp/jmh.lock); wait for another one to finish rather than
# measure next to it. /proc/locks is read, never the lock taken, so the other run is not disturbed.
jmh_lock_held() {
  [[ -e /tmp/jmh.lock ]] || return 1
  local inode
  inode=$(stat -c %i /tmp/jmh.lock)
  grep -q ":$inode " /proc/locks
}
wait_for_jmh_lock() {
  if jmh_lock_held; then
    log "   another JMH run holds /tmp/jmh.lock; waiting for it to finish"
    while jmh_lock_held; do sleep 5; done
  fi
}

# JMH carries on past a benchmark that throws; say so here, the report shows it as missing or failed.
log_jmh_failures() {  # LOGFILE
  local failures
  failures=$(grep -c '<failure>' "$1" || true)
  if (( failures > 0 )); then
    log "   $failures benchmark(s) failed, see $1"
  fi
}

# Runs the benchmarks JAR with JMH ARGS, JSON results to RESULTS_DIR/OUT, its output to OUT's .log,
# after waiting for any other JMH run; the load before it goes to run-info.txt. Between the wait and
# JMH taking the lock another run can get in first: then wait again (five tries in all).
run_jmh() {  # OUT ARGS...
  local out=$1; shift
  local logfile=$RESULTS_DIR/${out%.json}.log
  log "== JMH $* -> $out"
  local attempt
  for attempt in 1 2 3 4 5; do
    wait_for_jmh_lock
    echo "uptime before $out: $(uptime)" >> "$RESULTS_DIR/run-info.txt"
    # JMH passes this JVM's options on to its forks, so the pool directory reaches them too.
    if "$JAVA" --enable-native-access=ALL-UNNAMED -Dpmem.bench.dir="$POOL_DIR" -jar "$JAR" "$@" \
        -rf json -rff "$RESULTS_DIR/$out" > "$logfile" 2>&1; then
      break
    fi
    if grep -q 'Unable to acquire the JMH lock' "$logfile" && (( attempt < 5 )); then
      log "   lost the race for the JMH lock; retrying"
      sleep 10
      continue
    fi
    die "JMH run failed, see $logfile"
  done
  log_jmh_failures "$logfile"
}

# --- Redis (run-cache-benchmarks.sh, run-coherence-benchmarks.sh) ----------------------------
# A private server: a free loopback port, a temporary directory, append-only file with fsync every
# second and no RDB snapshots (an acknowledged write survives kill -9 of redis-server, not a power
# loss: the promise of the pool's PROCESS durability). Stopped on exit, whatever happens.
REDIS_PID=
REDIS_DIR=
stop_redis() {
  if [[ -n $REDIS_PID ]] && kill -0 "$REDIS_PID" 2>/dev/null; then
    kill "$REDIS_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$REDIS_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
  fi
  REDIS_PID=
  if [[ -n $REDIS_DIR && -d $REDIS_DIR ]]; then
    cp "$REDIS_DIR/redis.log" "$RESULTS_DIR/redis.log" 2>/dev/null || true
    rm -rf "$REDIS_DIR"
  fi
  REDIS_DIR=
}

ensure_redis_installed() {
  command -v redis-server > /dev/null && command -v redis-cli > /dev/null && return 0
  if [[ $(id -u) != 0 ]] || ! command -v apt-get > /dev/null; then
    log "   redis-server is not installed and cannot be installed here (needs root and apt-get)"
    return 1
  fi
  log "   installing redis-server (Debian package)"
  # The package lists may be missing or stale on a fresh machine: update once if the first try fails.
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server > "$RESULTS_DIR/apt.log" 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >> "$RESULTS_DIR/apt.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >> "$RESULTS_DIR/apt.log" 2>&1 || {
      log "   apt-get install redis-server failed, see $RESULTS_DIR/apt.log"
      return 1
    }
  fi
  command -v redis-server > /dev/null && command -v redis-cli > /dev/null
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_redis() {
  ensure_redis_installed || return 1
  REDIS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pmem-bench-redis.XXXXXX")
  local port
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --protected-mode yes --dir "$REDIS_DIR" \
    --save '' --appendonly yes --appendfsync everysec --daemonize no \
    --logfile "$REDIS_DIR/redis.log" > /dev/null 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 1 100); do
    if [[ $(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]]; then
      export PMEM_BENCH_REDIS=127.0.0.1:$port
      REDIS_NOTE="$(redis-server --version | head -n 1), 127.0.0.1:$port, appendonly yes, appendfsync everysec, no RDB snapshots, dir $REDIS_DIR"
      log "   redis-server pid $REDIS_PID on 127.0.0.1:$port"
      return 0
    fi
    kill -0 "$REDIS_PID" 2>/dev/null || break
    sleep 0.1
  done
  log "   redis-server did not start, see $RESULTS_DIR/redis.log"
  stop_redis
  return 1
}
