# The JVM options of stampede, in one place: sourced by the checkout's ./stampede and by the release
# archive's bin/stampede, so that the two launchers cannot drift apart. Needs bash.
#
# stampede_exec_java JAR CACHE_DIR ARGS...
#   replaces the shell with the JVM (exec), so that a signal sent to the launcher reaches the program.
#   CACHE_DIR keeps what a probe of this java found (created if missing; if it cannot be written, the
#   probe runs at every start). STAMPEDE_JAVA_OPTS adds JVM options (after these: the last -Xmx wins).
#   The JVM: the java on the PATH (JDK 17 or newer); STAMPEDE_JAVA=/path/to/bin/java chooses another,
#   STAMPEDE_JAVA=newest the newest JDK 25 or later installed (see stampede_java).

# The java to run, on stdout: the PATH's, unless STAMPEDE_JAVA says otherwise. With
# STAMPEDE_JAVA=newest, the newest JDK 25 or later where one is installed: its TLS handshakes
# (P-256 ECDSA, x25519) cost about half the CPU of JDK 17's, which decides how fast 5,000 TLS
# clients are back after a server restart, but the server's peak RSS at 5,000 connections is about
# 8 MB higher (68-69 MB against 59-62 on JDK 17, bench/frontier.sh; docs/PERFORMANCE.md), so it is
# not the default. Looks in JAVA_HOME, the PATH's java and /usr/lib/jvm/*, reading each JDK's
# `release` file (no JVM started); only bash builtins, so that a minimal system runs it. Arguments:
# the JDK folders to look in besides JAVA_HOME and the PATH's (default: /usr/lib/jvm/*).
stampede_java() {
    if [ "${STAMPEDE_JAVA:-}" != newest ]; then
        printf '%s\n' "${STAMPEDE_JAVA:-java}"
        return
    fi
    local best="java" best_major=0 j line major path_java
    path_java=$(command -v java || true)
    local jdks=("$@") d
    [ $# -gt 0 ] || jdks=(/usr/lib/jvm/*)
    for d in "${JAVA_HOME:-}" "${path_java%/bin/java}" "${jdks[@]}"; do
        j=$d/bin/java
        [ -n "$d" ] && [ -x "$j" ] && [ -f "$d/release" ] || continue
        major=0
        while IFS= read -r line; do
            case "$line" in
                JAVA_VERSION=*) line=${line#JAVA_VERSION=\"}; major=${line%%[.\"]*} ;;
            esac
        done <"$d/release"
        case "$major" in ''|*[!0-9]*) continue ;; esac
        if [ "$major" -ge 25 ] && [ "$major" -gt "$best_major" ]; then
            best=$j best_major=$major
        fi
    done
    printf '%s\n' "$best"
}

# The JVM options that suit one program, on stdout, from the launcher's first argument (the
# subcommand). The server is the long-lived process whose memory matters (issue 19: at most 56 MB
# peak RSS at 5,000 connections); at that load they took its peak RSS from 58.8-63.9 MB to
# 53.6-56.8 (52-55 since the engine's counters are paged; bench/memory.sh, docs/PERFORMANCE.md,
# "The server's lean JVM"). Their cost is TLS on JDK 17:
# 5,000 clients back 30-32 s after a restart, 23-26 s without (docs/OPERATIONS.md: how to undo them).
#   -XX:-TieredCompilation -XX:CICompilerCount=1: one C2 compiler thread and no C1. Tiered
#     compilation first compiles everything warm with C1 (its code is most of a 7.7 MB code cache)
#     and runs a C1 and a C2 thread side by side, whose arenas make the peak while 5,000
#     connections come in. The hot path is compiled by C2 either way: capacity is unchanged and
#     start-up no slower; CPU per timestamp was the same within noise in most runs, 1.05-1.15x in
#     the quietest one (docs/PERFORMANCE.md).
#   -Xshare:off: no CDS archive. This JDK maps its 12 MB archive at a random address and so
#     relocates (dirties) every page; loading only the classes used costs less.
#   -Xmn2m: a 2 MB young generation (of the 16 MB heap): the server allocates nothing per
#     timestamp, so once up it almost never collects; a larger one only fills with garbage of
#     the start.
# STAMPEDE_JAVA_OPTS comes after and wins; to go back to the JVM's defaults (its young generation
# in a 16 MB heap is about 5 MB):
#   STAMPEDE_JAVA_OPTS="-XX:+TieredCompilation -XX:CICompilerCount=2 -Xshare:auto -Xmn5m"
stampede_program_opts() {
    case "${1:-}" in
        server) printf '%s\n' "-XX:-TieredCompilation -XX:CICompilerCount=1 -Xshare:off -Xmn2m" ;;
        *) printf '\n' ;;
    esac
}

stampede_exec_java() {
    local jar=$1 cache=$2
    shift 2
    # A small, steady footprint: one GC thread, a heap that grows only if needed.
    # AutoBoxCacheMax: the JDK's epoll selector looks each ready socket up by a boxed file descriptor
    # (sun.nio.ch.EPollSelectorImpl.fdToKey); caching Integers up to the open-files limit makes that
    # lookup, and so the whole read path, allocation-free (16 bytes a descriptor, 320 KB at 20,000).
    local fds
    fds=$(ulimit -Hn)
    case "$fds" in ''|unlimited) fds=262144 ;; esac
    [ "$fds" -gt 262144 ] && fds=262144
    [ "$fds" -lt 1024 ] && fds=1024
    # Native memory: the JIT's compiler threads malloc and free a lot while compiling (TLS's crypto
    # above all), and glibc keeps what they freed in per-thread arenas: two arenas, and a trim of the
    # native heap every second, keep the RSS to what is used. The trim needs JDK 17.0.9 or newer: whether
    # this java takes it is asked once and remembered in CACHE_DIR (not with
    # -XX:+IgnoreUnrecognizedVMOptions, which would also hide a typo in STAMPEDE_JAVA_OPTS).
    # They do not bound a large C2 compilation: the one that used to add ~10 MB peak RSS in some runs
    # (ASM's Frame::execute, spun up by string concatenation) is avoided in the build (pom.xml,
    # -XDstringConcat=inline; docs/DESIGN.md, Measured).
    export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
    local trim="-XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=1000"
    local java java_id probe="$cache/.jvm-trim" ok=""
    java=$(stampede_java)
    java_id="$(command -v "$java") $(stat -L -c %Y "$(command -v "$java")" 2>/dev/null || echo 0)"
    if [ -f "$probe" ] && [ "$(head -n 1 "$probe" 2>/dev/null)" = "$java_id" ]; then
        ok=$(sed -n 2p "$probe" 2>/dev/null || true)
    fi
    if [ -z "$ok" ]; then
        if "$java" $trim -version >/dev/null 2>&1; then ok=yes; else ok=no; fi
        { mkdir -p "$cache" && printf '%s\n%s\n' "$java_id" "$ok" >"$probe"; } 2>/dev/null || true
    fi
    [ "$ok" = yes ] || trim=""
    local program
    program=$(stampede_program_opts "${1:-}")
    exec "$java" $trim -XX:+UseSerialGC -Xms16m -Xmx256m -XX:+ExitOnOutOfMemoryError -XX:AutoBoxCacheMax="$fds" \
        $program ${STAMPEDE_JAVA_OPTS:-} -jar "$jar" "$@"
}
