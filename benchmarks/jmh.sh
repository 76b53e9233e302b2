#!/usr/bin/env bash
# JMH benchmarks of the filter engine (ns/op; with -prof gc, B/op). Extra arguments go to JMH,
# for example: benchmarks/jmh.sh -prof gc FilterBenchmark.paidDecision
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B package -DskipTests -pl benchmarks -am
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" org.openjdk.jmh.Main "$@"
