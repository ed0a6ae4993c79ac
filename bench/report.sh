#!/usr/bin/env bash
# report.sh — the performance report's data and plots, rerunnable on any machine
# (docs/PERFORMANCE.md shows what one run gives on ours).
#
#   bench/report.sh [--quick] [--duration S] [--ns "50 200 1000 2000 5000 8000"]
#                   [--timeline-s S] [--no-rsyslog] [--no-capacity] [--no-frontier]
#                   [--frontier-rounds R] [--quiet-wait S]
#   bench/report.sh --plots-only DIR      # redraw the SVGs from a results folder's TSVs
#   bench/report.sh --selftest            # the plotter draws a tiny chart (a few seconds)
#
# What it runs, each measured by ../shared/reference/measure.sh (the C reference's instrument):
#   1. CPU per timestamp against n connections (every n of --ns, each run --duration s):
#      - servers, driven by the C reference client: the C reference server, stampede's server
#        (with each --loops count the server has; 1 otherwise), rsyslog (if rsyslogd exists)
#      - clients, against the C reference server: the C reference client, stampede's client
#        (with each --loops count the client has)
#   2. one n=5000 run of stampede's server and client together (--timeline-s): the client's
#      send lateness per second (its --histogram-log) and the file's lag per second (the
#      freshness samples of measure.sh, and the server's wm_lag_ms)
#   3. capacity against loops: bench/capacity.sh
#   4. the cost-freshness frontier at n=5000: bench/frontier.sh, 30-s runs (--frontier-rounds
#      rounds of C's default, --batch-ms 100 and 400 beside stampede's default, --read-batch
#      100ms and 400ms): CPU per timestamp against the file's lag p50
# Writes TSVs into bench/results/<UTC date-time>/ (with --quick: target/bench/quick-<...>/, plots
# included) and SVG plots into docs/perf/. Takes the machine-wide benchmark lock
# (/tmp/stampede-bench.lock) for the whole run; do not wrap it in flock yourself.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ARGS=("$@")
cd "$root"
LOCK=/tmp/stampede-bench.lock

quick=0 duration=12 ns="50 200 1000 2000 5000 8000" timeline=30 rsyslog=1 capacity=1 plots_only="" quiet_wait=30
frontier=1 frontier_rounds=3 frontier_s=30 frontier_n=5000
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1; duration=4; ns="50 2000"; timeline=6; frontier_rounds=1; frontier_s=4; frontier_n=2000; shift ;;
        --duration) duration=$2; shift 2 ;;
        --ns) ns=$2; shift 2 ;;
        --timeline-s) timeline=$2; shift 2 ;;
        --no-rsyslog) rsyslog=0; shift ;;
        --no-capacity) capacity=0; shift ;;
        --no-frontier) frontier=0; shift ;;
        --frontier-rounds) frontier_rounds=$2; shift 2 ;;
        --quiet-wait) quiet_wait=$2; shift 2 ;;
        --plots-only) plots_only=$2; shift 2 ;;
        --selftest) exec java bench/Plot.java --selftest ;;
        -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "report: unknown argument $1" >&2; exit 2 ;;
    esac
done

