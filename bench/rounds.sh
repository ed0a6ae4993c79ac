#!/usr/bin/env bash
# The server's cycle at a fixed read batch, C's --batch-ms N beside stampede's --read-batch Nms,
# both driven by the C reference client: how long each pause and each round (the busy part
# between two pauses) last, and how many writes to the file each cycle makes. Traced with perf's
# syscall tracepoints (sleep/futex, epoll_wait, write) for 3 s from the 5th second of a 10-s run;
# needs root and perf. The reads are only counted (perf stat): recording 30,000 a second slows them.
#
#   flock /tmp/stampede-bench.lock bench/rounds.sh [-n 5000] [-s 100] [-r 2]
#
# Why it exists: at 100 ms the file's lag p50 is ~25 ms more than C's although our round is no
# longer: C reads a connection again when it refills during the round and writes 3 times a cycle,
# our sweep reads each once and writes once (docs/PERFORMANCE.md, "Two long series back to
# back"). Compare figures of one run only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=5000 setting=100 r=2
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;;
        -s) setting=$2; shift 2 ;;
        -r) r=$2; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "rounds: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
command -v perf >/dev/null || { echo "rounds: needs perf (linux-perf)" >&2; exit 1; }
. "$root/bench/reference.sh"

# perf script lines "TID TIME: EVENT:" -> one summary line. The loop thread is the one that
# polls; a pause is a sleep or futex wait of at least 50 ms on it.
summarize() {
    awk '
        function isort(a, m,    i, j, v) { for (i = 2; i <= m; i++) { v = a[i]; for (j = i - 1; j >= 1 && a[j] > v; j--) a[j + 1] = a[j]; a[j + 1] = v } }
        { tid = $1; t = $2 + 0; ev = $3; sub(/:$/, "", ev); sub(/^syscalls:/, "", ev); n++; T[n] = t; D[n] = tid; E[n] = ev
          if (ev == "sys_enter_epoll_wait") polls[tid]++ }
        END {
            for (tid in polls) if (polls[tid] > best) { best = polls[tid]; loop = tid }
            for (i = 1; i <= n; i++) {
                if (E[i] ~ /^sys_enter_(write|pwrite64)$/) { nw++; W[nw] = T[i]; continue }
                if (D[i] != loop || E[i] !~ /(sleep|futex)$/) continue
                if (E[i] ~ /^sys_enter/) { enter = T[i]; continue }
                if (enter > 0 && T[i] - enter >= 0.05) { np++; PS[np] = enter; PE[np] = T[i] }
                enter = 0
            }
            for (k = 1; k < np; k++) {
                round[k] = (PS[k + 1] - PE[k]) * 1000; pause[k] = (PE[k] - PS[k]) * 1000
                for (j = 1; j <= nw; j++) if (W[j] >= PE[k] && W[j] < PE[k + 1]) writes[k]++
            }
            m = np - 1
            if (m < 3) { print "too few cycles traced (" m ")"; exit }
            for (k = 1; k <= m; k++) wc[k] = writes[k] + 0
            isort(round, m); isort(pause, m); isort(wc, m)
            printf "cycles=%d pause_ms_p50=%.1f round_ms_p10=%.1f round_ms_p50=%.1f round_ms_p90=%.1f writes_per_cycle_p50=%d\n",
                m, pause[int((m + 1) / 2)], round[int(m / 10) + 1], round[int((m + 1) / 2)], round[m - int(m / 10)], wc[int((m + 1) / 2)]
        }'
}

one() { # label server-command (with {port} and {output})
    local port out sp cp pid stat_pid
    start_driven_server "$2"
    sleep 5
    pid=$(ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
    perf stat -x, -o "$out/reads.csv" -e syscalls:sys_enter_read -p "$pid" -- sleep 3 2>/dev/null &
    stat_pid=$!
    perf record -q -o "$out/perf.data" -p "$pid" \
        -e 'syscalls:sys_enter_epoll_wait,syscalls:sys_enter_write,syscalls:sys_enter_pwrite64' \
        -e 'syscalls:sys_enter_futex,syscalls:sys_exit_futex' \
        -e 'syscalls:sys_enter_nanosleep,syscalls:sys_exit_nanosleep' \
        -e 'syscalls:sys_enter_clock_nanosleep,syscalls:sys_exit_clock_nanosleep' -- sleep 3 2>/dev/null
    wait "$stat_pid" || true
    printf '%-9s %s reads_per_s=%s\n' "$1" "$(perf script -i "$out/perf.data" -F tid,time,event 2>/dev/null | summarize)" \
        "$(awk -F, '/sys_enter_read/ { printf "%d", $1 / 3 }' "$out/reads.csv")"
    wait "$cp" || true
    kill "$sp"; wait "$sp" 2>/dev/null || true
    rm -rf "$out"
}

echo "n=$n setting=$setting rounds=$r $(date -u +%FT%TZ)"
for ((k = 1; k <= r; k++)); do
    one C "$ref/server --port {port} --output {output} --batch-ms $setting"
    one stampede "$root/stampede server --port {port} --output {output} -q --read-batch ${setting}ms"
done
