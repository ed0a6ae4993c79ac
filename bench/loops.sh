#!/usr/bin/env bash
# One server loop against several, side by side with the C reference server, all driven by the
# reference client and measured by ../shared/reference/measure.sh (CPU per timestamp, peak RSS,
# file freshness, order).
#
#   bench/loops.sh [-n 5000] [-d 10] [-r 2] [-l "1 2"] [-- extra server options]
#
# -n connections, -d seconds, -r rounds (alternating, to see the noise), -l loop counts.
# Takes the machine-wide bench lock (/tmp/stampede-bench.lock): never two benchmarks at once.
# The machine is shared and noisy: compare figures of one run only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=5000 d=10 r=2 loops="1 2" extra=""
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;;
        -d) d=$2; shift 2 ;;
        -r) r=$2; shift 2 ;;
        -l) loops=$2; shift 2 ;;
        --) shift; extra="$*"; break ;;
        *) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
done
if [ -z "${STAMPEDE_BENCH_LOCKED:-}" ]; then
    exec env STAMPEDE_BENCH_LOCKED=1 flock /tmp/stampede-bench.lock "$0" -n "$n" -d "$d" -r "$r" -l "$loops" -- $extra
fi

. "$root/bench/reference.sh"

client="$ref/client --port {port} --connections {n} --duration-s {duration} --interval-ms 50"
keys='server_cpu_us_per_msg|server_steady_us_per_msg|server_rss_max_mb|lag_p50_ms|lag_max_ms|sorted_ok|unique_ok|server_late|client_missed'
run() { # label server
    local line
    line=$("$ref/measure.sh" --server "$2" --client "$client" --n "$n" --duration "$d" 2>/dev/null | tail -n 1)
    printf '%-18s %s\n' "$1" "$(echo "$line" | tr ' ' '\n' | grep -E "^($keys)=" | tr '\n' ' ')"
}

echo "n=$n duration=${d}s rounds=$r loops: $loops $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((k = 1; k <= r; k++)); do
    run "reference server" "$ref/server --port {port} --output {output}"
    for l in $loops; do
        run "stampede loops=$l" "$root/stampede server --port {port} --output {output} --loops $l $extra"
    done
done
