# Shared by scripts/scale-out-demo.sh and bench/*.sh (sourced, not run): free ports, processes in
# their own process groups that are always stopped on exit, a development broker.
#
#   free_port                     -> PORT: a port of 127.0.0.1 nobody listens on (not handed out before)
#   start NAME LOG CMD...         -> PID: runs CMD in its own session/process group, output to LOG
#   stop PID [SECONDS]            SIGTERM to the group, waits, SIGKILL after SECONDS (default 30)
#   stop_all                      stops every group start made (the EXIT trap calls it)
#   wait_listen PORT PID [SECS]   until something listens on PORT (fails if PID died)
#   wait_line FILE REGEX PID [SECS] until FILE has a line matching REGEX (fails if PID died)
#   start_broker DIR              -> BROKER_PID, BROKER (HOST:PORT): scripts/kafka-dev-broker.sh, fresh data in DIR
# Needs $root (the checkout).

_started=()
_ports=()

listening() { # port -> 0 if some socket is in LISTEN state on it
    local hex
    hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        awk -v h=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }'
}

in_use() { # port -> 0 if any socket (any state) has it as its local port
    local hex
    hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        awk -v h=":$hex" 'substr($2, length($2) - 4) == h { f = 1 } END { exit !f }'
}

free_port() { # below the kernel's ephemeral range (32768+), so no outgoing connection holds it
    local p k
    for _ in $(seq 200); do
        p=$((20000 + RANDOM % 12000))
        in_use "$p" && continue
        for k in ${_ports[@]+"${_ports[@]}"}; do [ "$k" = "$p" ] && continue 2; done
        _ports+=("$p")
        PORT=$p
        return 0
    done
    echo "no free port found" >&2
    return 1
}

start() { # name log cmd...
    local name=$1 log=$2; shift 2
    setsid "$@" </dev/null >"$log" 2>&1 &
    PID=$!
    _started+=("$PID")
}

stop() { # pid [seconds]
    local pid=$1 secs=${2:-30} i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < secs * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "  (pid $pid still running after ${secs}s: SIGKILL)" >&2
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    # stray members of the group, if any
    kill -KILL -- "-$pid" 2>/dev/null || true
}

stop_all() {
    local i
    for ((i = ${#_started[@]} - 1; i >= 0; i--)); do stop "${_started[i]}" 10; done
    _started=()
}

wait_listen() { # port pid [secs]
    local port=$1 pid=$2 secs=${3:-60} i
    for ((i = 0; i < secs * 10; i++)); do
        listening "$port" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

wait_line() { # file regex pid [secs]
    local file=$1 re=$2 pid=$3 secs=${4:-60} i
    for ((i = 0; i < secs * 10; i++)); do
        grep -qE "$re" "$file" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

start_broker() { # dir
    local dir=$1
    free_port; local port=$PORT
    mkdir -p "$dir"
    start broker "$dir/broker.log" "$root/scripts/kafka-dev-broker.sh" --port "$port" --dir "$dir/kafka-data"
    BROKER_PID=$PID
    # the first run resolves the broker's classpath with Maven and compiles the test sources: say so
    local shown=0 i ok=0
    for ((i = 0; i < 6000; i++)); do
        if grep -q '^kafka-dev-broker:' "$dir/broker.log" 2>/dev/null; then
            grep '^kafka-dev-broker:' "$dir/broker.log" | tail -n +$((shown + 1)) >&2
            shown=$(grep -c '^kafka-dev-broker:' "$dir/broker.log")
        fi
        grep -q '^kafka: ready on' "$dir/broker.log" 2>/dev/null && { ok=1; break; }
        kill -0 "$BROKER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [ "$ok" != 1 ]; then
        echo "the broker did not start; the end of $dir/broker.log:" >&2
        tail -n 30 "$dir/broker.log" >&2
        return 1
    fi
    BROKER=127.0.0.1:$port
}

last_kv() { # file key -> the last value of " key=" in file
    grep -oE "(^|[ ,])$2=-?[0-9]+" "$1" 2>/dev/null | tail -n 1 | sed 's/.*=//'
}
