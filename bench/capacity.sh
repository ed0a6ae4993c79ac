#!/usr/bin/env bash
# capacity.sh — the most timestamps per second one server takes on this machine, driven by a
# cheap load (bench/loadgen.c: C connections, each write() carries L lines of the current epoch
# ms, written as fast as the server takes them). Runs the C reference server, then the stampede
# server with each --loops count, one after the other, and prints a TSV table.
#
#   bench/capacity.sh [--loops "1 2"] [--connections 128] [--lines 4096] [--warmup 4] [--window 8]
#                     [--no-reference] [--out FILE.tsv] [--quiet-wait S] [-- extra server options]
#
# Capacity = the values the server read per second over a steady window (after --warmup s):
# the bytes the driver wrote in the window less the growth of the bytes queued in the sockets
# (/proc/net/tcp), over the line length. stampede's own count (its stats line's rate_per_s=, from
# msgs=) is printed beside it as a cross-check (server_reported_per_s). Every batch repeats one
# value and all connections send the same millisecond, so nearly every value is a duplicate: the
# figure counts values received and processed (parsed, merged, de-duplicated), not distinct
# lines written to the file.
# Also reported: the server's CPU over the window (cores, and ns per value), the driver's (to
# show it costs little), and what everything else on the machine used meanwhile (others_cores;
# each run first waits for a quiet machine, bench/quiet.sh). max_wm_lag_ms (stampede) is how far
# the backlog queued in the socket buffers puts the server behind the clock (it stays under
# --max-delay, so nothing is late); late counts values the server put in its late file.
#
# Loop counts other than 1 need a server with --loops; when the server has none they are skipped
# (with a note). Takes the machine-wide benchmark lock (/tmp/stampede-bench.lock) itself, unless
# STAMPEDE_BENCH_LOCKED=1 says the caller holds it (bench/report.sh does).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ARGS=("$@")
loops="1 2" conns=128 lines=4096 warmup=4 window=8 reference=1 out="" quiet_wait=120 extra=""
while [ $# -gt 0 ]; do
    case "$1" in
        --loops) loops=$2; shift 2 ;;
        --connections) conns=$2; shift 2 ;;
        --lines) lines=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --window) window=$2; shift 2 ;;
        --no-reference) reference=0; shift ;;
        --out) out=$2; shift 2 ;;
        --quiet-wait) quiet_wait=$2; shift 2 ;;
        --) shift; extra="$*"; break ;;
        -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "capacity: unknown argument $1" >&2; exit 2 ;;
    esac
done
for v in "$conns" "$lines" "$warmup" "$window"; do
    [[ $v =~ ^[0-9]+$ ]] || { echo "capacity: not a number: $v" >&2; exit 2; }
done

if [ "${STAMPEDE_BENCH_LOCKED:-}" != 1 ]; then
    export STAMPEDE_BENCH_LOCKED=1
    exec flock /tmp/stampede-bench.lock "$0" "${ARGS[@]}"
fi

# ------------------------------------------------------------------ build what is measured
bin="$root/target/bench"
ref="$root/target/reference"
mkdir -p "$bin" "$ref"
if [ ! -x "$bin/loadgen" ] || [ "$root/bench/loadgen.c" -nt "$bin/loadgen" ]; then
    cc -O2 -Wall -o "$bin/loadgen" "$root/bench/loadgen.c"
fi
if [ "$reference" = 1 ] && { [ ! -x "$ref/server" ] || [ "$root/../shared/reference/server.c" -nt "$ref/server" ]; }; then
    cp "$root/../shared/reference/"{server.c,client.c,Makefile,measure.sh} "$ref/"
    make -s -C "$ref" >/dev/null