# ------------------------------------------------------------------ plots (from TSVs only)
plots() { # results-dir svg-dir
    local d=$1 o=$2 sy=() cy=() sl=() cl=() c
    mkdir -p "$o"
    for c in $(head -n 1 "$d/cpu_server.tsv"); do
        case $c in
            n) ;;
            reference) sy+=("$c"); sl+=("C reference server") ;;
            stampede_loops*) sy+=("$c"); sl+=("stampede server, --loops ${c#stampede_loops}") ;;
            rsyslog) sy+=("$c"); sl+=("rsyslogd (no order, no dedup)") ;;
        esac
    done
    for c in $(head -n 1 "$d/cpu_client.tsv"); do
        case $c in
            n) ;;
            reference) cy+=("$c"); cl+=("C reference client") ;;
            stampede_loops*) cy+=("$c"); cl+=("stampede client, --loops ${c#stampede_loops}") ;;
        esac
    done
    java bench/Plot.java --tsv "$d/cpu_server.tsv" --x n --y "$(IFS=,; echo "${sy[*]}")" \
        --labels "$(IFS="|"; echo "${sl[*]}")" --logx --zero \
        --title "Server CPU per timestamp (µs), steady state, vs connections" \
        --xlabel "connections n (each sends every 50 ms)" --ylabel "CPU µs per timestamp" --out "$o/cpu-server.svg"
    java bench/Plot.java --tsv "$d/cpu_client.tsv" --x n --y "$(IFS=,; echo "${cy[*]}")" \
        --labels "$(IFS="|"; echo "${cl[*]}")" --logx --zero \
        --title "Client CPU per timestamp (µs), steady state, vs connections" \
        --xlabel "connections n (each sends every 50 ms)" --ylabel "CPU µs per timestamp" --out "$o/cpu-client.svg"
    if [ -s "$d/lateness.tsv" ]; then
        java bench/Plot.java --tsv "$d/lateness.tsv" --x t_s --y p50_us,p99_us,p999_us,max_us \
            --labels "p50|p99|p99.9|max" --logy --legend br \
            --title "Client send lateness per second (µs), n=5000" \
            --xlabel "seconds since the client started sending" --ylabel "lateness µs" --out "$o/lateness.svg"
    fi
    if [ -s "$d/file_lag.tsv" ]; then
        java bench/Plot.java --tsv "$d/file_lag.tsv" --x t_s --y freshness_ms,wm_lag_ms \
            --labels "file freshness: now - newest line (measure.sh)|server wm_lag_ms: now - watermark" --zero \
            --title "The file's lag behind the clock (ms), n=5000" \
            --xlabel "seconds since the client started" --ylabel "lag ms" --out "$o/file-lag.svg"
    fi
    if [ -s "$d/capacity_plot.tsv" ]; then
        java bench/Plot.java --tsv "$d/capacity_plot.tsv" --x loops --y stampede,reference \
            --labels "stampede server|C reference server (single-threaded)" --zero --legend br \
            --title "Capacity: timestamps/s one server takes, vs event loops" \
            --xlabel "event loops (--loops)" --ylabel "timestamps per second" --out "$o/capacity.svg"
    fi
    if [ -s "$d/frontier.tsv" ]; then
        frontier_points "$d/frontier.tsv" > "$d/frontier_points.tsv"
        java bench/Plot.java --tsv "$d/frontier_points.tsv" --x lag_p50_ms \
            --y C_auto,C_100ms,C_400ms,stampede_auto,stampede_100ms,stampede_400ms \
            --labels "C, default|C, --batch-ms 100|C, --batch-ms 400|stampede, default|stampede, --read-batch 100ms|stampede, --read-batch 400ms" \
            --points-only --zero --title "Server CPU per timestamp (µs) against the file's lag, n=$(frontier_n_of "$d")" \
            --xlabel "file lag p50 (ms)" --ylabel "CPU µs per timestamp, steady" --out "$o/frontier.svg"
    fi
    echo "report: plots in $o" >&2
}

# frontier.sh's rows (setting, server, lag, steady µs, ...) -> one x column (the lag) and one y
# column per server and setting, "-" where a row has no point, as Plot.java's --points-only reads
frontier_points() {
    awk -F'\t' 'NR > 1 && $3 != "" && $3 != "na" {
            k = $2 "_" ($1 == "auto" ? "auto" : $1 "ms"); print $3 "\t" k "\t" $4 }' "$1" | sort -n |
        awk -F'\t' 'BEGIN { split("C_auto C_100ms C_400ms stampede_auto stampede_100ms stampede_400ms", c, " ")
                            printf "lag_p50_ms"; for (i = 1; i <= 6; i++) printf "\t%s", c[i]; printf "\n" }
            { printf "%s", $1; for (i = 1; i <= 6; i++) printf "\t%s", (c[i] == $2 ? $3 : "-"); printf "\n" }'
}

frontier_n_of() { # results dir -> n of its frontier runs (5000 unless the run said otherwise)
    sed -n 's/^frontier_n\t//p' "$1/machine.tsv" 2>/dev/null | grep . || echo 5000
}

if [ -n "$plots_only" ]; then
    plots "$plots_only" docs/perf
    exit 0
fi

# ------------------------------------------------------------------ one lock for the whole run
if [ "${STAMPEDE_BENCH_LOCKED:-}" != 1 ]; then
    export STAMPEDE_BENCH_LOCKED=1
    echo "report: waiting for $LOCK" >&2
    exec flock "$LOCK" "$0" "${ARGS[@]}"
fi

stamp=$(date -u +%Y-%m-%dT%H%MZ)
if [ $quick = 1 ]; then out="target/bench/quick-$stamp"; svg="$out/svg"; else out="bench/results/$stamp"; svg=docs/perf; fi
mkdir -p "$out"

# ------------------------------------------------------------------ build
ref="$root/target/reference"
mkdir -p "$ref"
cp ../shared/reference/{server.c,client.c,Makefile,measure.sh} "$ref/"
make -s -C "$ref" >/dev/null
(mvn -B -q -o -DskipTests package >/dev/null 2>&1 || mvn -B -q -DskipTests package)
measure="$ref/measure.sh"

