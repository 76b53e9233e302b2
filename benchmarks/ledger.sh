#!/usr/bin/env bash
# Reserve + commit throughput of the PostgreSQL ledger next to the raw conditional UPDATE.
# Usage: benchmarks/ledger.sh [--url jdbc:postgresql://127.0.0.1:5432/test] [--user postgres]
#                             [--seconds 5] [--rounds 3] [--threads 1,8,64]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B package -DskipTests -pl benchmarks -am
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.tollgate.benchmarks.LedgerThroughput "$@"
