#!/usr/bin/env bash
# HTTP load, side by side in one run, on loopback, with wrk. Each pair is measured alternately
# (A, B, B, A, A, B, ...) with the same wrk settings and reported as medians:
#   1. the free endpoint (/api/hello, no policy) with Tollgate vs the same WAR without Tollgate
#      (tollgate.enabled=false) and an empty filter on /* mapped as Tollgate maps its own;
#   2. the same endpoint rate-limited by a configured policy that never refuses (per client address,
#      a billion requests a second) vs unlimited (the instance of 1); and the same limit with
#      tollgate.rateLimit.headers=NONE, to tell the limiter's cost from its two response headers;
#   3. the paid endpoint (/api/quotes/ACME as demo-gold, topped up for the run) vs the free endpoint, and vs
#      the same quotes endpoint on the WAR without Tollgate (what Tollgate adds to that very endpoint: the
#      quotes servlet itself does more than /api/hello, so the first ratio also counts its own work);
#   4. with --peer: bucket4j-spring-boot-starter 0.12.10 on Spring Boot 3.4.5 (benchmarks/peer-bucket4j-boot),
#      the same endpoint limited the same way vs unlimited (bucket4j.enabled=false).
# The servers run on CPU 0 and wrk on CPU 1 (taskset) when the machine has at least two.
# Usage: benchmarks/http-load.sh [seconds per run, default 10] [rounds, default 3] [connections, default 64] [--peer]
set -euo pipefail
cd "$(dirname "$0")/.."
PEER=false
ARGS=()
for a in "$@"; do
  if [ "$a" = --peer ]; then PEER=true; else ARGS+=("$a"); fi
done
SECONDS_PER_RUN=${ARGS[0]:-10}
ROUNDS=${ARGS[1]:-3}
CONNECTIONS=${ARGS[2]:-64}
THREADS=${WRK_THREADS:-1}

if ! command -v wrk >/dev/null; then
  echo "Installing wrk from Debian's packages..."
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi
SERVER_CPU=()
CLIENT_CPU=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  SERVER_CPU=(taskset -c 0)
  CLIENT_CPU=(taskset -c 1)
fi

mvn -q -B package -DskipTests -pl sample-launcher -am
CP="sample-launcher/target/classes:$(cat sample-launcher/target/classpath.txt)"
if $PEER; then
  mvn -q -B -f benchmarks/peer-bucket4j-boot/pom.xml package -DskipTests
  PEER_CP="benchmarks/peer-bucket4j-boot/target/classes:$(cat benchmarks/peer-bucket4j-boot/target/classpath.txt)"
fi
WAR=sample-webapp/target/sample-webapp.war
ON=18181
EMPTY=18182
LIMITED=18183
QUIET_LIMITED=18186
PEER_LIMITED=18184
PEER_OFF=18185
LOGS=$(mktemp -d)
PIDS=()
start() { # port, extra JVM flags...
  local port=$1; shift
  "${SERVER_CPU[@]}" java -Xms512m -Xmx512m "$@" -Dport=$port -Dhost=127.0.0.1 -Dtollgate.sample.war=$WAR \
    -DTOLLGATE_ADMIN_KEY=bench -DTOLLGATE_JDBC_URL= -DTOLLGATE_RATELIMIT_STORE= -cp "$CP" \
    dev.tollgate.sample.launcher.SampleLauncher > "$LOGS/$port.log" 2>&1 &
  PIDS+=($!)
}
start_peer() { # port, extra Spring Boot arguments...
  local port=$1; shift
  "${SERVER_CPU[@]}" java -Xms512m -Xmx512m -cp "$PEER_CP" dev.tollgate.benchmarks.peer.PeerApplication \
    --server.port=$port "$@" > "$LOGS/$port.log" 2>&1 &
  PIDS+=($!)
}
trap 'kill "${PIDS[@]}" 2>/dev/null || true; rm -rf "$LOGS"' EXIT
start $ON
start $EMPTY -Dtollgate.enabled=false -Dtollgate.sample.emptyFilter=true
start $LIMITED -Dtollgate.policy.bench.servlets=hello -Dtollgate.policy.bench.limit=1000000000/1s \
  -Dtollgate.policy.bench.limit.key=CLIENT_IP
start $QUIET_LIMITED -Dtollgate.policy.bench.servlets=hello -Dtollgate.policy.bench.limit=1000000000/1s \
  -Dtollgate.policy.bench.limit.key=CLIENT_IP -Dtollgate.rateLimit.headers=NONE
PORTS=($ON $EMPTY $LIMITED $QUIET_LIMITED)
if $PEER; then
  start_peer $PEER_LIMITED
  start_peer $PEER_OFF --bucket4j.enabled=false
  PORTS+=($PEER_LIMITED $PEER_OFF)
fi
for port in "${PORTS[@]}"; do
  for i in $(seq 1 90); do
    curl -fs "http://127.0.0.1:$port/api/hello" >/dev/null && break
    if [ "$i" = 90 ]; then echo "no answer on port $port:" >&2; tail -20 "$LOGS/$port.log" >&2; exit 1; fi
    sleep 1
  done
done
# The limited instances must really limit (else the comparison measures nothing).
curl -fsi "http://127.0.0.1:$LIMITED/api/hello" | grep -qi '^RateLimit:' \
  || { echo "the limited instance sent no RateLimit header" >&2; exit 1; }
