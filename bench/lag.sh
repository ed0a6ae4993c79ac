#!/usr/bin/env bash
# The file's lag sampled every 10 ms (bench/lagprobe.c) instead of measure.sh's once a second:
# the C reference server with --batch-ms N against stampede with --read-batch Nms ("auto": both
# defaults), alternating, driven by the C reference client. Prints the lag's p10/p50/p90/max.
#
#   flock /tmp/stampede-bench.lock bench/lag.sh [-n 5000] [-s 100] [-r 3] [-- extra server options]
#
# Samples from the 3rd to the 9th second of a 10-s run. Compare figures of one run only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=5000 setting=100 r=3 extra=""
while [ $# -gt 0 ]; do
    case "$1" in
        -n) n=$2; shift 2 ;;
        -s) setting=$2; shift 2 ;;
        -r) r=$2; shift 2 ;;
        --) shift; extra="$*"; break ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "lag: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
. "$root/bench/reference.sh"
probe="$root/target/reference/lagprobe"
[ "$probe" -nt "$root/bench/lagprobe.c" ] || cc -O2 -o "$probe" "$root/bench/lagprobe.c"

one() { # label server-command (with {port} and {output})
    local port out sp cp
    start_driven_server "$2"
    sleep 3
    printf '%-9s %s\n' "$1" "$("$probe" "$out/o.txt" 6 10)"
    wait "$cp" || true
    kill "$sp"; wait "$sp" 2>/dev/null || true
    rm -rf "$out"
}

if [ "$setting" = auto ]; then c_opt="" s_opt=""; else c_opt="--batch-ms $setting" s_opt="--read-batch ${setting}ms"; fi
echo "n=$n setting=$setting rounds=$r $(date -u +%FT%TZ)"
for ((k = 1; k <= r; k++)); do
    one C "$ref/server --port {port} --output {output} $c_opt"
    one stampede "$root/stampede server --port {port} --output {output} -q $s_opt $extra"
done
