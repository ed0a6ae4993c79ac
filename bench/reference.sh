# reference.sh — sourced by the bench scripts: builds the C reference implementation (server,
# client, measure.sh) from ../shared/reference into target/reference once, and the current code
# (mvn package), so that every script measures the same two things. Needs $root; sets $ref.

ref="$root/target/reference"
if [ ! -x "$ref/server" ] || [ ! -x "$ref/client" ]; then
    if [ ! -d "$root/../shared/reference" ]; then
        echo "bench: the C reference is expected in $root/../shared/reference (server.c, client.c, Makefile, measure.sh)" >&2
        exit 1
    fi
    mkdir -p "$ref"
    cp "$root/../shared/reference/"{server.c,client.c,Makefile,measure.sh} "$ref/"
    make -s -C "$ref" >/dev/null
fi
(cd "$root" && mvn -B -q -DskipTests package)   # measure the current code, not a rebuild

# start_driven_server CMD: starts the server command CMD ({port} and {output} filled in) on a
# free port below the ephemeral range (32768 up), waits until it listens, and starts the C client
# against it ($n connections, 10 s, every 50 ms). Sets the caller's port, out (a temporary
# directory holding o.txt and server.log), sp and cp (the server's and the client's pids).
start_driven_server() {
    local cmd i
    port=$((20000 + RANDOM % 12000))
    out=$(mktemp -d)
    cmd=${1//\{port\}/$port}; cmd=${cmd//\{output\}/$out/o.txt}
    $cmd >"$out/server.log" 2>&1 &
    sp=$!
    for i in $(seq 1 300); do ss -ltn | grep -q ":$port " && break; sleep 0.1; done
    "$ref/client" --port "$port" --connections "$n" --duration-s 10 --interval-ms 50 >/dev/null 2>&1 &
    cp=$!
}
