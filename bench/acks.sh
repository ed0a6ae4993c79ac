#!/usr/bin/env bash
# What acknowledgements cost: the stampede server driven by the stampede client with
# acknowledgements and with --no-acks, alternating (ABBA), measured by the C reference's
# measure.sh (CPU per timestamp of both, peak RSS, missed ticks, ack latency).
#
#   flock /tmp/stampede-bench.lock bench/acks.sh [-n 5000] [-d 10] [-r 4]
#
# The machine is shared and noisy: compare figures of one run only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=5000 d=10 i=50 r=4
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;; -d) d=$2; shift 2 ;; -r) r=$2; shift 2 ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "acks: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
. "$root/bench/reference.sh"
quiet_wait=${QUIET_WAIT:-30}
. "$root/bench/quiet.sh"
server="$root/stampede server --port {port} --output {output}"
client="$root/stampede client --port {port} -c {n} --duration {duration}s --interval {interval}ms"
keys='server_cpu_us_per_msg|server_steady_us_per_msg|client_cpu_us_per_msg|client_steady_us_per_msg|server_rss_max_mb|client_rss_max_mb|lag_p50_ms|sorted_ok|unique_ok|client_missed|server_late'
run() {
    wait_quiet
    local line logs extra
    line=$("$ref/measure.sh" --server "$server" --client "$2" --n "$n" --duration "$d" --interval "$i" 2>/dev/null | tail -n 1)
    logs=$(echo "$line" | tr ' ' '\n' | sed -n 's/^logs=//p')
    extra=$(grep -h 'stopped' "$logs/client.err" 2>/dev/null | tail -n 1 | tr ' ' '\n' \
        | grep -E '^(acked|unacked|dropped_unacked|ack_p50_ms|ack_p99_ms)=' | tr '\n' ' ')
    printf '%-8s %s %s busy_before=%s\n' "$1" "$(echo "$line" | tr ' ' '\n' | grep -E "^($keys)=" | tr '\n' ' ')" "$extra" "$BUSY"
}
echo "acks vs no-acks n=$n d=${d}s rounds=$r $(date -u +%FT%TZ) $(nproc) cores"
for ((k = 1; k <= r; k++)); do
    if ((k % 2)); then run acks "$client"; run no-acks "$client --no-acks"
    else run no-acks "$client --no-acks"; run acks "$client"; fi
done
