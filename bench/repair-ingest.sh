#!/usr/bin/env bash
# What --repair-late costs the ingest path: the server with --rotate 10s --repair-late, driven by
# the stampede client, with late values arriving every second (bench/late-sender.sh: COUNT values
# LATE_MS ms old a second, merged into closed windows by the repair thread) and without, paired
# and alternating (ABBA) in one run, measured by the C reference's measure.sh (CPU per timestamp
# of the server, whole run and steady state, peak RSS). The server's CPU includes the repair
# thread's rewrites: that is the figure issue 17 bounds (within 1.1x of without).
#
#   flock /tmp/stampede-bench.lock bench/repair-ingest.sh [-n 2000] [-d 30] [-r 2] [-l 100]
#
# The machine is shared and noisy: compare figures of one run only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=2000 d=30 i=50 r=2 l=100 late_ms=15000
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;; -d) d=$2; shift 2 ;; -r) r=$2; shift 2 ;; -l) l=$2; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "repair-ingest: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
. "$root/bench/reference.sh"
quiet_wait=${QUIET_WAIT:-30}
. "$root/bench/quiet.sh"
server="$root/stampede server --port {port} --output {output} --rotate 10s --repair-late"
client="$root/stampede client --port {port} -c {n} --duration {duration}s --interval {interval}ms"
# The late sender runs beside the client, in its process group (measure.sh ends both); its CPU
# counts as the client's, never the server's.
late_client="$root/bench/late-sender.sh {port} $late_ms $l & s=\$!; $client; kill \$s"
keys='server_cpu_us_per_msg|server_steady_us_per_msg|server_rss_max_mb|lag_p50_ms|sorted_ok|unique_ok|client_missed|server_late'
run() {
    wait_quiet
    local line logs repaired
    line=$("$ref/measure.sh" --server "$server" --client "$2" --n "$n" --duration "$d" --interval "$i" 2>/dev/null | tail -n 1)
    logs=$(echo "$line" | tr ' ' '\n' | sed -n 's/^logs=//p')
    repaired=$(grep -h 'stopped' "$logs/server.err" 2>/dev/null | tail -n 1 | tr ' ' '\n' \
        | grep -E '^(repaired|rewrites)=' | tr '\n' ' ' || true) # none without late values
    printf '%-8s %s %s busy_before=%s logs=%s\n' "$1" "$(echo "$line" | tr ' ' '\n' | grep -E "^($keys)=" | tr '\n' ' ')" \
        "$repaired" "$BUSY" "$logs"
}
echo "repair-ingest n=$n d=${d}s rounds=$r late=$l/s ${late_ms}ms old $(date -u +%FT%TZ) $(nproc) cores"
for ((k = 1; k <= r; k++)); do
    if ((k % 2)); then run late "$late_client"; run no-late "$client"
    else run no-late "$client"; run late "$late_client"; fi
done
