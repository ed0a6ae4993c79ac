#!/usr/bin/env bash
# The servers' cost per timestamp, second by second, told apart by whether the server kept up:
#
#   bench/modes.sh [-n 5000] [-d 30] [-r 3] [-w 5] [-s MS] [-v LABEL=SERVER_OPTIONS]...
#
# Each round runs the C reference server, then each variant of ours, each driven by the C reference
# client (-n connections, every 50 ms, for -d seconds). -r rounds; -w seconds of start-up left out;
# -s stops the server for MS ms (SIGSTOP, SIGCONT) at the 5th measured second, as a host or a long
# GC would, to see whether it catches up; -v a variant of ours with these server options
# (repeatable; default one, "ours", with none), e.g. -v auto= -v zero=--read-batch=0.
# Once a second: the server's CPU (/proc/PID/stat, all its threads), the timestamps it received
# and its polls (perf stat on its read and epoll_wait syscalls: reads of one 14-byte line, and
# longer ones counted as two lines, so a lower bound; polls, and how many came back full; the
# output file cannot count them, as it holds each millisecond once), and the CPUs its busiest
# thread and the client last ran on. A second is "behind" when most of its polls came back full
# (1,024 sockets, the cap of both servers): more sockets were ready than one poll takes, so the
# server ran without a pause. Per run: CPU µs per timestamp over all seconds, over the seconds it
# kept up ("steady") and over those it was behind; the seconds behind; the seconds in which the
# server's busiest thread and the client were last seen on one CPU (same_cpu_s). Every second in
# bench/results/<date>-modes/seconds.tsv.
#
# Why: at n = 5,000 on this 2-core machine the C client takes one core, and both servers switch,
# within one run, between two states: keeping up (ours ~7.5 µs a timestamp, pausing between
# rounds; C ~8.5, waking per event) and behind (no pause, every poll full, ~10 µs for both). A
# whole-run figure (what measure.sh gives) mixes the two in shares that differ from run to run:
# much of the spread of bench/compare.sh (docs/PERFORMANCE.md, "Two states of one run"). The
# "behind" reading is meant for the default read batch and C's default: a long --read-batch fills
# its polls by design. Needs perf (syscall tracepoints, as root). Takes the benchmark lock itself.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=5000 d=30 r=3 w=5 stall=0 variants=()
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;;
        -d) d=$2; shift 2 ;;
        -r) r=$2; shift 2 ;;
        -w) w=$2; shift 2 ;;
        -v) variants+=("$2"); shift 2 ;;
        -s) stall=$2; shift 2 ;;
        -h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
        *) echo "bench/modes: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [ "$d" -le $((w + 3)) ]; then
    echo "bench/modes: -d $d leaves no second to measure after -w $w" >&2; exit 2
fi
if ! perf stat -e syscalls:sys_exit_epoll_wait -- true >/dev/null 2>&1; then
    echo "bench/modes: needs perf with syscall tracepoints (root, or kernel.perf_event_paranoid=-1)" >&2
    exit 1
fi
ref="$root/target/reference"
if [ -z "${STAMPEDE_BENCH_SNAP:-}" ]; then
    . "$root/bench/reference.sh"   # builds the C reference and the current jar
    # Measure a frozen copy: the launcher rebuilds its jar when sources are newer.
    snap=$(mktemp -d /tmp/bench-modes.XXXXXX)
    mkdir -p "$snap/target" "$snap/src/dist/lib"
    cp "$root/stampede" "$snap/stampede"
    cp "$root/src/dist/lib/jvm.sh" "$snap/src/dist/lib/jvm.sh"
    cp "$root/target/stampede.jar" "$snap/target/stampede.jar"
    rc=0
    vargs=()
    for v in "${variants[@]}"; do vargs+=(-v "$v"); done
    STAMPEDE_BENCH_SNAP=$snap flock /tmp/stampede-bench.lock "$0" -n "$n" -d "$d" -r "$r" -w "$w" -s "$stall" "${vargs[@]}" || rc=$?
    rm -rf "$snap"
    exit $rc
