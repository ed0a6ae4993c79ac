#!/usr/bin/env bash
# The cost of --compress gzip on a full 1-hour window (3.6 M lines, ~50 MB): wall and CPU time
# of the compressing thread, fsyncs included, and the .gz size. Usage: bench/compress-window.sh [DIR] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -o -q -B -DskipTests test-compile
dir="${1:-$(mktemp -d)}"
cp="target/classes:target/test-classes"
java -cp "$cp" dev.stampede.store.WindowCompressBench "$dir" "${2:-3}"
