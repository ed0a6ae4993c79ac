#!/usr/bin/env bash
# The cost-freshness frontier: the server's CPU per timestamp against the freshness of its file
# (lag p50), stampede beside the C reference at each setting of the one lever both have (C's
# --batch-ms, stampede's --read-batch), driven by the C reference client, measured by the
# reference's measure.sh. Pairs alternate their order each round; compare figures of one run only.
#
#   bench/frontier.sh [-n 5000] [-d 10] [-i 50] [-r 2] [-s "auto 100 400"] [--tsv FILE] [-- extra server options]
#
# -s settings: "auto" pairs stampede's default with C's default (wake per event); a number N pairs
# --read-batch Nms with --batch-ms N. --tsv appends one row per run (for bench/Plot.java).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=5000 d=10 i=50 r=2 settings="auto 100 400" tsv="" extra=""
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;;
        -d) d=$2; shift 2 ;;
        -i) i=$2; shift 2 ;;
        -r) r=$2; shift 2 ;;
        -s) settings=$2; shift 2 ;;
        --tsv) tsv=$2; shift 2 ;;
        --) shift; extra="$*"; break ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "frontier: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

. "$root/bench/reference.sh"
quiet_wait=${QUIET_WAIT:-30}
. "$root/bench/quiet.sh"

ref_client="$ref/client --port {port} --connections {n} --duration-s {duration} --interval-ms {interval}"
keys='server_cpu_us_per_msg|server_steady_us_per_msg|server_rss_max_mb|lag_p50_ms|lag_max_ms|sorted_ok|unique_ok|server_late'
[ -n "$tsv" ] && [ ! -s "$tsv" ] && printf 'setting\tserver\tlag_p50_ms\tsteady_us\twhole_us\trss_mb\tlate\thost_ns\n' >"$tsv"

run() { # setting label server-command
    local line v
    wait_quiet
    line=$("$ref/measure.sh" --server "$3" --client "$ref_client" --n "$n" --duration "$d" --interval "$i" 2>/dev/null | tail -n 1)
    printf '%-6s %-10s %s busy_before_pct=%s host_ns_before=%s\n' "$1" "$2" "$(echo "$line" | tr ' ' '\n' | grep -E "^($keys)=" | tr '\n' ' ')" "$BUSY" "$HOST_NS"
    if [ -n "$tsv" ]; then
        v() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$(v lag_p50_ms)" "$(v server_steady_us_per_msg)" \
            "$(v server_cpu_us_per_msg)" "$(v server_rss_max_mb)" "$(v server_late)" "$HOST_NS" >>"$tsv"
    fi
}

echo "n=$n duration=${d}s interval=${i}ms rounds=$r settings='$settings' $(date -u +%FT%TZ) $(nproc) cores"
for ((k = 1; k <= r; k++)); do
    for s in $settings; do
        if [ "$s" = auto ]; then
            c="$ref/server --port {port} --output {output}"
            j="$root/stampede server --port {port} --output {output} -q $extra"
        else
            c="$ref/server --port {port} --output {output} --batch-ms $s"
            j="$root/stampede server --port {port} --output {output} -q --read-batch ${s}ms $extra"
        fi
        if ((k % 2)); then run "$s" C "$c"; run "$s" stampede "$j"
        else run "$s" stampede "$j"; run "$s" C "$c"; fi
    done
done
