#!/usr/bin/env bash
# A development Apache Kafka broker (4.4, KRaft, one node) on 127.0.0.1, for trying the scale-out by
# hand: dev.stampede.testing.DevBroker from the test classpath, in the foreground; Ctrl-C (or
# SIGTERM) stops it cleanly.
#
#   scripts/kafka-dev-broker.sh [--port 9092] [--dir DIR] [--controller-port Q]
#
# DIR (default target/kafka-dev) is formatted on first use and reused after, so topics and their
# records survive a restart; delete it for a fresh cluster. Topics are not created on first use:
# create them with an Admin client. Prints "kafka: ready on 127.0.0.1:PORT" once clients can connect.
# The first run resolves the broker's dependencies with Maven (41 jars, about 35 MB, once) and compiles the
# test sources; later runs start in a few seconds. Works from any directory.
set -euo pipefail

self=$(readlink -f "${BASH_SOURCE[0]}")
root=$(cd "$(dirname "$self")/.." && pwd)
port=9092
dir="$root/target/kafka-dev"
extra=()

while [ $# -gt 0 ]; do
    case "$1" in
        --port) port=${2:?--port needs a value}; shift 2 ;;
        --dir) dir=${2:?--dir needs a value}; shift 2 ;;
        --controller-port) extra+=(--controller-port "${2:?--controller-port needs a value}"); shift 2 ;;
        -h|--help) sed -n '2,12p' "$self" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "kafka-dev-broker: unknown argument: $1 (try --help)" >&2; exit 2 ;;
    esac
done

command -v java >/dev/null 2>&1 || { echo "kafka-dev-broker: java not found: install a JDK 17 or newer" >&2; exit 1; }
command -v mvn >/dev/null 2>&1 || { echo "kafka-dev-broker: mvn not found: install Maven 3.8 or newer" >&2; exit 1; }

cp_file="$root/target/test-classpath.txt"
main_class="$root/target/test-classes/dev/stampede/testing/DevBroker.class"

cp_stale() {
    [ ! -s "$cp_file" ] || [ "$root/pom.xml" -nt "$cp_file" ]
}
classes_stale() {
    [ ! -f "$main_class" ] || [ -n "$(find "$root/pom.xml" "$root/src/main" "$root/src/test/java" \
        "$root/src/test/resources" -newer "$main_class" -print -quit 2>/dev/null)" ]
}
build() { # what, maven arguments...
    local what=$1; shift
    echo "kafka-dev-broker: $what (mvn $*)" >&2
    if ! (cd "$root" && mvn -B -q "$@") >"$root/target/kafka-dev-build.log" 2>&1; then
        echo "kafka-dev-broker: failed; the end of target/kafka-dev-build.log:" >&2
        tail -n 40 "$root/target/kafka-dev-build.log" >&2
        exit 1
    fi
}

if cp_stale || classes_stale; then
    mkdir -p "$root/target"
    exec 9>"$root/target/.kafka-dev-build.lock"
    flock 9                      # one build at a time; a second script waits, then reuses it
    if cp_stale; then
        build "resolving the broker's classpath" dependency:build-classpath \
            -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file"
    fi
    if classes_stale; then
        build "compiling the test sources" test-compile
        touch "$main_class"      # up to date even if the compiler had nothing to do
    fi
    exec 9>&-
fi

mkdir -p "$dir"
exec java -Xmx512m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError \
    -cp "$root/target/test-classes:$(cat "$cp_file")" \
    dev.stampede.testing.DevBroker --port "$port" --dir "$dir" ${extra[@]+"${extra[@]}"}
