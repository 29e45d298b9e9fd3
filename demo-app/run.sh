#!/usr/bin/env bash
# Starts the demo service with a JDK 25 (found as the build finds one: java on the PATH, JAVA_HOME,
# /usr/lib/jvm, SDKMAN). Arguments go to the service, e.g. --server.port=8081 --pmem.pool.path=/dev/shm/x.pool
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/pmem-demo-app-0.1.0-SNAPSHOT.jar"
[[ -f "$jar" ]] || { echo "no $jar: build it first with ./mvnw -q -pl demo-app -am package -DskipTests" >&2; exit 1; }

feature() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
java=""
for candidate in "$(command -v java || true)" "${JAVA_HOME:-}/bin/java" /usr/lib/jvm/*/bin/java \
                 "$HOME"/.sdkman/candidates/java/*/bin/java /Library/Java/JavaVirtualMachines/*/Contents/Home/bin/java; do
  if [[ -x "$candidate" ]] && (( $(feature "$candidate" || echo 0) >= 25 )); then java="$candidate"; break; fi
done
[[ -n "$java" ]] || { echo "no JDK 25 or newer found: install one, or set JAVA_HOME to it" >&2; exit 1; }
exec "$java" -jar "$jar" "$@"  # the manifest carries Enable-Native-Access
