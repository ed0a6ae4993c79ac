#!/usr/bin/env bash
# The cost of one --repair-late rewrite of a full 1-hour window (3.6 M lines, ~50 MB):
# wall and CPU time of the repair thread, fsyncs included. Usage: bench/repair-rewrite.sh [DIR] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -o -q -B -DskipTests test-compile
dir="${1:-$(mktemp -d)}"
cp="target/classes:target/test-classes"
java -cp "$cp" dev.stampede.store.WindowRewriteBench "$dir" "${2:-3}"
