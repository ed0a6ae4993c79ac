#!/usr/bin/env bash
# How fresh the global file stays under load: a development broker, 3 servers publishing to
# partitions 0..2, a merge, and one stampede client with --host over the three (-c 3000: 1,000
# connections a node) for --duration. Every second while the client runs (after --warmup), samples
# the age of the newest line of global.txt (wall clock now minus its value, ms) and of node 0's
# local file, and prints p50/p99/max of each. Then stops everything cleanly and verifies global.txt
# against every value the client sent.
#
#   bench/scale-out-freshness.sh [-c 3000] [--duration 20] [--warmup 3] [--keep]
#
# The machine is shared (2 cores here, and this runs 6 JVMs): compare figures of one run only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../scripts/lib/procs.sh
. "$root/scripts/lib/procs.sh"

conns=3000 duration=20 warmup=3 keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        -c|--connections) conns=$2; shift 2 ;;
        --duration) duration=${2%s}; shift 2 ;;
        --warmup) warmup=${2%s}; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "scale-out-freshness: unknown argument $1" >&2; exit 2 ;;
    esac
done

S="$root/stampede"
"$S" server --version >/dev/null                 # builds the jar if needed
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
dir=$(mktemp -d /tmp/scale-out-freshness.XXXXXX)
trap 'stop_all; if [ "$keep" = 1 ]; then echo "kept $dir" >&2; else rm -rf "$dir"; fi' EXIT
trap 'exit 130' INT TERM
echo "scale-out-freshness: starting a development broker (data in $dir)" >&2
start_broker "$dir"

ports=() spids=() hosts=""
for n in 0 1 2; do
    free_port; ports+=("$PORT")
    start "node$n" "$dir/node$n.log" "$S" server --port "$PORT" -o "$dir/node$n.txt" --stats-interval 1s \
        --kafka "$BROKER" --topic fresh --node "$n"
    spids+=("$PID")
    hosts+="${hosts:+,}127.0.0.1:$PORT"
done
for n in 0 1 2; do
    wait_listen "${ports[n]}" "${spids[n]}" 60 || { echo "server node$n did not start" >&2; tail -n 20 "$dir/node$n.log" >&2; exit 1; }
done
start merge "$dir/merge.log" "$S" merge --kafka "$BROKER" --topic fresh -o "$dir/global.txt" --stats-interval 1s
mpid=$PID

echo "connections=$conns (over 3 nodes) duration=${duration}s warmup=${warmup}s broker=$BROKER $(date -u +%FT%TZ)"
start client "$dir/client.log" "$S" client --host "$hosts" -c "$conns" --record "$dir/sent.txt" \
    --duration "${duration}s" --stats-interval 1s
cpid=$PID
wait_line "$dir/client.log" 'connected in' "$cpid" 60 || { echo "the client did not connect" >&2; tail -n 5 "$dir/client.log" >&2; exit 1; }

newest() { # file -> its newest complete value, or empty
    tail -c 42 "$1" 2>/dev/null | awk 'length($0) == 13 && /^[0-9]+$/ { v = $0 } END { print v }'
}
echo -e "t_s\tglobal_age_ms\tnode0_age_ms" > "$dir/freshness.tsv"
t=0
sleep "$warmup"
while kill -0 "$cpid" 2>/dev/null; do
    g=$(newest "$dir/global.txt"); l=$(newest "$dir/node0.txt"); now=$(date +%s%3N)
    kill -0 "$cpid" 2>/dev/null || break      # only samples taken while the client runs
    printf '%d\t%s\t%s\n' $((warmup + t)) "${g:+$((now - g))}" "${l:+$((now - l))}" >> "$dir/freshness.tsv"
    t=$((t + 1))
    sleep 1
done
wait "$cpid" || true

for n in 0 1 2; do stop "${spids[n]}" 30; done
prev=-1 stable=0
for ((i = 0; i < 600; i++)); do
    sleep 0.1
    lines=$(wc -l < "$dir/global.txt" 2>/dev/null || echo 0)
    if [ "$lines" = "$prev" ]; then stable=$((stable + 1)); else stable=0; prev=$lines; fi
    line=$(grep 'merge: nodes=' "$dir/merge.log" | tail -n 1 || true)
    [ "$stable" -ge 20 ] && [[ $line == *" pending=0 "* ]] && [[ $line == *" behind=0"* ]] && break
done
stop "$mpid" 30
stop "$BROKER_PID" 30

stats() { # column label
    awk -F'\t' -v c="$1" -v label="$2" 'NR > 1 && $c != "" { v[++n] = $c + 0 }
        END {
            if (!n) { printf "%-28s no samples\n", label; exit }
            for (i = 2; i <= n; i++) { x = v[i]; j = i - 1; while (j > 0 && v[j] > x) { v[j + 1] = v[j]; j-- } v[j + 1] = x }
            p50 = v[int((n + 1) / 2)]; r = int(0.99 * n + 0.999); if (r < 1) r = 1; p99 = v[r]
            printf "%-28s samples=%d p50=%d p99=%d max=%d ms\n", label, n, p50, p99, v[n] }' "$dir/freshness.tsv"
}
echo "freshness (wall clock now - newest line), one sample a second while the client ran:"
stats 2 "  global.txt (merge)"
stats 3 "  node0.txt (one server)"
echo "per-second samples (t_s global_ms node0_ms):" $(tail -n +2 "$dir/freshness.tsv" | tr '\t\n' ' ,')
for n in 0 1 2; do grep -h 'server: stopped' "$dir/node$n.log" | sed "s/^/  node$n /"; done
grep -h 'server: conns=' "$dir/node0.log" | tail -n 3 | sed 's/^/  node0 (last periodic) /'
grep -h '^merge: nodes=' "$dir/merge.log" | tail -n 3 | sed 's/^/  (last periodic) /'
grep -h 'merge: stopped' "$dir/merge.log" | sed 's/^/  /'
grep -h 'client: stopped' "$dir/client.log" | sed 's/^/  /'
"$S" verify "$dir/global.txt" --expect "$dir/sent.txt"
