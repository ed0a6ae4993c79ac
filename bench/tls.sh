#!/usr/bin/env bash
# TLS against plaintext, side by side in one run, measured by ../shared/reference/measure.sh:
# CPU per timestamp of server and client, server peak RSS, at n=2000 and n=5000 (stampede server
# and stampede client, mutual TLS with certificates made here by openssl, EC P-256 unless -k). Then a
# restart under 5,000 TLS clients: the server is stopped and started again on its file, and we
# time until every connection is back and sending, and count late values.
#
#   flock /tmp/stampede-bench.lock bench/tls.sh [-d SECONDS] [-w SECONDS] [-n "2000 5000"] [--no-restart] [-l N]
#                                               [-k SERVER-CLIENT]
#
# -k the certificates' key types, the server's then the client's: ec-ec (default, P-256), rsa-rsa
# (2048 bits), ec-rsa or rsa-ec. The CA's key is the server's type. Who verifies an RSA signature
# pays little; who signs with RSA, or verifies ECDSA, pays most (docs/PERFORMANCE.md, TLS).
# -l N runs server and client with --loops N (default: one loop each; the client's own default,
# auto, would take two at 5,000 connections on 2 cores, and on the machine it shares with the
# server a client that keeps up with its sends through the storm takes the CPU the server's
# handshakes need: all back 33-35 s after the restart against 21 s with one loop, 2026-12-05).
# -n "" runs only the restart.
#
# Each client sends for W + D seconds after its connect phase; the steady figures
# (*_steady_us_per_msg: CPU per timestamp once connected) are taken after the first W seconds
# (-w, default 30: 5,000 TLS handshakes on a cold JVM take a while), the totals include the
# connect phase and the handshakes. Prints one key=value line per run (mode=plain|tls), then the
# restart's line. The machine is shared and noisy: compare figures of one run only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
measure="$root/../shared/reference/measure.sh"
d=20 warm=30 ns="2000 5000" restart=1 loops="" keys_kind=ec-ec
while [ $# -gt 0 ]; do
    case "$1" in
        -d) d=$2; shift 2 ;;
        -w) warm=$2; shift 2 ;;
        -n) ns=$2; shift 2 ;;
        --no-restart) restart=0; shift ;;
        -l) loops=$2; shift 2 ;;
        -k) keys_kind=$2; shift 2 ;;
        *) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
done
case "$keys_kind" in ec-ec|rsa-rsa|ec-rsa|rsa-ec) ;; *) echo "tls.sh: -k takes ec-ec, rsa-rsa, ec-rsa or rsa-ec, not '$keys_kind'" >&2; exit 2 ;; esac
command -v openssl >/dev/null || { echo "tls.sh: needs openssl" >&2; exit 2; }
(cd "$root" && mvn -B -q -o -DskipTests package) >&2   # measure the current code, not a rebuild