fi
"$root/stampede" --version >/dev/null 2>&1 || true   # (re)builds target/stampede.jar if stale
has_loops=0
"$root/stampede" server --help 2>/dev/null | grep -q -- '--loops' && has_loops=1

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
tmp=$(mktemp -d /tmp/capacity.XXXXXX)
SPID="" LPID="" port=""
cleanup() {
    [ -n "$LPID" ] && kill -TERM "$LPID" 2>/dev/null || true
    [ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null || true
    sleep 0.5
    [ -n "$LPID" ] && kill -KILL "$LPID" 2>/dev/null || true
    [ -n "$SPID" ] && kill -KILL "$SPID" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

listening() { # port -> 0 when some socket listens on it
    local hex
    hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        awk -v h=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }'
}
free_port() { # a port below the ephemeral range that no socket uses in any state
    local p
    for _ in $(seq 100); do
        p=$((20000 + RANDOM % 10000))
        cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
            awk -v h=":$(printf '%04X' "$p")" 'substr($2, length($2) - 4) == h { f = 1 } END { exit !f }' ||
            { echo "$p"; return; }
    done
    echo "capacity: no free port" >&2; exit 1
}
cpu_ticks() { # pid -> utime+stime of the process (all its threads), in clock ticks
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
tck=$(getconf CLK_TCK)
. "$root/bench/quiet.sh"

inflight() { # port -> bytes queued in the sockets of its connections (send + receive queues)
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p="$(printf '%04X' "$1")" '
        function hex(s,   i, v) { v = 0; for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789ABCDEF", substr(s, i, 1)) - 1; return v }
        $4 == "01" && (substr($2, length($2) - 3) == p || substr($3, length($3) - 3) == p) {
            split($5, q, ":"); t += hex(q[1]) + hex(q[2]) }
        END { printf "%.0f\n", t }'
}
mark() { # loadgen-log -> "t_ns bytes" of a fresh mark (SIGUSR1), bracketed by two inflight reads
    local before after n0 line
    n0=$(grep -c 'mark' "$1" || true)
    before=$(inflight "$port")
    kill -USR1 "$LPID"
    for _ in $(seq 100); do
        [ "$(grep -c 'mark' "$1" || true)" -gt "$n0" ] && break
        sleep 0.01
    done
    after=$(inflight "$port")
    line=$(grep 'mark' "$1" | tail -n 1)
    [[ $line =~ t_ns=([0-9]+)\ bytes=([0-9]+) ]] || { echo "capacity: no mark from the driver" >&2; exit 1; }
    echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]} $(( (before + after) / 2 ))"
}

run_one() { # label loops command-with-{port}-{output}
    local label=$1 nloops=$2 cmd log s0 s1 l0 l1 m0 m1 lines_before stats linelen a b
    wait_quiet
    port=$(free_port)
    cmd=${3//\{port\}/$port}
    cmd=${cmd//\{output\}/$tmp/$label.txt}
    log="$tmp/$label.err"
    echo "capacity: $label: $cmd" >&2
    bash -c "exec $cmd" </dev/null >/dev/null 2>"$log" &
    SPID=$!
    for _ in $(seq 600); do
        listening "$port" && break
        kill -0 "$SPID" 2>/dev/null || { echo "capacity: $label exited:" >&2; tail "$log" >&2; exit 1; }
        sleep 0.1
    done
    listening "$port" || { echo "capacity: $label does not listen on $port" >&2; exit 1; }
    "$bin/loadgen" --port "$port" --connections "$conns" --lines "$lines" \
        --duration-s $((warmup + window + 2)) 2>"$tmp/$label.loadgen" &
    LPID=$!
    sleep "$warmup"
    lines_before=$(wc -l < "$log")
    a=($(machine_ticks)); s0=$(cpu_ticks "$SPID"); l0=$(cpu_ticks "$LPID"); m0=$(mark "$tmp/$label.loadgen")
    sleep "$window"
    b=($(machine_ticks)); s1=$(cpu_ticks "$SPID"); l1=$(cpu_ticks "$LPID"); m1=$(mark "$tmp/$label.loadgen")
    stats=$(tail -n +$((lines_before + 1)) "$log")
    wait "$LPID" || true
    LPID=""
    kill -TERM "$SPID" 2>/dev/null || true
    wait "$SPID" 2>/dev/null || true
    SPID=""
    linelen=$(( $(date +%s%3N | wc -c) ))   # digits + '\n'
    echo "$stats" | awk -v label="$label" -v loops="$nloops" -v conns="$conns" -v lines="$lines" \
        -v m0="$m0" -v m1="$m1" -v linelen="$linelen" -v s="$((s1 - s0))" -v l="$((l1 - l0))" -v tck="$tck" -v all="$((b[0] - a[0]))" -v busy="$BUSY" \
        -v final="$(grep -oE '(^| )late=[0-9]+' "$log" | tail -n 1)" '
        # stampede prints rate_per_s=N once a second: its own count, a cross-check
        match($0, / rate_per_s=[0-9]+/) { r = substr($0, RSTART + 12, RLENGTH - 12); n++; if (n > 1) { sum += r; nr++ } }
        match($0, / wm_lag_ms=-?[0-9]+/) { w = substr($0, RSTART + 11, RLENGTH - 11) + 0; if (w > lag) lag = w }
        END {
          split(m0, a, " "); split(m1, b, " ")
          secs = (b[1] - a[1]) / 1e9
          # bytes the server read in the window: written by the driver less the growth of the queues
          values = ((b[2] - a[2]) - (b[3] - a[3])) / linelen
          rate = values / secs
          scores = s / tck / secs; lcores = l / tck / secs
          sub(/.*late=/, "", final)
          others = (all - s - l) / tck / secs; if (others < 0) others = 0
          printf "%s\t%s\t%s\t%s\t%.1f\t%.0f\t%s\t%.2f\t%.1f\t%.2f\t%.2f\t%.2f\t%s\t%.0f\t%s\t%s\n", label, loops, conns, lines, secs, rate,
              (nr ? sprintf("%.0f", sum / nr) : "na"), scores, scores * 1e9 / rate, lcores, lcores * 1e9 / rate,
              others, busy, (b[3] - a[3]) / 1e6, (lag == "" ? "na" : lag), (final == "" ? "na" : final) }'
}

header="server\tloops\tconnections\tlines_per_write\twindow_s\tvalues_per_s\tserver_reported_per_s\tserver_cores\tserver_ns_per_value\tdriver_cores\tdriver_ns_per_value\tothers_cores\tbusy_before_pct\tqueued_growth_mb\tmax_wm_lag_ms\tlate"
result="$tmp/capacity.tsv"
printf '%b\n' "$header" > "$result"
if [ "$reference" = 1 ]; then
    run_one reference 1 "$ref/server --port {port} --output {output}" >> "$result"
fi
for L in $loops; do
    if [ "$L" = 1 ] && [ $has_loops = 0 ]; then
        run_one "stampede-1" 1 "$root/stampede server --port {port} --output {output} --stats-interval 1s $extra" >> "$result"
    elif [ $has_loops = 1 ]; then
        run_one "stampede-$L" "$L" "$root/stampede server --port {port} --output {output} --stats-interval 1s --loops $L $extra" >> "$result"
    else
        echo "capacity: this server has no --loops; skipping $L loops" >&2
    fi
done
cat "$result"
[ -z "$out" ] || cp "$result" "$out"
