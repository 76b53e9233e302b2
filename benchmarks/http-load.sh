#!/usr/bin/env bash
# HTTP load, side by side in one run, on loopback, with wrk:
#   1. the free endpoint (/api/hello) with Tollgate on vs the same WAR with Tollgate switched off
#      (context parameter tollgate.enabled=false): throughput ratio and p99 difference;
#   2. the paid endpoint (/api/quotes/ACME as demo-gold, topped up for the run) vs the free endpoint.
# Each pair is measured alternately (A, B, A, B, ...) and reported as medians.
# Usage: benchmarks/http-load.sh [seconds per run, default 10] [rounds, default 3] [connections, default 64]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
ROUNDS=${2:-3}
CONNECTIONS=${3:-64}
THREADS=2

if ! command -v wrk >/dev/null; then
  echo "Installing wrk from Debian's packages..."
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi

mvn -q -B package -DskipTests -pl sample-launcher -am
CP="sample-launcher/target/classes:$(mvn -q -B -pl sample-launcher dependency:build-classpath -Dmdep.outputFile=/dev/stdout)"
WAR=sample-webapp/target/sample-webapp.war
ON=18181
OFF=18182
LOGS=$(mktemp -d)
start() { # port, extra JVM flags...
  local port=$1; shift
  java -Xms512m -Xmx512m "$@" -Dport=$port -Dhost=127.0.0.1 -Dtollgate.sample.war=$WAR -DTOLLGATE_ADMIN_KEY=bench \
    -DTOLLGATE_JDBC_URL= -DTOLLGATE_RATELIMIT_STORE= -cp "$CP" dev.tollgate.sample.launcher.SampleLauncher \
    > "$LOGS/$port.log" 2>&1 &
  echo $!
}
PID_ON=$(start $ON)
PID_OFF=$(start $OFF -Dtollgate.enabled=false)
trap 'kill $PID_ON $PID_OFF 2>/dev/null || true; rm -rf "$LOGS"' EXIT
for port in $ON $OFF; do
  for i in $(seq 1 60); do
    curl -fs "http://127.0.0.1:$port/api/hello" >/dev/null && break
    sleep 1
  done
done
# Enough credits for every paid request of the run.
curl -fs -X POST -H 'X-Admin-Key: bench' -H 'Content-Type: application/json' \
  -d '{"amount":"1000000000"}' "http://127.0.0.1:$ON/admin/accounts/demo-gold/credit" >/dev/null

run() { # name, url, extra wrk args... -> "rps p99ms"
  local out
  out=$(wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s --latency "${@:2}" 2>&1)
  local rps p99
  rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}')
  local errors
  errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  if [ -n "$errors" ]; then echo "non-2xx responses in $1: $errors" >&2; exit 1; fi
  echo "$rps $p99"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

HELLO=/api/hello
PAID=/api/quotes/ACME
echo "Warming up..."
wrk -t$THREADS -c$CONNECTIONS -d15s "http://127.0.0.1:$ON$HELLO" >/dev/null
wrk -t$THREADS -c$CONNECTIONS -d15s "http://127.0.0.1:$OFF$HELLO" >/dev/null
wrk -t$THREADS -c$CONNECTIONS -d15s -H 'X-API-Key: demo-gold' "http://127.0.0.1:$ON$PAID" >/dev/null

declare -a A_RPS A_P99 B_RPS B_P99 P_RPS P_P99 F_RPS F_P99
for r in $(seq 1 $ROUNDS); do
  read -r x y < <(run on "http://127.0.0.1:$ON$HELLO"); A_RPS+=($x); A_P99+=($y)
  read -r x y < <(run off "http://127.0.0.1:$OFF$HELLO"); B_RPS+=($x); B_P99+=($y)
done
for r in $(seq 1 $ROUNDS); do
  read -r x y < <(run paid "http://127.0.0.1:$ON$PAID" -H 'X-API-Key: demo-gold'); P_RPS+=($x); P_P99+=($y)
  read -r x y < <(run free "http://127.0.0.1:$ON$HELLO"); F_RPS+=($x); F_P99+=($y)
done
m() { printf '%s\n' "$@" | median; }
a=$(m "${A_RPS[@]}"); b=$(m "${B_RPS[@]}"); ap=$(m "${A_P99[@]}"); bp=$(m "${B_P99[@]}")
p=$(m "${P_RPS[@]}"); f=$(m "${F_RPS[@]}"); pp=$(m "${P_P99[@]}"); fp=$(m "${F_P99[@]}")
echo
echo "wrk -t$THREADS -c$CONNECTIONS, ${SECONDS_PER_RUN} s per run, $ROUNDS rounds, alternating; medians"
echo
echo "| comparison | A req/s | B req/s | A/B | A p99 ms | B p99 ms | p99 A-B ms |"
echo "|---|---|---|---|---|---|---|"
awk -v a=$a -v b=$b -v ap=$ap -v bp=$bp 'BEGIN {printf "| free endpoint: Tollgate on (A) vs off (B) | %.0f | %.0f | %.3f | %.2f | %.2f | %+.2f |\n", a, b, a/b, ap, bp, ap-bp}'
awk -v a=$p -v b=$f -v ap=$pp -v bp=$fp 'BEGIN {printf "| paid (A) vs free (B), Tollgate on | %.0f | %.0f | %.3f | %.2f | %.2f | %+.2f |\n", a, b, a/b, ap, bp, ap-bp}'
echo
echo "all runs (req/s): on ${A_RPS[*]} | off ${B_RPS[*]} | paid ${P_RPS[*]} | free ${F_RPS[*]}"
