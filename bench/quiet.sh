# quiet.sh — sourced by the bench scripts: this machine is shared (other work runs tests beside the
# benchmarks, outside the benchmark lock), so each measurement first waits until the machine is
# nearly idle. Needs $quiet_wait (seconds, at most) set by the caller; sets BUSY, and HOST_NS: the
# host's speed at that moment (bench/hostspeed.c: CPU ns for one loopback write and read of a
# line), which an idle machine does not guarantee (its host's load is invisible from inside).

machine_ticks() { # -> "busy total" clock ticks of all CPUs since boot (/proc/stat)
    local _c u n s i w q sq st
    read -r _c u n s i w q sq st _ < /proc/stat
    echo "$((u + n + s + q + sq + st)) $((u + n + s + i + w + q + sq + st))"
}

busy_pct() { # CPU busy % of the whole machine over the next second
    local a b
    a=($(machine_ticks)); sleep 1; b=($(machine_ticks))
    local t=$((b[1] - a[1]))
    echo $(( t > 0 ? 100 * (b[0] - a[0]) / t : 0 ))
}

host_ns() { # -> CPU ns of one loopback write+read of a line now ("na" without a C compiler)
    local d="${root:?}/target/reference" p
    p="$d/hostspeed"
    if [ ! "$p" -nt "$root/bench/hostspeed.c" ]; then
        mkdir -p "$d"
        cc -O2 -o "$p" "$root/bench/hostspeed.c" 2>/dev/null || { echo na; return; }
    fi
    "$p" 2>/dev/null || echo na
}

wait_quiet() { # waits (up to $quiet_wait s) until the machine is < 25 % busy; sets BUSY and HOST_NS
    local i b=0
    for ((i = 0; i < ${quiet_wait:-60}; i++)); do
        b=$(busy_pct)
        [ "$b" -lt 25 ] && break
    done
    BUSY=$b
    HOST_NS=$(host_ns)
    [ "$b" -lt 25 ] || echo "bench: the machine is still ${b}% busy; measuring anyway" >&2
}
