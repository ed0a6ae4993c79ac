#!/usr/bin/env bash
# late-sender.sh — sends late values to a stampede server, for bench/repair-ingest.sh: every
# second, one current value (so that this connection never holds the watermark back), then
# COUNT values LATE_MS ms old (below the watermark: late; with --rotate and --repair-late they
# go to closed windows, which the repair rewrites). Runs until killed. Bash only (/dev/tcp).
#
#   bench/late-sender.sh PORT [LATE_MS] [COUNT]
set -euo pipefail
port=$1 late_ms=${2:-15000} count=${3:-100}
exec 3<>"/dev/tcp/127.0.0.1/$port"
sent=0
while :; do
    now=$(date +%s%3N)
    buf="$now"$'\n'
    for ((k = 0; k < count; k++)); do
        buf+="$((now - late_ms - k * 7))"$'\n'
    done
    printf '%s' "$buf" >&3
    sent=$((sent + count))
    sleep 1
done
