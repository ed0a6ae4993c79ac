#!/usr/bin/env bash
# The client's figures, ours against the C reference client in ../shared/reference, both driving
# the C reference server, measured the same way by its measure.sh, alternating in one run:
#
#   bench/client.sh [-n "50 5000"] [-d 10] [-i 50] [-r 5] [-v LABEL=JVM_OPTIONS]... [-a LABEL=CLIENT_OPTIONS]...
#                   [-- client options]
#
# -n connection counts (one series each), -d seconds, -i interval in ms, -r rounds per count,
# -v a variant of ours run with these STAMPEDE_JAVA_OPTS (repeatable; default one, "stampede",
# with none), e.g. -v nocoalesce=-Dstampede.client.coalesceUs=0 -v c1=-XX:TieredStopAtLevel=1;
# -a a variant run with these client options added (repeatable), e.g. -a one=--loops=1 -a two=--loops=2.
# Per run: client CPU per timestamp over the whole run, start-up included (client_cpu_us_per_msg),
# client CPU seconds and % of one core over the run, missed ticks, lateness p99, and for ours the
# missed ticks of the first 3 status lines (the start). Takes the machine-wide benchmark lock
# (/tmp/stampede-bench.lock) itself. The machine is shared and noisy: compare one run's figures.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ns="50 5000" d=10 i=50 r=5 extra="" variants=()
while [ $# -gt 0 ]; do
    case "$1" in
        -n) ns=$2; shift 2 ;;
        -d) d=$2; shift 2 ;;
        -i) i=$2; shift 2 ;;
        -r) r=$2; shift 2 ;;
        -v) variants+=("v:$2"); shift 2 ;;
        -a) variants+=("a:$2"); shift 2 ;;
        --) shift; extra="$*"; break ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
        *) echo "bench/client: unknown argument $1" >&2; exit 2 ;;
    esac
done
ref="$root/target/reference"
if [ -z "${STAMPEDE_BENCH_SNAP:-}" ]; then
    if [ ! -x "$ref/server" ] || [ ! -x "$ref/client" ]; then
        mkdir -p "$ref"
        cp "$root/../shared/reference/"{server.c,client.c,Makefile,measure.sh} "$ref/"
        make -s -C "$ref" >/dev/null
    fi
    (cd "$root" && mvn -B -q -o -DskipTests package)   # measure the current code...
    # ... from a frozen copy, taken now: the launcher rebuilds its jar when sources are newer, and
    # an edit while this waits for the lock or runs must not change what is measured.
    snap=$(mktemp -d /tmp/bench-client.XXXXXX)
    mkdir -p "$snap/target" "$snap/src/dist/lib"
    cp "$root/stampede" "$snap/stampede"
    cp "$root/src/dist/lib/jvm.sh" "$snap/src/dist/lib/jvm.sh"   # the launcher's JVM options
    cp "$root/target/stampede.jar" "$snap/target/stampede.jar"
    export STAMPEDE_BENCH_SNAP=$snap
    rc=0
    vargs=()
    for v in "${variants[@]}"; do vargs+=("-${v%%:*}" "${v#*:}"); done
    flock /tmp/stampede-bench.lock "$0" -n "$ns" -d "$d" -i "$i" -r "$r" "${vargs[@]}" -- $extra || rc=$?
    rm -rf "$snap"
    exit $rc
fi
snap=$STAMPEDE_BENCH_SNAP

ref_server="$ref/server --port {port} --output {output}"
ref_client="$ref/client --port {port} --connections {n} --duration-s {duration} --interval-ms {interval}"
our_client() { # variant (v:LABEL=JVM_OPTIONS or a:LABEL=CLIENT_OPTIONS) -> the measured command
    local jvm="" args="" spec=${1#*:}
    case "$1" in v:*) jvm=${spec#*=} ;; a:*) args=${spec#*=} ;; esac
    echo "env STAMPEDE_JAVA_OPTS='$jvm' $snap/stampede client --port {port} -c {n} --duration {duration}s --interval {interval}ms $args $extra"
}
[ ${#variants[@]} -gt 0 ] || variants=("v:stampede=")

run() { # label n client
    local line logs cpu early
    line=$("$ref/measure.sh" --server "$ref_server" --client "$3" --n "$2" --duration "$d" --interval "$i" \
        2>/dev/null | tail -n 1)
    logs=$(echo "$line" | tr ' ' '\n' | sed -n 's/^logs=//p')
    cpu=$(echo "$line" | tr ' ' '\n' | sed -n 's/^client_cpu_s=//p')
    early=""
    if [ -f "$logs/client.err" ] && grep -q 'client: up=' "$logs/client.err"; then
        # missed= of the first three status lines: the start of the run
        early=" early_missed=$(grep 'client: up=' "$logs/client.err" | head -n 3 |
            sed -n 's/.* missed=\([0-9]*\).*/\1/p' | tr '\n' '/' | sed 's/\/$//')"
    fi
    printf '%-12s n=%-5s %s core_pct=%s%s\n' "$1" "$2" \
        "$(echo "$line" | tr ' ' '\n' |
            grep -E '^(client_sent|client_cpu_s|client_cpu_us_per_msg|client_steady_us_per_msg|client_missed|client_late_p99_us|client_rss_max_mb)=' |
            tr '\n' ' ')" \
        "$(awk -v c="${cpu:-0}" -v d="$d" 'BEGIN { printf "%.1f", c * 100 / d }')" "$early"
    echo "          logs=$logs"
}

echo "bench/client: n=[$ns] duration=${d}s interval=${i}ms rounds=$r variants=[${variants[*]#?:}] extra=[$extra] $(date -u +%FT%TZ) $(nproc) cores"
for n in $ns; do
    for ((k = 1; k <= r; k++)); do
        run "reference" "$n" "$ref_client"
        for v in "${variants[@]}"; do
            label=${v#*:}
            run "${label%%=*}" "$n" "$(our_client "$v")"
        done
    done
done