tmp=$(mktemp -d /tmp/stampede-tls-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
echo "tls.sh: certificates and logs in $tmp" >&2

# A CA, a server certificate for 127.0.0.1 and localhost, a client certificate: EC P-256 or RSA 2048
# (-k).
(
    cd "$tmp"
    key() { # ec|rsa, then openssl req's arguments
        local kind=$1; shift
        if [ "$kind" = ec ]; then
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "$@" 2>/dev/null
        else
            openssl req -newkey rsa:2048 -nodes "$@" 2>/dev/null
        fi
    }
    key "${keys_kind%-*}" -x509 -keyout ca.key -out ca.pem -days 2 -subj /CN=bench-ca
    key "${keys_kind%-*}" -keyout server.key -out server.csr -subj /CN=localhost
    key "${keys_kind#*-}" -keyout client.key -out client.csr -subj /CN=bench-client
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
        -extfile san.ext 2>/dev/null
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2 2>/dev/null
)
server_tls="--tls-cert $tmp/server.pem --tls-key $tmp/server.key --tls-client-ca $tmp/ca.pem"
client_tls="--tls-ca $tmp/ca.pem --tls-cert $tmp/client.pem --tls-key $tmp/client.key"
loops_opt="--loops ${loops:-1}"
keys='server_cpu_us_per_msg|server_steady_us_per_msg|client_cpu_us_per_msg|client_steady_us_per_msg|server_rss_max_mb|client_rss_max_mb|lag_p50_ms|sorted_ok|unique_ok|client_missed|server_late|client_sent'

for n in $ns; do
    for mode in plain tls; do
        s_extra="" c_extra=""
        [ "$mode" = tls ] && s_extra=$server_tls c_extra=$client_tls
        line=$("$measure" \
            --server "$root/stampede server --port {port} --output {output} -q $loops_opt $s_extra" \
            --client "$root/stampede client --port {port} -c {n} --duration {duration}s -q $loops_opt $c_extra" \
            --n "$n" --duration "$((d + warm))" --warmup "$warm" 2>>"$tmp/measure.log")
        echo "mode=$mode n=$n $(tr ' ' '\n' <<<"$line" | grep -E "^($keys)=" | tr '\n' ' ')"
    done
done

[ $restart -eq 1 ] || exit 0

# ---- restart with 5,000 TLS clients
ulimit -n 20000 2>/dev/null || true
n=5000
out="$tmp/restart.txt"
port=$((20000 + RANDOM % 10000))
start_server() {
    "$root/stampede" server --port "$port" -o "$out" --stats-interval 100ms $loops_opt $server_tls 2>>"$tmp/server-$1.err" &
    pids+=($!)
    server=$!
}
now_ms() { date +%s%3N; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; } # user + system, in clock ticks
busy_idle() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat; }    # the machine's busy, idle ticks
hz=$(getconf CLK_TCK)
await_line() { # file pattern timeout_s -> 0 when a line matches
    local deadline=$(( $(date +%s) + $3 ))
    while [ "$(date +%s)" -lt $deadline ]; do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
    return 1
}
start_server 1
await_line "$tmp/server-1.err" "listening on" 60
"$root/stampede" client --port "$port" -c $n --stats-interval 100ms $loops_opt $client_tls 2>>"$tmp/client.err" &
client=$!; pids+=($client)
await_line "$tmp/server-1.err" "conns=$n " 120 || { echo "tls.sh: the clients did not all connect" >&2; exit 1; }
sleep 5
kill -TERM "$server"; wait "$server" || true
t0=$(now_ms)
start_server 2
await_line "$tmp/server-2.err" "listening on" 60
t_listen=$(now_ms)
: > "$tmp/client.err" # from here on: the client's lines after the restart
s_cpu0=$(cpu_ticks "$server") c_cpu0=$(cpu_ticks "$client") m0=$(busy_idle)
# back: every connection up again (handshake done: its ticks are sent), as the client says
if await_line "$tmp/client.err" "up=$n target=$n " 60; then back_ms=$(( $(now_ms) - t_listen )); else back_ms=timeout; fi
# the CPU the reconnect storm took (from listening to all up): the server's, the client's, and
# how busy the whole machine was (other processes included), to see whether the cores were the limit
s_cpu1=$(cpu_ticks "$server") c_cpu1=$(cpu_ticks "$client") m1=$(busy_idle)
storm_cpu=$(awk -v s0="$s_cpu0" -v s1="$s_cpu1" -v c0="$c_cpu0" -v c1="$c_cpu1" -v hz="$hz" \
    -v m0="$m0" -v m1="$m1" 'BEGIN { split(m0, a, " "); split(m1, b, " "); busy = b[1] - a[1]; idle = b[2] - a[2];
    printf "storm_server_cpu_s=%.1f storm_client_cpu_s=%.1f storm_machine_busy_pct=%.0f",
        (s1 - s0) / hz, (c1 - c0) / hz, (busy + idle > 0 ? 100 * busy / (busy + idle) : 0) }')
# and sending: the server receives at least 95% of n per 50 ms
if await_line "$tmp/server-2.err" "conns=$n rate_per_s=(9[5-9][0-9]{3}|1[0-9]{5}) " 60; then
    sending_ms=$(( $(now_ms) - t_listen ))
else
    sending_ms=timeout
fi
sleep 5
kill -TERM "$client"; wait "$client" || true
kill -TERM "$server"; wait "$server" || true
summary=$(grep "server: stopped" "$tmp/server-2.err" | tail -1)
late=$(grep -oE ' late=[0-9]+' <<<"$summary" | tail -1 | cut -d= -f2)
tlsf=$(grep -oE ' tls_failures=[0-9]+' <<<"$summary" | tail -1 | cut -d= -f2)
verify=$("$root/stampede" verify "$out" 2>&1 | tail -1)
echo "restart n=$n loops=${loops:-1} keys=$keys_kind stop_to_listen_ms=$((t_listen - t0)) listen_to_all_up_ms=$back_ms listen_to_full_rate_ms=$sending_ms $storm_cpu late=$late tls_failures=$tlsf verify=\"$verify\" logs=$tmp"