if $PEER; then
  curl -fsi "http://127.0.0.1:$PEER_LIMITED/api/hello" | grep -qi '^X-Rate-Limit-Remaining:' \
    || { echo "the limited peer sent no X-Rate-Limit-Remaining header" >&2; exit 1; }
fi
# Enough credits for every paid request of the run.
curl -fs -X POST -H 'X-Admin-Key: bench' -H 'Content-Type: application/json' \
  -d '{"amount":"1000000000"}' "http://127.0.0.1:$ON/admin/accounts/acct_demo_gold/credit" >/dev/null

run() { # name, url, extra wrk args... -> "rps p99ms"
  local out
  out=$("${CLIENT_CPU[@]}" wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s --latency "${@:2}" 2>&1)
  local rps p99
  rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}')
  local errors
  errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  if [ -n "$errors" ] || [ -z "$rps" ]; then
    echo "non-2xx responses or no result in $1: ${errors:-$out}" >&2
    touch "$LOGS/failed"
  fi
  echo "$rps $p99"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
m() { printf '%s\n' "$@" | median; }

HELLO=/api/hello
PAID=/api/quotes/ACME
echo "Warming up..."
warm() { "${CLIENT_CPU[@]}" wrk -t$THREADS -c$CONNECTIONS -d15s "$@" >/dev/null; }
warm "http://127.0.0.1:$ON$HELLO"
warm "http://127.0.0.1:$EMPTY$HELLO"
warm "http://127.0.0.1:$LIMITED$HELLO"
warm "http://127.0.0.1:$QUIET_LIMITED$HELLO"
warm -H 'X-API-Key: demo-gold' "http://127.0.0.1:$ON$PAID"
warm "http://127.0.0.1:$EMPTY$PAID"
if $PEER; then
  warm "http://127.0.0.1:$PEER_LIMITED$HELLO"
  warm "http://127.0.0.1:$PEER_OFF$HELLO"
fi

ROWS=()
ALL=()
pair() { # label, A name, A url, B name, B url, [a header for A's requests]
  local label=$1 an=$2 aurl=$3 bn=$4 burl=$5
  local -a aextra=()
  if [ -n "${6:-}" ]; then aextra=(-H "$6"); fi
  local -a ar ap br bp
  local x y
  for r in $(seq 1 $ROUNDS); do
    # A, B in odd rounds and B, A in even ones, so a machine getting busier or quieter during
    # the run does not favour the contender measured second.
    if [ $((r % 2)) = 1 ]; then
      read -r x y < <(run "$an" "${aextra[@]}" "$aurl"); ar+=($x); ap+=($y)
      read -r x y < <(run "$bn" "$burl"); br+=($x); bp+=($y)
    else
      read -r x y < <(run "$bn" "$burl"); br+=($x); bp+=($y)
      read -r x y < <(run "$an" "${aextra[@]}" "$aurl"); ar+=($x); ap+=($y)
    fi
  done
  if [ -e "$LOGS/failed" ]; then exit 1; fi
  local a b pa pb
  a=$(m "${ar[@]}"); b=$(m "${br[@]}"); pa=$(m "${ap[@]}"); pb=$(m "${bp[@]}")
  ROWS+=("$(awk -v l="$label" -v a=$a -v b=$b -v pa=$pa -v pb=$pb \
    'BEGIN {printf "| %s | %.0f | %.0f | %.3f | %.2f | %.2f | %+.2f |", l, a, b, a/b, pa, pb, pa-pb}')")
  ALL+=("$an ${ar[*]} | $bn ${br[*]}")
}

pair "free endpoint, no policy: Tollgate (A) vs empty filter, no Tollgate (B)" \
  tollgate "http://127.0.0.1:$ON$HELLO" empty-filter "http://127.0.0.1:$EMPTY$HELLO"
pair "never-refusing limit (A) vs the same endpoint unlimited (B), Tollgate" \
  limited "http://127.0.0.1:$LIMITED$HELLO" unlimited "http://127.0.0.1:$ON$HELLO"
pair "the same limit without rate-limit headers (A) vs unlimited (B), Tollgate" \
  limited-no-headers "http://127.0.0.1:$QUIET_LIMITED$HELLO" unlimited "http://127.0.0.1:$ON$HELLO"
pair "paid (A) vs free (B), Tollgate" \
  paid "http://127.0.0.1:$ON$PAID" free "http://127.0.0.1:$ON$HELLO" 'X-API-Key: demo-gold'
pair "paid (A) vs the same endpoint on the WAR without Tollgate (B)" \
  paid "http://127.0.0.1:$ON$PAID" quotes-no-tollgate "http://127.0.0.1:$EMPTY$PAID" 'X-API-Key: demo-gold'
if $PEER; then
  pair "never-refusing limit (A) vs unlimited (B), bucket4j-spring-boot-starter 0.12.10, Boot 3.4.5" \
    peer-limited "http://127.0.0.1:$PEER_LIMITED$HELLO" peer-unlimited "http://127.0.0.1:$PEER_OFF$HELLO"
fi

echo
echo "wrk -t$THREADS -c$CONNECTIONS, ${SECONDS_PER_RUN} s per run, $ROUNDS rounds, alternating (ABBA); medians;" \
  "servers ${SERVER_CPU[*]:-unpinned}, wrk ${CLIENT_CPU[*]:-unpinned}; $(nproc) CPUs; load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| comparison | A req/s | B req/s | A/B | A p99 ms | B p99 ms | p99 A-B ms |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "all runs (req/s):"
printf '  %s\n' "${ALL[@]}"
