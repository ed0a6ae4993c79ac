#!/usr/bin/env bash
# What publishing to Kafka costs the server: server CPU per timestamp with publishing OFF and ON
# (--kafka --topic --node 0, a development broker running), the C reference client as the load,
# measured by ../shared/reference/measure.sh like bench/compare.sh; OFF and ON alternate.
#
#   bench/kafka-publish.sh [-n 5000] [-d 10] [-i 50] [-r 2]
#
# Prints one line per run (steady and total server µs/ts, RSS, file freshness, the server's last
# kafka_lag_ms, the broker's CPU per timestamp for ON runs), then the ON/OFF ratio of the steady
# figures (target: <= 1.3). Each ON run publishes to a fresh topic. The machine is shared and noisy:
# compare figures of one run only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../scripts/lib/procs.sh
. "$root/scripts/lib/procs.sh"

n=5000 d=10 i=50 r=2
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;;
        -d) d=$2; shift 2 ;;
        -i) i=$2; shift 2 ;;
        -r) r=$2; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "kafka-publish: unknown argument $1" >&2; exit 2 ;;
    esac
done

ref="$root/target/reference"
if [ ! -x "$ref/client" ]; then
    [ -f "$root/../shared/reference/client.c" ] || { echo "kafka-publish: needs the C reference in ../shared/reference" >&2; exit 1; }
    mkdir -p "$ref"
    cp "$root/../shared/reference/"{server.c,client.c,Makefile,measure.sh} "$ref/"
    make -s -C "$ref" >/dev/null
fi
measure="$root/../shared/reference/measure.sh"
[ -x "$measure" ] || measure="$ref/measure.sh"
# measure the current code (mvn's output only if it fails)
(cd "$root" && mvn -B -q -DskipTests package) >"$root/target/kafka-publish-build.log" 2>&1 ||
    { tail -n 40 "$root/target/kafka-publish-build.log" >&2; exit 1; }

work=$(mktemp -d /tmp/kafka-publish.XXXXXX)
trap 'stop_all; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
echo "kafka-publish: starting a development broker (data in $work)" >&2
start_broker "$work"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
tck=$(getconf CLK_TCK)

client="$ref/client --port {port} --connections {n} --duration-s {duration} --interval-ms {interval}"
keys='server_steady_us_per_msg|server_cpu_us_per_msg|server_rss_max_mb|lag_p50_ms|lag_max_ms|sorted_ok|unique_ok|client_sent|server_written'
declare -A sum cnt asum
run() { # label server-command topic
    local label=$1 server=$2 line logs b0 b1 klag broker=""
    b0=$(cpu_ticks "$BROKER_JAVA")
    line=$("$measure" --server "$server" --client "$client" --n "$n" --duration "$d" --interval "$i" 2>/dev/null | tail -n 1)
    b1=$(cpu_ticks "$BROKER_JAVA")
    logs=$(echo "$line" | tr ' ' '\n' | sed -n 's/^logs=//p')
    # the server's kafka_lag_ms: its last periodic stats line (before SIGTERM), the max over them, at exit
    klag=$(awk '/server: conns=/ { if (match($0, /kafka_lag_ms=[0-9-]+/)) { v = substr($0, RSTART + 13, RLENGTH - 13) + 0; last = v; if (v > max) max = v; n++ } }
                /server: stopped/ { if (match($0, /kafka_lag_ms=[0-9-]+/)) stop = substr($0, RSTART + 13, RLENGTH - 13) }
                END { if (n) printf "kafka_lag_ms_last=%s kafka_lag_ms_max=%s kafka_lag_ms_at_stop=%s", last, max, stop }' "$logs/server.err" 2>/dev/null || true)
    if [ "$label" = ON ]; then
        sent=$(echo "$line" | tr ' ' '\n' | sed -n 's/^client_sent=//p')
        broker=$(awk -v t=$((b1 - b0)) -v k="$tck" -v s="$sent" 'BEGIN { if (s > 0) printf "broker_us_per_msg=%.2f", t / k * 1e6 / s }')
    fi
    printf '%-4s %s %s %s\n' "$label" "$(echo "$line" | tr ' ' '\n' | grep -E "^($keys)=" | tr '\n' ' ')" "$klag" "$broker"
    echo "     logs=$logs"
    steady=$(echo "$line" | tr ' ' '\n' | sed -n 's/^server_steady_us_per_msg=//p')
    sent=$(echo "$line" | tr ' ' '\n' | sed -n 's/^client_sent=//p')
    # measure.sh's steady figure divides by the messages the schedule expects; when the client
    # misses ticks (CPU contention), per timestamp actually sent is higher by expected/sent
    adj=$(awk -v st="$steady" -v s="$sent" -v e=$((n * d * 1000 / i)) 'BEGIN { printf "%.2f", (s > 0 ? st * e / s : st) }')
    echo "     steady_us_per_sent_ts~=$adj (steady x expected/sent)"
    sum[$label]=$(awk -v a="${sum[$label]:-0}" -v b="$steady" 'BEGIN { print a + b }')
    asum[$label]=$(awk -v a="${asum[$label]:-0}" -v b="$adj" 'BEGIN { print a + b }')
    cnt[$label]=$(( ${cnt[$label]:-0} + 1 ))
}

BROKER_JAVA=$BROKER_PID   # kafka-dev-broker.sh execs the JVM: same pid
off="$root/stampede server --port {port} --output {output} --stats-interval 1s"
echo "n=$n duration=${d}s interval=${i}ms rounds=$r broker=$BROKER $(date -u +%FT%TZ)"
for ((k = 1; k <= r; k++)); do
    run OFF "$off"
    run ON "$off --kafka $BROKER --topic publish-bench-$k-$$ --node 0"
done
awk -v on="${sum[ON]}" -v off="${sum[OFF]}" -v aon="${asum[ON]}" -v aoff="${asum[OFF]}" -v r="$r" 'BEGIN {
    printf "steady server µs/ts, mean of %d: OFF %.2f  ON %.2f  ratio ON/OFF %.2f (target <= 1.30: %s)\n",
        r, off / r, on / r, on / off, (on / off <= 1.3 ? "met" : "MISSED")
    printf "per timestamp sent:              OFF %.2f  ON %.2f  ratio ON/OFF %.2f (target <= 1.30: %s)\n",
        aoff / r, aon / r, aon / aoff, (aon / aoff <= 1.3 ? "met" : "MISSED") }'