fi
snap=$STAMPEDE_BENCH_SNAP
[ ${#variants[@]} -gt 0 ] || variants=("ours=")
hz=$(getconf CLK_TCK)

proc_ticks() { # PID -> utime+stime of the whole process, in clock ticks
    local line
    read -r line < "/proc/$1/stat" || { echo 0; return; }
    local f=(${line##*) })
    echo $((f[11] + f[12]))
}

last_cpu() { # /proc/PID[/task/TID] -> the CPU it last ran on
    local line
    read -r line < "$1/stat" || { echo -; return; }
    local f=(${line##*) })
    echo "${f[36]}"
}

busiest_thread() { # PID -> /proc path of its thread with the most CPU so far (the event loop)
    local t line best="/proc/$1" most=-1
    for t in /proc/"$1"/task/*; do
        read -r line < "$t/stat" || continue
        local f=(${line##*) })
        if [ $((f[11] + f[12])) -gt "$most" ]; then most=$((f[11] + f[12])); best=$t; fi
    done
    echo "$best"
}

one_run() { # label server-command -> one summary line; the per-second rows go to $out/seconds.tsv
    local label=$1 cmd=$2 port tmp sp cp i
    port=$((20000 + RANDOM % 12000))
    tmp=$(mktemp -d)
    cmd=${cmd//\{port\}/$port}; cmd=${cmd//\{output\}/$tmp/o.txt}
    $cmd >"$tmp/server.log" 2>&1 &
    sp=$!
    for i in $(seq 1 300); do ss -ltn | grep -q ":$port " && break; sleep 0.1; done
    "$ref/client" --port "$port" --connections "$n" --duration-s "$d" --interval-ms 50 >/dev/null 2>&1 &
    cp=$!
    sleep "$w"
    local secs=$((d - w - 2))
    # Per interval, in this order: full polls, polls, one-line reads, longer reads.
    perf stat -I 1000 -x, -p "$sp" -o "$tmp/polls.csv" \
        -e syscalls:sys_exit_epoll_wait --filter 'ret >= 1024' -e syscalls:sys_exit_epoll_wait \
        -e syscalls:sys_exit_read --filter 'ret == 14' -e syscalls:sys_exit_read --filter 'ret > 14' \
        -- sleep "$secs" >/dev/null 2>&1 &
    local pp=$! t0 t1 k loop
    t0=$(proc_ticks "$sp")
    loop=$(busiest_thread "$sp")
    for k in $(seq 1 "$secs"); do
        sleep 1
        if [ "$k" = 5 ] && [ "$stall" -gt 0 ]; then   # a stall, as a host or a long GC makes one
            kill -STOP "$sp"; sleep "$(awk -v ms="$stall" 'BEGIN { printf "%.3f", ms / 1000 }')"; kill -CONT "$sp"
        fi
        t1=$(proc_ticks "$sp")
        echo "$((t1 - t0)) $(last_cpu "$loop") $(last_cpu "/proc/$cp")"
        t0=$t1
    done > "$tmp/cpu.txt"
    wait "$pp" || true
    awk -F, '/syscalls:sys_exit_/ { v[c++ % 4] = $2; if (c % 4 == 0) print v[2] + 2 * v[3], v[0], v[1] }' \
        "$tmp/polls.csv" > "$tmp/polls.txt"
    kill "$cp" 2>/dev/null || true; wait "$cp" 2>/dev/null || true
    kill "$sp" 2>/dev/null || true; wait "$sp" 2>/dev/null || true
    paste -d' ' "$tmp/cpu.txt" "$tmp/polls.txt" | awk -v label="$label" -v hz="$hz" '
        NF == 6 {   # cpu_ticks loop_cpu client_cpu timestamps full_polls polls
            behind = ($6 > 0 && $5 * 2 > $6)
            printf "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", label, NR, $1, $4, $5, $6, behind, $2, $3 >> "'"$out/seconds.tsv"'"
            all_t += $1; all_n += $4
            if (behind) { b_t += $1; b_n += $4; b_s++ } else { s_t += $1; s_n += $4; s_s++ }
            if ($2 == $3) shared++
        }
        function us(t, n) { return n > 0 ? sprintf("%.2f", t * 1e6 / hz / n) : "na" }
        END {
            printf "%-9s seconds=%d behind_s=%d us_per_ts_all=%s us_per_ts_steady=%s us_per_ts_behind=%s ts_per_s=%d same_cpu_s=%d\n",
                label, s_s + b_s, b_s, us(all_t, all_n), us(s_t, s_n), us(b_t, b_n), (s_s + b_s) ? all_n / (s_s + b_s) : 0, shared
        }'
    rm -rf "$tmp"
}

out="$root/bench/results/$(date -u +%Y-%m-%dT%H%MZ)-modes"
mkdir -p "$out"
printf 'server\tsecond\tcpu_ticks\ttimestamps\tfull_polls\tpolls\tbehind\tloop_cpu\tclient_cpu\n' > "$out/seconds.tsv"
{
    echo "# bench/modes.sh -n $n -d $d -r $r -w $w -s $stall$(printf " -v '%s'" "${variants[@]}"); $(date -u +%FT%TZ); $(nproc) CPUs; java: $(java -version 2>&1 | head -n 1)"
    for k in $(seq 1 "$r"); do
        one_run "c-$k" "$ref/server --port {port} --output {output}"
        for v in "${variants[@]}"; do
            one_run "${v%%=*}-$k" "$snap/stampede server --port {port} --output {output} -q ${v#*=}"
        done
    done
} | tee "$out/summary.txt"
echo "per second: $out/seconds.tsv" >&2
