#!/usr/bin/env bash
# The scale-out in one command, on this machine: a development Kafka broker, three servers that
# publish to partitions 0, 1 and 2 of topic "demo", one client spread over the three, and a merge
# that writes the one global file; then a clean stop of everything and `stampede verify` of the
# global file against every timestamp the client sent.
#
#   scripts/scale-out-demo.sh [--duration 20s] [--connections 150] [--keep]
#
# --keep keeps the demo folder (otherwise deleted at exit; it is always kept when verify fails).
# Exit 0 only if verify passes. Works from a fresh clone: the first run builds with Maven.
set -euo pipefail

self=$(readlink -f "${BASH_SOURCE[0]}")
root=$(cd "$(dirname "$self")/.." && pwd)
# shellcheck source=lib/procs.sh
. "$root/scripts/lib/procs.sh"

duration=20s connections=150 keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) duration=${2:?--duration needs a value}; shift 2 ;;
        --connections|-c) connections=${2:?--connections needs a value}; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,10p' "$self" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "scale-out-demo: unknown argument: $1 (try --help)" >&2; exit 2 ;;
    esac
done

say() { echo "demo: $*"; }
S="$root/stampede"
dir=$(mktemp -d /tmp/stampede-scale-out.XXXXXX)
tailer=""
ok=0
finish() {
    local rc=$?
    [ -n "$tailer" ] && { kill "$tailer" 2>/dev/null; wait "$tailer" 2>/dev/null || true; }
    stop_all
    if [ "$keep" = 1 ] || [ "$ok" != 1 ]; then
        say "folder kept: $dir"
    else
        rm -rf "$dir"
        say "folder $dir deleted (--keep keeps it)"
    fi
    exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

t0=$(date +%s)
say "folder $dir"

# 1. build (first time from a fresh clone: Maven downloads and compiles, a minute or two)
if [ ! -f "$root/target/stampede.jar" ] || [ ! -s "$root/target/test-classpath.txt" ]; then
    say "first run: building with Maven (the jar, the broker's classpath, the test classes); this takes a minute or two"
fi
"$S" server --version >/dev/null

# 2. the broker (its own build step runs here the first time)
say "starting a development Kafka broker (scripts/kafka-dev-broker.sh, data in $dir/kafka-data)"
start_broker "$dir"
say "broker ready on $BROKER (pid $BROKER_PID)"

# 3. three servers, one partition each
ports=() spids=() hosts=""
for n in 0 1 2; do
    free_port; ports+=("$PORT")
    start "node$n" "$dir/node$n.log" "$S" server --port "$PORT" -o "$dir/node$n.txt" --stats-interval 1s \
        --kafka "$BROKER" --topic demo --node "$n"
    spids+=("$PID")
    hosts+="${hosts:+,}127.0.0.1:$PORT"
done
for n in 0 1 2; do
    wait_listen "${ports[n]}" "${spids[n]}" 60 || { say "server node$n did not start:"; tail -n 20 "$dir/node$n.log"; exit 1; }
    say "server node$n on 127.0.0.1:${ports[n]} -> $dir/node$n.txt, partition $n of topic demo"
done

# 4. the merge
start merge "$dir/merge.log" "$S" merge --kafka "$BROKER" --topic demo -o "$dir/global.txt" --stats-interval 1s
mpid=$PID
say "merge -> $dir/global.txt (pid $mpid)"

# live stats of everyone, prefixed by who says it
tail -n +1 -F "$dir"/node{0,1,2}.log "$dir/merge.log" "$dir/client.log" 2>/dev/null |
    awk '/^==> .* <==$/ { n = $2; sub(/.*\//, "", n); sub(/\.log$/, "", n); next }
         NF { printf "  %-6s %s\n", n, $0; fflush() }' &
tailer=$!

# 5. the client, over the three servers, for --duration
say "client: $connections connections over $hosts for $duration, recording to $dir/sent.txt"
start client "$dir/client.log" "$S" client --host "$hosts" -c "$connections" --record "$dir/sent.txt" --duration "$duration"
cpid=$PID
wait "$cpid" || { say "client failed"; exit 1; }
say "client done"

# 6. stop the servers: they publish the rest and say they are leaving
say "stopping the servers (SIGTERM)"
for n in 0 1 2; do stop "${spids[n]}" 30; done

# 7. wait until the merge has written everything: pending=0, behind=0 and global.txt stable
say "waiting for the merge to write everything (pending=0, behind=0, global.txt stable)"
prev=-1 stable=0
for ((i = 0; i < 600; i++)); do
    sleep 0.1
    lines=$(wc -l < "$dir/global.txt" 2>/dev/null || echo 0)
    if [ "$lines" = "$prev" ]; then stable=$((stable + 1)); else stable=0; prev=$lines; fi
    line=$(grep '^merge: nodes=' "$dir/merge.log" | tail -n 1 || true)
    if [ "$stable" -ge 20 ] && [[ $line == *" pending=0 "* ]] && [[ $line == *" behind=0"* ]]; then break; fi
done
say "global.txt: $prev lines"
stop "$mpid" 30
kill "$tailer" 2>/dev/null; wait "$tailer" 2>/dev/null || true; tailer=""
stop "$BROKER_PID" 30
say "merge and broker stopped"

# 8. summaries and verify
echo
for n in 0 1 2; do printf '  node%s   %s\n' "$n" "$(grep -E 'server: stopped' "$dir/node$n.log" | tail -n 1)"; done
printf '  merge   %s\n' "$(grep -E 'merge: stopped' "$dir/merge.log" | tail -n 1)"
printf '  client  %s\n' "$(tail -n 1 "$dir/client.log")"
echo
set +e
"$S" verify "$dir/global.txt" --expect "$dir/sent.txt" | tee "$dir/verify.txt"
vrc=${PIPESTATUS[0]}
set -e
[ "$vrc" = 0 ] && ok=1
t1=$(date +%s)

cat <<EOF

demo: $([ "$ok" = 1 ] && echo PASSED || echo FAILED) in $((t1 - t0)) s
  folder       $dir
  global file  $dir/global.txt (+ .late, .offsets)
  node files   $dir/node0.txt $dir/node1.txt $dir/node2.txt (+ .late)
  sent         $dir/sent.txt (every timestamp the client sent)
  logs         $dir/{broker,node0,node1,node2,merge,client}.log, $dir/verify.txt
  by hand (from $root; --keep keeps the folder):
    scripts/kafka-dev-broker.sh --port 9092 --dir $dir/kafka-data
    ./stampede server --port 5050 -o $dir/node0.txt --kafka 127.0.0.1:9092 --topic demo --node 0   # and 1, 2 on other ports
    ./stampede client --host 127.0.0.1:5050,127.0.0.1:5051,127.0.0.1:5052 -c $connections --record $dir/sent.txt --duration $duration
    ./stampede merge --kafka 127.0.0.1:9092 --topic demo -o $dir/global.txt --stats-interval 1s
    ./stampede verify $dir/global.txt --expect $dir/sent.txt
EOF
[ "$ok" = 1 ]
