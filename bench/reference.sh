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
