#!/usr/bin/env bash
# How fast `stampede merge` catches up from a full topic: fills a topic of NODES partitions with
# NODES x PER_NODE timestamps (bench/FillTopic.java against the test classpath, records made by
# NodeRecord.encode: ascending per partition, interleaved in time across partitions, all distinct,
# a watermark on every record, a LEAVING record at the end of each), then starts a merge on a fresh
# global.txt and times it until the file holds every value (polled by size every 50 ms: 14 bytes
# a 13-digit line). Then verifies the file: strictly ascending, the expected count, first and last
# (so every value of base .. base+total-1 is there).
#
#   bench/merge-throughput.sh [--nodes 3] [--per-node 2000000] [--batch 8192] [--overlap] [--keep]
#
# --overlap: every partition holds the same values base .. base+PER_NODE-1 (every node saw every
# millisecond), so the merge reads NODES x PER_NODE values and writes PER_NODE of them (the rest are
# duplicates). Figures are given both per value read and per value written.
#
# Target: at least 2,000,000 timestamps/s. A development broker runs for the duration, its data in
# a temp folder (deleted at the end, with the global file, unless --keep).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../scripts/lib/procs.sh
. "$root/scripts/lib/procs.sh"

nodes=3 per_node=2000000 batch=8192 keep=0 mode=interleaved
while [ $# -gt 0 ]; do
    case "$1" in
        --nodes) nodes=$2; shift 2 ;;
        --per-node) per_node=$2; shift 2 ;;
        --batch) batch=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        --overlap) mode=overlap; shift ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "merge-throughput: unknown argument $1" >&2; exit 2 ;;
    esac
done

S="$root/stampede"
"$S" merge --version >/dev/null                  # builds the jar if needed
work=$(mktemp -d /tmp/merge-throughput.XXXXXX)
trap 'stop_all; if [ "$keep" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi' EXIT
trap 'exit 130' INT TERM
echo "merge-throughput: starting a development broker (data in $work)" >&2
start_broker "$work"              # also resolves target/test-classpath.txt the first time

total=$((nodes * per_node))      # values in the topic
distinct=$total                   # values in the global file
[ "$mode" = overlap ] && distinct=$per_node
now=$(date +%s%3N)
base=$((now - total - 60000))     # every value in the past, the newest a minute ago
topic="merge-bench-$$"
cp="$root/target/classes:$(cat "$root/target/test-classpath.txt")"
echo "n=$total ($nodes partitions x $per_node, $mode, $distinct distinct) batch=$batch base=$base broker=$BROKER $(date -u +%FT%TZ)"
java -Xmx512m -XX:+UseSerialGC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" "$root/bench/FillTopic.java" "$BROKER" "$topic" "$nodes" "$per_node" "$base" "$batch" "$mode"

out="$work/global.txt"
want_bytes=$((distinct * 14))        # 13 digits and a newline each (base has 13 digits)
[ ${#base} -eq 13 ] && [ ${#now} -eq 13 ] || { echo "merge-throughput: expected 13-digit values" >&2; exit 1; }
t0=$(date +%s%N)
start merge "$work/merge.log" "$S" merge --kafka "$BROKER" --topic "$topic" -o "$out" --stats-interval 1s
mpid=$PID
first=""
while :; do
    size=$(stat -c %s "$out" 2>/dev/null || echo 0)
    [ -z "$first" ] && [ "$size" -gt 0 ] && first=$(date +%s%N)
    [ "$size" -ge "$want_bytes" ] && break
    kill -0 "$mpid" 2>/dev/null || { echo "merge-throughput: the merge exited:" >&2; tail -n 20 "$work/merge.log" >&2; exit 1; }
    if [ $(( ($(date +%s%N) - t0) / 1000000000 )) -ge 300 ]; then
        echo "merge-throughput: not done after 300 s ($size of $want_bytes bytes)" >&2; tail -n 5 "$work/merge.log" >&2; exit 1
    fi
    sleep 0.05
done
t1=$(date +%s%N)
mcpu=$(awk -v k="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / k }' "/proc/$mpid/stat")  # the launcher execs the JVM
stop "$mpid" 30
sed 's/^/  /' "$work/merge.log" | grep -v SLF4J
awk -v n="$total" -v d="$distinct" -v a="$t0" -v f="$first" -v b="$t1" -v cpu="$mcpu" 'BEGIN {
    s = (b - a) / 1e9; w = (b - f) / 1e9
    printf "merge: %d values read, %d written, in %.2f s from start (JVM, consumer, assignment included): %.0f read/s, %.0f written/s\n", n, d, s, n / s, d / s
    printf "merge: %.2f s from the first byte written to the last: %.0f read/s, %.0f written/s\n", w, n / w, d / w
    printf "merge: event time merged: %.0f s of timestamps per second (the values span %d ms)\n", d / 1000 / s, d
    printf "merge: CPU %.2f s (user+sys, all threads) = %.0f%% of one core over the run\n", cpu, cpu / s * 100
    printf "target >= 2,000,000 timestamps/s (read, from start): %s\n", (n / s >= 2e6 ? "met" : "MISSED") }'

# the file: strictly ascending (verify), exactly total lines, from base to base+total-1
"$S" verify "$out" | tee "$work/verify.txt"
lines=$(wc -l < "$out"); head=$(head -n 1 "$out"); tail=$(tail -n 1 "$out")
late=0; [ -f "$out.late" ] && late=$(wc -l < "$out.late")
if [ "$lines" -eq "$distinct" ] && [ "$head" -eq "$base" ] && [ "$tail" -eq $((base + distinct - 1)) ]; then
    echo "check: OK ($lines lines, $head .. $tail, ascending: every value of the topic is there once; late=$late)"
else
    echo "check: FAILED (lines=$lines want $distinct, first=$head want $base, last=$tail want $((base + distinct - 1)), late=$late)"
    exit 1
fi