srv_loops=1 cli_loops=1
./stampede server --help 2>/dev/null | grep -q -- '--loops' && srv_loops="1 2"
./stampede client --help 2>/dev/null | grep -q -- '--loops' && cli_loops="1 2"
if [ $rsyslog = 1 ] && ! command -v rsyslogd >/dev/null; then
    echo "report: rsyslogd not installed (apt-get install rsyslog): left out" >&2
    rsyslog=0
fi

{
    echo "date_utc	$(date -u +%FT%TZ)"
    echo "commit	$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml || echo ' (modified)')"
    echo "cpu	$(lscpu | sed -n 's/^Model name: *//p') x $(nproc)"
    echo "memory	$(free -g | awk '/^Mem:/ { print $2 " GiB" }')"
    echo "kernel	$(uname -sr)"
    echo "java	$(java -version 2>&1 | head -n 1)"
    echo "gcc	$(cc --version | head -n 1)"
    echo "open_files_hard	$(ulimit -Hn)"
    echo "server_loops	$srv_loops"
    echo "client_loops	$cli_loops"
    echo "duration_s	$duration"
    if [ $frontier = 1 ]; then echo "frontier_n	$frontier_n"; fi
} > "$out/machine.tsv"
cat "$out/machine.tsv" >&2

ref_server="$ref/server --port {port} --output {output}"
ref_client="$ref/client --port {port} --connections {n} --duration-s {duration} --interval-ms {interval}"
our_server="$root/stampede server --port {port} --output {output} -q"
our_client="$root/stampede client --port {port} -c {n} --duration {duration}s --interval {interval}ms -q"
rs_server="$root/../shared/reference/rsyslog.sh {port} {output}"

kv() { # summary-line key -> value
    tr ' ' '\n' <<< "$1" | sed -n "s/^$2=//p" | head -n 1
}
raw="$out/runs.tsv"
get() { # what -> the summary line of that run at $n
    awk -F'\t' -v w="$1" -v n="$n" '$1 == w && $2 == n { print $3 }' "$raw" | tail -n 1
}
printf 'what\tn\tsummary\n' > "$raw"
. "$root/bench/quiet.sh"
run() { # label n server client [duration]
    local line
    wait_quiet
    echo "report: $1 n=$2 (machine ${BUSY}% busy before, a loopback line ${HOST_NS} ns)" >&2
    line=$("$measure" --server "$3" --client "$4" --n "$2" --duration "${5:-$duration}" 2>>"$out/measure.log" | tail -n 1)
    printf '%s\t%s\t%s busy_before_pct=%s host_ns_before=%s\n' "$1" "$2" "$line" "$BUSY" "$HOST_NS" >> "$raw"
    LAST=$line
}

# ------------------------------------------------------------------ 1. CPU against n
for n in $ns; do
    run reference "$n" "$ref_server" "$ref_client"
    for L in $srv_loops; do
        opt=""; [ "$srv_loops" != 1 ] && opt=" --loops $L"
        run "server_loops$L" "$n" "$our_server$opt" "$ref_client"
    done
    for L in $cli_loops; do
        opt=""; [ "$cli_loops" != 1 ] && opt=" --loops $L"
        run "client_loops$L" "$n" "$ref_server" "$our_client$opt"
    done
    [ $rsyslog = 1 ] && run rsyslog "$n" "$rs_server" "$ref_client"
done

# tables: one row per n. The CPU figure plotted is the steady state (measure.sh's samples after
# its 3 s warm-up, so JVM start-up and connecting are left out) per timestamp actually sent:
# measure.sh divides by the expected count (n x 20/s), so it is scaled by expected/sent, which
# matters only when the client missed ticks (an overloaded machine).
steady_sent() { # summary-line server|client -> steady µs per timestamp sent
    local st ex se
    st=$(kv "$1" "$2_steady_us_per_msg"); ex=$(kv "$1" expected_msgs); se=$(kv "$1" client_sent)
    awk -v st="$st" -v ex="$ex" -v se="$se" 'BEGIN {
        if (st == "" || st == "na" || se + 0 <= 0) print "na"; else printf "%.2f\n", st * ex / se }'
}
{
    printf 'n\treference'; for L in $srv_loops; do printf '\tstampede_loops%s' "$L"; done
    [ $rsyslog = 1 ] && printf '\trsyslog'
    printf '\n'
} > "$out/cpu_server.tsv"
{
    printf 'n\treference'; for L in $cli_loops; do printf '\tstampede_loops%s' "$L"; done; printf '\n'
} > "$out/cpu_client.tsv"
keys="server_cpu_us_per_msg client_cpu_us_per_msg server_rss_max_mb client_rss_max_mb lag_p50_ms lag_max_ms server_late client_missed client_late_p99_us sorted_ok unique_ok busy_before_pct host_ns_before"
{
    printf 'n\twhat\tserver_us_steady\tclient_us_steady'
    for k in $keys; do printf '\t%s' "$k"; done
    printf '\n'
} > "$out/runs_table.tsv"
while IFS=$'\t' read -r what rn line; do
    printf '%s\t%s\t%s\t%s' "$rn" "$what" "$(steady_sent "$line" server)" "$(steady_sent "$line" client)"
    for k in $keys; do printf '\t%s' "$(kv "$line" "$k")"; done
    printf '\n'
