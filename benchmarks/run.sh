#!/usr/bin/env bash
# Builds the benchmarks and runs one of them by class name, with its arguments:
#   benchmarks/run.sh LedgerThroughput --seconds 5 --rounds 3
#   benchmarks/run.sh StoreThroughput --seconds 5 --rounds 3
#   benchmarks/run.sh BoundedMemory 1000000            (JVM options: JAVA_OPTS="-Xmx1g")
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: benchmarks/run.sh <LedgerThroughput|StoreThroughput|BoundedMemory> [args]" >&2; exit 2; }
main="$1"; shift
mvn -q -B package -DskipTests -pl benchmarks -am
exec java ${JAVA_OPTS:-} -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  "dev.tollgate.benchmarks.$main" "$@"
