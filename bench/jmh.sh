#!/usr/bin/env bash
# Runs the JMH benchmarks in src/jmh/java (Maven profile "jmh"). Any arguments go to JMH, e.g.
#   bench/jmh.sh                                  # all benchmarks
#   bench/jmh.sh -prof gc DecodeToEngine          # bytes allocated per timestamp (gc.alloc.rate.norm)
#   bench/jmh.sh -f 1 -wi 2 -i 3 Engine           # shorter
set -euo pipefail
cd "$(dirname "$0")/.."
args="$*"
[ -n "$args" ] || args="dev.stampede.bench"
exec mvn -B -q -Pjmh -DskipTests test-compile exec:exec -Djmh.args="$args"
