#!/usr/bin/env bash
# The server's peak RSS at n connections (the C reference client, 20/s each) for JVM option
# variants, alternating: where the memory goes, and what an option saves. "-" is the launcher's
# options alone; each other argument is added through STAMPEDE_JAVA_OPTS.
#
#   flock /tmp/stampede-bench.lock bench/memory.sh [-n 5000] [-d 12] [-r 2] - "-Xmn2m" ...
#
# Prints peak RSS (VmHWM), and anonymous and file-backed RSS at the end, per run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=5000 d=12 r=2
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;; -d) d=$2; shift 2 ;; -r) r=$2; shift 2 ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || set -- -
. "$root/bench/reference.sh"
one() {
    # A port below the ephemeral range (32768 up): one drawn there may be held by a connection, and
    # the server cannot bind it (this script then stopped without a word, twice on 2026-12-04).
    local port=$((20000 + RANDOM % 12000)) out opts="$1" sp pid i
    out=$(mktemp -d); [ "$opts" = - ] && opts=""
    STAMPEDE_JAVA_OPTS="$opts" "$root/stampede" server --port "$port" -o "$out/o.txt" -q >"$out/s.log" 2>&1 &
    sp=$!
    for i in $(seq 1 300); do grep -q listening "$out/s.log" 2>/dev/null && break; sleep 0.1; done
    pid=$(pgrep -f "server --port $port" | head -1 || true)
    "$ref/client" --port "$port" --connections "$n" --duration-s "$d" --interval-ms 50 >/dev/null 2>&1 || true
    if [ -z "$pid" ] || [ ! -r "/proc/$pid/status" ]; then
        echo "memory: no server to measure (opts=[$opts]); the end of its log:" >&2
        tail -n 5 "$out/s.log" >&2
        kill "$sp" 2>/dev/null; wait "$sp" 2>/dev/null || true; rm -rf "$out"
        return 0
    fi
    awk -v o="$opts" '/VmHWM/{h=$2} /RssAnon/{a=$2} /RssFile/{f=$2}
        END{printf "hwm_mb=%.1f anon_mb=%.1f file_mb=%.1f opts=[%s]\n", h/1024, a/1024, f/1024, o}' "/proc/$pid/status"
    kill "$sp"; wait "$sp" 2>/dev/null || true; rm -rf "$out"
}
echo "server peak RSS n=$n d=${d}s rounds=$r $(date -u +%FT%TZ)"
for ((k = 1; k <= r; k++)); do for v in "$@"; do one "$v"; done; done
