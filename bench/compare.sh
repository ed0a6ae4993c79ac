#!/usr/bin/env bash
# Whole-system runs side by side with the C reference in ../shared/reference, measured the same
# way by its measure.sh (CPU per timestamp, memory, file freshness, order, missed ticks).
#
#   bench/compare.sh server [-n 5000] [-d 10] [-i 50] [-r 2] [-- extra server options]
#       the reference client drives the reference server, then the stampede server
#   bench/compare.sh client [-n 5000] [-d 10] [-i 50] [-r 2] [-- extra client options]
#       the reference client, then the stampede client, against the reference server
#
# -n connections, -d seconds, -i interval in ms, -r rounds (alternating, to see the noise).
# The machine is shared and noisy: compare figures of one run only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-}; shift || true
n=5000 d=10 i=50 r=2 extra=""
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;;
        -d) d=$2; shift 2 ;;
        -i) i=$2; shift 2 ;;
        -r) r=$2; shift 2 ;;
        --) shift; extra="$*"; break ;;
        *) echo "compare: unknown argument $1" >&2; exit 2 ;;
    esac
done
case "$mode" in server|client) ;; *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;; esac

. "$root/bench/reference.sh"

ref_server="$ref/server --port {port} --output {output}"
ref_client="$ref/client --port {port} --connections {n} --duration-s {duration} --interval-ms {interval}"
our_server="$root/stampede server --port {port} --output {output} $extra"
our_client="$root/stampede client --port {port} -c {n} --duration {duration}s --interval {interval}ms -q $extra"
keys='server_cpu_us_per_msg|server_steady_us_per_msg|client_cpu_us_per_msg|client_steady_us_per_msg|server_rss_max_mb|client_rss_max_mb|lag_p50_ms|lag_max_ms|sorted_ok|unique_ok|client_missed|client_late_p99_us|server_late'

run() { # label server client
    local line
    line=$("$ref/measure.sh" --server "$2" --client "$3" --n "$n" --duration "$d" --interval "$i" 2>/dev/null | tail -n 1)
    printf '%-22s %s\n' "$1" "$(echo "$line" | tr ' ' '\n' | grep -E "^($keys)=" | tr '\n' ' ')"
    echo "$line" | tr ' ' '\n' | grep '^logs=' | sed 's/^/                       /'
}

echo "n=$n duration=${d}s interval=${i}ms rounds=$r $(date -u +%FT%TZ)"
for ((k = 1; k <= r; k++)); do
    if [ "$mode" = server ]; then
        run "reference server" "$ref_server" "$ref_client"
        run "stampede server" "$our_server" "$ref_client"
    else
        run "reference client" "$ref_server" "$ref_client"
        run "stampede client" "$ref_server" "$our_client"
    fi
done
