#!/usr/bin/env bash
# The servers' cost per timestamp, second by second, told apart by whether the server kept up:
#
#   bench/modes.sh [-n 5000] [-d 30] [-r 3] [-w 5] [-s MS] [-v LABEL=SERVER_OPTIONS]...
#
# Each round runs the C reference server, then each variant of ours, each driven by the C
# reference client (-n connections, every 50 ms, for -d seconds). -r rounds; -w seconds of
# start-up left out; -s stops the server for MS ms (SIGSTOP, SIGCONT) at the 5th measured second,
# as a host or a long GC would, to see whether it catches up; -v a variant of ours with these
# server options (repeatable; default one, "ours", with none), e.g. -v auto= -v
# zero=--read-batch=0.
# Once a second: the server's CPU (schedstat of all its threads: exact, where the clock ticks of
# /proc/PID/stat are sampled), how much of the second its busiest thread (the event loop; with
# --loops N, one of them) ran or waited to run, the timestamps it received and its polls (perf
# stat on its read and epoll_wait syscalls: reads of one 14-byte line, and longer ones counted as
# two lines, so a lower bound; polls, and how many came back full; the output file cannot count
# them, as it holds each millisecond once), and the CPUs its loop and the client last ran on. A
# second is "saturated" when the loop ran, or waited for a CPU to run on, for 95 % of it or more:
# it had no time to spare, and what it cost a timestamp is then one core divided by the rate, not
# what reading costs. Per run: CPU µs per timestamp over all seconds, over the seconds it kept up
# and over the saturated ones; the seconds saturated; the seconds in which most polls came back
# full (1,024 sockets, the cap of both servers: the loop read a backlog without pausing); the
# seconds in which loop and client were last seen on one CPU. Every second in
# bench/results/<date>-modes/seconds.tsv.
#
# Why: at n = 5,000 on this 2-core machine the C client takes one core, and both servers switch,
# within one run, between keeping up (ours ~7.5 µs a timestamp, pausing between rounds; C ~8.5,
# waking per event) and a saturated loop (~10 µs for both: one core). A whole-run figure (what
# measure.sh gives) mixes the two in shares that differ from run to run: much of the spread of
# bench/compare.sh (docs/PERFORMANCE.md, "Two states of one run"). Each run first waits (up to
# QUIET_WAIT, 30 s) for the machine to be under 25 % busy and probes the host's speed
# (bench/quiet.sh: busy_before_pct, host_ns_before). Needs perf (syscall tracepoints, as root).
# Takes the benchmark lock itself.
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
        -h|--help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
        *) echo "bench/modes: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [ "$d" -le $((w + 3)) ]; then
    echo "bench/modes: -d $d leaves no second to measure after -w $w" >&2; exit 2
fi
if [ "$stall" -gt 0 ] && [ "$d" -lt $((w + 7)) ]; then
    echo "bench/modes: -s stops the server at the 5th measured second: -d must be at least $((w + 7))" >&2; exit 2
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
    STAMPEDE_BENCH_SNAP=$snap flock /tmp/stampede-bench.lock \
        "$0" -n "$n" -d "$d" -r "$r" -w "$w" -s "$stall" "${vargs[@]}" || rc=$?
    rm -rf "$snap"
    exit $rc