done < <(tail -n +2 "$raw") >> "$out/runs_table.tsv"
for n in $ns; do
    ref_line=$(get reference)
    srow="$n"$'\t'$(steady_sent "$ref_line" server)
    crow="$n"$'\t'$(steady_sent "$ref_line" client)
    for L in $srv_loops; do srow+=$'\t'$(steady_sent "$(get "server_loops$L")" server); done
    [ $rsyslog = 1 ] && srow+=$'\t'$(steady_sent "$(get rsyslog)" server)
    for L in $cli_loops; do crow+=$'\t'$(steady_sent "$(get "client_loops$L")" client); done
    echo "$srow" >> "$out/cpu_server.tsv"
    echo "$crow" >> "$out/cpu_client.tsv"
done

# ------------------------------------------------------------------ 2. one n=5000 run over time
tn=5000; [ $quick = 1 ] && tn=2000
run timeline "$tn" "$root/stampede server --port {port} --output {output} --stats-interval 1s" \
    "$our_client --histogram-log {dir}/lateness.hlog" "$timeline"
logs=$(kv "$LAST" logs)
if [ -n "$logs" ] && [ -s "$logs/lateness.hlog" ]; then
    cp "$logs/lateness.hlog" "$out/lateness.hlog"
    java -cp target/stampede.jar bench/HlogPercentiles.java "$out/lateness.hlog" > "$out/lateness.tsv"
    # file lag: measure.sh's freshness samples (t since the client started) and the server's
    # wm_lag_ms, one stats line a second, counted from the first line with a connection (that
    # line's lag is the --max-delay bound of a watermark that has no value yet: left out)
    grep -oE 'conns=[0-9]+ .* wm_lag_ms=-?[0-9]+' "$logs/server.err" |
        awk '{ c = $1; sub(/conns=/, "", c); w = $NF; sub(/wm_lag_ms=/, "", w)
               if (c + 0 > 0 || started) { started = 1; i++; if (i > 1 || w + 0 < 5000) print i "\t" w } }' > "$out/wm_lag.tsv"
    awk -F'\t' 'NR == FNR { wm[$1] = $2; next }
        FNR == 1 { print "t_s\tfreshness_ms\twm_lag_ms"; next }
        $9 + 0 > 0 { t = int($1 / 1000 + 0.5); print t "\t" $10 "\t" (t in wm ? wm[t] : "na") }' \
        "$out/wm_lag.tsv" "$logs/samples.tsv" > "$out/file_lag.tsv"
else
    echo "report: the timeline run left no histogram log (see $out/measure.log)" >&2
fi

# ------------------------------------------------------------------ 3. capacity against loops
if [ $capacity = 1 ]; then
    cap_opts=(--loops "$srv_loops" --out "$out/capacity.tsv")
    [ $quick = 1 ] && cap_opts+=(--warmup 2 --window 3)
    bench/capacity.sh "${cap_opts[@]}" >/dev/null || echo "report: capacity.sh failed" >&2
    [ -s "$out/capacity.tsv" ] && awk -F'\t' 'NR > 1 && $1 == "reference" { r = $6 } NR > 1 && $1 ~ /^stampede/ { s[$2] = $6; if ($2 + 0 > m) m = $2 + 0 }
        END { print "loops\tstampede\treference"; for (l = 1; l <= m; l++) print l "\t" (l in s ? s[l] : "na") "\t" r }' \
        "$out/capacity.tsv" > "$out/capacity_plot.tsv"
fi

# ------------------------------------------------------------------ 4. the cost-freshness frontier
if [ $frontier = 1 ]; then
    QUIET_WAIT=$quiet_wait bench/frontier.sh -n "$frontier_n" -d "$frontier_s" -r "$frontier_rounds" \
        --tsv "$out/frontier.tsv" | tee "$out/frontier.txt" >&2 || echo "report: frontier.sh failed" >&2
fi

plots "$out" "$svg"

# ------------------------------------------------------------------ the headline figures
{
    echo "# results $stamp"
    echo
    column -t -s $'\t' "$out/runs_table.tsv"
    echo
    if [ -s "$out/capacity.tsv" ]; then column -t -s $'\t' "$out/capacity.tsv"; echo; fi
    if [ -s "$out/frontier.tsv" ]; then column -t -s $'\t' "$out/frontier.tsv"; fi
} | tee "$out/summary.txt"
echo "report: data in $out" >&2
