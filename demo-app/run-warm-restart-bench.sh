#!/usr/bin/env bash
# Warm-restart benchmark (issue 8): the demo service on the pmem cache, on Caffeine, on Ehcache 3
# with a persistent disk tier (JCache) and on Redis (a redis-server with an append-only file,
# restarted with the service); after kill -9 and after a clean stop, how long from process start
# until the whole working set is served, how much of the start-up is the cache's own, and how many
# back-end calls on the way. Results: docs/benchmarks.md. Not part of ./mvnw verify.
#
#   bash demo-app/run-warm-restart-bench.sh [SIZES] [CLIENTS] [CACHES]
#   bash demo-app/run-warm-restart-bench.sh 1000@20,100000@20,1000000@5 32 pmem,caffeine,ehcache,redis
#                                                                                   (the defaults)
# SIZES: entries@back-end latency in ms. Output: a markdown table on standard output; one CSV line
# per restart in demo-app/target/warm-restart-bench/results.csv (appended to, so runs add up); the
# services' and redis-server's logs next to it.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="${1:-1000@20,100000@20,1000000@5}"; clients="${2:-32}"; caches="${3:-pmem,caffeine,ehcache,redis}"
work="$PWD/demo-app/target/warm-restart-bench"
mkdir -p "$work"

java=""
for candidate in "${JAVA_HOME:-}/bin/java" "$(command -v java || true)" /usr/lib/jvm/*/bin/java "$HOME"/.sdkman/candidates/java/*/bin/java; do
  v=$("$candidate" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' || true)
  if [[ -x "$candidate" && -n "$v" ]] && (( v >= 25 )); then java="$candidate"; break; fi
done
[[ -n "$java" ]] || { echo "no JDK 25 found" >&2; exit 1; }
jdk_bin=$(dirname "$java")

if [[ ,$caches, == *,redis,* ]] && ! command -v redis-server > /dev/null; then
  # the Debian package; the lists may be missing or stale on a fresh machine: update once if needed
  [[ $(id -u) == 0 ]] && command -v apt-get > /dev/null || { echo "redis-server missing (apt-get install redis-server)" >&2; exit 1; }
  echo "installing redis-server (Debian package)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server > "$work/apt.log" 2>&1 || {
    DEBIAN_FRONTEND=noninteractive apt-get update -q >> "$work/apt.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >> "$work/apt.log" 2>&1
  }
fi

./mvnw -q -pl demo-app -am package -DskipTests
# a copy of the jar, so a rebuild in this work tree during the run cannot change what is measured
cp demo-app/target/pmem-demo-app-0.1.0-SNAPSHOT.jar "$work/demo.jar"
rm -rf "$work/lib" "$work/jars" "$work/probe-classes"
mkdir -p "$work/lib" "$work/probe-classes"
(cd "$work/lib" && unzip -q -j ../demo.jar 'BOOT-INF/lib/*')

# The peers are not in the demo jar: each one's jars go to a folder of their own, handed to Boot's
# PropertiesLauncher with loader.path; jars the demo already holds are left out.
for peer in caffeine ehcache redis; do
  [[ ,$caches, == *,$peer,* ]] || continue
  ./mvnw -q -f demo-app/bench/peers/pom.xml -P "$peer" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$work/jars/$peer"
  for j in "$work/jars/$peer"/*.jar; do
    [[ -e "$work/lib/$(basename "$j")" ]] && rm "$j"
  done
done

# The start-up probe (benchmark only): times the creation of the cache's beans inside Spring's start-up.
"$jdk_bin/javac" --release 25 -nowarn -d "$work/probe-classes" -cp "$work/lib/*" demo-app/bench/probe/BenchStartupProbe.java
cp -r demo-app/bench/probe/META-INF "$work/probe-classes/"
"$jdk_bin/jar" --create --file "$work/probe.jar" -C "$work/probe-classes" .

echo "$(date -u +%FT%TZ) load average before: $(cut -d" " -f1-3 /proc/loadavg)"
echo "redis: $(redis-server --version 2>/dev/null | head -n 1 || echo none)"
"$java" demo-app/bench/WarmRestartBench.java "$work/demo.jar" "$work" "$sizes" "$clients" "$caches"
echo "$(date -u +%FT%TZ) load average after: $(cut -d" " -f1-3 /proc/loadavg)"