fi
snap=$STAMPEDE_BENCH_SNAP
quiet_wait=${QUIET_WAIT:-30}
. "$root/bench/quiet.sh"
[ ${#variants[@]} -gt 0 ] || variants=("ours=")

cpu_ns() { # /proc/PID/task/TID ... -> the CPU time they have had, in ns (schedstat: exact, not ticks)
    local f v sum=0
    for f in "$@"; do
        read -r v _ < "$f/schedstat" 2>/dev/null && sum=$((sum + v))
    done
    echo "$sum"
}

demand_ns() { # /proc/PID/task/TID -> the time it ran or waited to run, in ns (schedstat)
    local run wait
    read -r run wait _ < "$1/schedstat" 2>/dev/null || { echo 0; return; }
    echo $((run + wait))
}

last_cpu() { # /proc/PID[/task/TID] -> the CPU it last ran on
    local line
    read -r line < "$1/stat" || { echo -; return; }
    local f=(${line##*) })
    echo "${f[36]}"
}

busiest_thread() { # PID -> /proc path of its thread with the most CPU so far (the event loop)
    local t v best="/proc/$1" most=-1
    for t in /proc/"$1"/task/*; do
        read -r v _ < "$t/schedstat" 2>/dev/null || continue
        if [ "$v" -gt "$most" ]; then most=$v; best=$t; fi
    done
    echo "$best"
}

one_run() { # label server-command -> one summary line; the per-second rows go to $out/seconds.tsv
    local label=$1 cmd=$2 port tmp sp cp i
    wait_quiet   # sets BUSY and HOST_NS, printed with the run's figures
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
    local pp=$! k loop p0 p1 l0 l1 w0 w1
    loop=$(busiest_thread "$sp")
    p0=$(cpu_ns /proc/"$sp"/task/*); l0=$(demand_ns "$loop"); w0=$(date +%s%N)
    for k in $(seq 1 "$secs"); do
        sleep 1
        if [ "$k" = 5 ] && [ "$stall" -gt 0 ]; then   # a stall, as a host or a long GC makes one
            kill -STOP "$sp"; sleep "$(awk -v ms="$stall" 'BEGIN { printf "%.3f", ms / 1000 }')"; kill -CONT "$sp"
        fi
        p1=$(cpu_ns /proc/"$sp"/task/*); l1=$(demand_ns "$loop"); w1=$(date +%s%N)
        # the process's CPU ns; the loop's running or waiting to run, per mille of the second;
        # the CPUs the loop and the client last ran on
        echo "$((p1 - p0)) $(((l1 - l0) * 1000 / (w1 - w0))) $(last_cpu "$loop") $(last_cpu "/proc/$cp")"
        p0=$p1; l0=$l1; w0=$w1
    done > "$tmp/cpu.txt"
    wait "$pp" || true
    awk -F, '/syscalls:sys_exit_/ { v[c++ % 4] = $2; if (c % 4 == 0) print v[2] + 2 * v[3], v[0], v[1] }' \
        "$tmp/polls.csv" > "$tmp/polls.txt"
    kill "$cp" 2>/dev/null || true; wait "$cp" 2>/dev/null || true
    kill "$sp" 2>/dev/null || true; wait "$sp" 2>/dev/null || true
    paste -d' ' "$tmp/cpu.txt" "$tmp/polls.txt" | awk -v label="$label" -v busy="$BUSY" -v host="$HOST_NS" '
        NF == 7 {   # cpu_ns loop_demand_permille loop_cpu client_cpu timestamps full_polls polls
            sat = ($2 >= 950)
            printf "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", label, NR, $1 / 1000, $2, $5, $6, $7, sat, $3, $4 \
                >> "'"$out/seconds.tsv"'"
            all_t += $1; all_n += $5
            if (sat) { b_t += $1; b_n += $5; b_s++ } else { s_t += $1; s_n += $5; s_s++ }
            if ($6 * 2 > $7) full++
            if ($3 == $4) shared++
        }
        function us(t, n) { return n > 0 ? sprintf("%.2f", t / 1000 / n) : "na" }
        END {
            secs = s_s + b_s
            printf "%-9s seconds=%d saturated_s=%d us_per_ts_all=%s us_per_ts_kept_up=%s us_per_ts_saturated=%s",
                label, secs, b_s, us(all_t, all_n), us(s_t, s_n), us(b_t, b_n)
            printf " ts_per_s=%d full_polls_s=%d same_cpu_s=%d", secs ? all_n / secs : 0, full, shared
            printf " busy_before_pct=%s host_ns_before=%s\n", busy, host
        }'
    rm -rf "$tmp"
}

out="$root/bench/results/$(date -u +%Y-%m-%dT%H%MZ)-modes"
mkdir -p "$out"
printf '%s\t' server second cpu_us loop_demand_permille timestamps full_polls polls saturated loop_cpu \
    > "$out/seconds.tsv"
printf 'client_cpu\n' >> "$out/seconds.tsv"
{
    echo "# bench/modes.sh -n $n -d $d -r $r -w $w -s $stall$(printf " -v '%s'" "${variants[@]}");" \
        "$(date -u +%FT%TZ); $(nproc) CPUs; java: $(java -version 2>&1 | head -n 1)"
    for k in $(seq 1 "$r"); do
        one_run "c-$k" "$ref/server --port {port} --output {output}"
        for v in "${variants[@]}"; do
            one_run "${v%%=*}-$k" "$snap/stampede server --port {port} --output {output} -q ${v#*=}"
        done
    done
} | tee "$out/summary.txt"
echo "per second: $out/seconds.tsv" >&2
