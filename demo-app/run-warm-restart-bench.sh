#!/usr/bin/env bash
# Warm-restart benchmark (issue 8): the demo service on the pmem cache vs the same service on
# Caffeine; after a clean stop and after kill -9, how long from process start until the whole
# working set is served, and how many back-end calls on the way. Results: docs/benchmarks.md.
#
#   bash demo-app/run-warm-restart-bench.sh [SIZES] [BACKEND_LATENCY_MS] [CLIENTS]
#   bash demo-app/run-warm-restart-bench.sh 1000,100000 20 32        (the defaults)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes="${1:-1000,100000}"; latency="${2:-20}"; clients="${3:-32}"
./mvnw -q -pl demo-app -am package -DskipTests
work="demo-app/target/warm-restart-bench"
mkdir -p "$work"
# Caffeine is not in the demo jar: fetch it and hand it to Boot's PropertiesLauncher (loader.path)
./mvnw -q -pl demo-app dependency:copy -Dartifact=com.github.ben-manes.caffeine:caffeine:3.2.4 \
  -DoutputDirectory="$PWD/$work" -Dmdep.overWriteIfNewer=true
java=""
for candidate in "${JAVA_HOME:-}/bin/java" "$(command -v java || true)" /usr/lib/jvm/*/bin/java "$HOME"/.sdkman/candidates/java/*/bin/java; do
  v=$("$candidate" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' || true)
  if [[ -x "$candidate" && -n "$v" ]] && (( v >= 25 )); then java="$candidate"; break; fi
done
[[ -n "$java" ]] || { echo "no JDK 25 found" >&2; exit 1; }
echo "load average before: $(cut -d" " -f1-3 /proc/loadavg)"
# a copy of the jar, so a rebuild in this work tree during the run cannot change what is measured
cp demo-app/target/pmem-demo-app-0.1.0-SNAPSHOT.jar "$work/demo.jar"
"$java" demo-app/bench/WarmRestartBench.java "$work/demo.jar" \
  "$work/caffeine-3.2.4.jar" "$work" "$sizes" "$latency" "$clients"
echo "load average after: $(cut -d" " -f1-3 /proc/loadavg)"
