/*
 * loadgen.c — a cheap load for the capacity benchmark (bench/capacity.sh).
 *
 * Opens C TCP connections to HOST:PORT and writes, per write(), L lines of one epoch-ms value
 * (the wall clock minus --lag-ms at the time the batch is built) on each connection, as fast as
 * the server takes them (or at --rate values/s in all). Values are non-decreasing per connection.
 * Because one write() carries hundreds of lines, the driver spends a small fraction of the
 * server's CPU per value: what is measured is the server.
 *
 * Note: all the lines of one batch carry the same value, and all connections send the same
 * millisecond, so the server de-duplicates nearly all of them: the figure is values received and
 * processed (the server's msgs= counter), not distinct lines written to the file.
 *
 * SIGUSR1 prints `loadgen: mark t_ns=<epoch ns> bytes=<written so far> sent=<lines so far>`: with
 * the bytes queued in the sockets at that moment (/proc/net/tcp), the bytes the server has read.
 *
 * Single-threaded, epoll, libc only. Stops after --duration-s (0 = at SIGTERM/SIGINT) and prints
 *   loadgen: conns=C sent=N bytes=B elapsed_ms=T rate=N/s cpu_s=S us_per_value=U
 * on stderr (sent counts whole lines handed to the kernel).
 *
 * cc -O2 -o loadgen loadgen.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop = 0, mark = 0;
static void on_signal(int s) { (void)s; stop = 1; }
static void on_usr1(int s) { (void)s; mark = 1; }

/* One shared batch, rebuilt once per millisecond: every line of it is the same value, so any
 * connection can write any number of whole lines from its start. A write that ends inside a line
 * leaves that line's rest in the connection's tail, written first next time (writev), so a line
 * is never made of two values. */
typedef struct {
    int fd;
    int lines_left;  /* whole lines of the current batch still to write */
    int tail_len;    /* bytes of a torn line still to write */
    char tail[24];
} conn_t;

static char *gbuf;      /* `lines` copies of gval */
static int64_t gval = -1;
static size_t gper;     /* bytes per line in gbuf */

static int64_t now_ms_real(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
static int64_t now_ns_mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
static double cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void usage(void) {
    fprintf(stderr, "usage: loadgen [--host 127.0.0.1] [--port 5050] [--connections 128] [--lines 512]\n"
                    "               [--rate VALUES_PER_S (0 = as fast as taken)] [--lag-ms 5]\n"
                    "               [--duration-s 10 (0 = until SIGTERM)] [--progress]\n");
    exit(2);
}

static long arg_num(const char *s, long lo, long hi) {
    char *e;
    errno = 0;
    long v = strtol(s, &e, 10);
    if (errno || *e || v < lo || v > hi) {
        fprintf(stderr, "loadgen: bad number '%s' (%ld..%ld)\n", s, lo, hi);
        exit(2);
    }
    return v;
}

/* rebuilds the shared batch for value v (once per millisecond) */
static void build(int64_t v, int lines) {
    char one[24];
    int n = snprintf(one, sizeof one, "%" PRId64 "\n", v);
    for (int i = 0; i < lines; i++) memcpy(gbuf + (size_t)i * n, one, (size_t)n);
    gper = (size_t)n;
    gval = v;
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1";
    int port = 5050, nconn = 128, lines = 512, progress = 0;
    long rate = 0, lag_ms = 5, duration_s = 10;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--progress")) { progress = 1; continue; }
        if (i + 1 >= argc) usage();
        const char *v = argv[++i];
        if (!strcmp(a, "--host")) host = v;
        else if (!strcmp(a, "--port")) port = (int)arg_num(v, 1, 65535);
        else if (!strcmp(a, "--connections")) nconn = (int)arg_num(v, 1, 10000);
        else if (!strcmp(a, "--lines")) lines = (int)arg_num(v, 1, 100000);
        else if (!strcmp(a, "--rate")) rate = arg_num(v, 0, 1000000000L);
        else if (!strcmp(a, "--lag-ms")) lag_ms = arg_num(v, 0, 60000);
        else if (!strcmp(a, "--duration-s")) duration_s = arg_num(v, 0, 86400);
        else usage();
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction su = {.sa_handler = on_usr1};   /* no SA_RESTART: wakes epoll_wait */
    sigaction(SIGUSR1, &su, NULL);

    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) { fprintf(stderr, "loadgen: bad host %s\n", host); return 2; }

    int ep = epoll_create1(0);
    conn_t *cs = calloc((size_t)nconn, sizeof *cs);
    if (ep < 0 || !cs) { perror("loadgen"); return 1; }
    gbuf = malloc((size_t)lines * 24);
    if (!gbuf) { perror("loadgen"); return 1; }
    build(now_ms_real() - lag_ms, lines);
    for (int i = 0; i < nconn; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
            fprintf(stderr, "loadgen: connect %s:%d: %s\n", host, port, strerror(errno));
            return 1;
        }
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        cs[i].fd = fd;
        cs[i].lines_left = lines;
        struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = (uint32_t)i};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) { perror("loadgen: epoll_ctl"); return 1; }
    }

    uint64_t sent = 0, bytes = 0, prog_sent = 0;
    const int64_t t0 = now_ns_mono();
    const int64_t end = duration_s > 0 ? t0 + duration_s * 1000000000LL : INT64_MAX;
    int64_t next_prog = t0 + 1000000000LL;
    const double cpu0 = cpu_s();
    struct epoll_event evs[256];
    int errors = 0;
    while (!stop) {
        int64_t t = now_ns_mono();
        if (t >= end) break;
        if (mark) {   /* SIGUSR1: print the totals now, for a window measured from outside */
            mark = 0;
            struct timespec rt;
            clock_gettime(CLOCK_REALTIME, &rt);
            fprintf(stderr, "loadgen: mark t_ns=%" PRId64 " bytes=%" PRIu64 " sent=%" PRIu64 "\n",
                    (int64_t)(rt.tv_sec * 1000000000LL + rt.tv_nsec), bytes, sent);
        }
        if (progress && t >= next_prog) {
            fprintf(stderr, "loadgen: rate=%" PRIu64 "/s\n", sent - prog_sent);
            prog_sent = sent;
            next_prog += 1000000000LL;
        }
        if (rate > 0) {
            /* token bucket: values allowed so far; sleep until one batch is allowed */
            double allowed = (double)rate * (double)(t - t0) / 1e9 - (double)sent;
            if (allowed < lines) {
                int64_t wait_ns = (int64_t)((lines - allowed) * 1e9 / (double)rate);
                if (wait_ns > 1000000) wait_ns = 1000000;
                struct timespec ts = {0, (long)wait_ns};
                nanosleep(&ts, NULL);
                continue;
            }
        }
        int n = epoll_wait(ep, evs, 256, 100);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("loadgen: epoll_wait");
            return 1;
        }
        int64_t value = now_ms_real() - lag_ms;
        if (value > gval) build(value, lines);   /* never below the last: non-decreasing */
        for (int k = 0; k < n; k++) {
            conn_t *c = &cs[evs[k].data.u32];
            if (evs[k].events & (EPOLLERR | EPOLLHUP)) {
                fprintf(stderr, "loadgen: connection %u closed by the server\n", evs[k].data.u32);
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                errors++;
                continue;
            }
            if (c->lines_left == 0) c->lines_left = lines;
            struct iovec iov[2] = {{c->tail, (size_t)c->tail_len}, {gbuf, (size_t)c->lines_left * gper}};
            ssize_t w = writev(c->fd, iov, 2);
            if (w < 0) {
                if (errno == EAGAIN || errno == EINTR) continue;
                fprintf(stderr, "loadgen: write: %s\n", strerror(errno));
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                errors++;
                continue;
            }
            bytes += (uint64_t)w;
            if (c->tail_len > 0) {
                if (w < c->tail_len) {
                    memmove(c->tail, c->tail + w, (size_t)(c->tail_len - w));
                    c->tail_len -= (int)w;
                    continue;
                }
                w -= c->tail_len;
                c->tail_len = 0;
                sent++;   /* the torn line is whole now */
            }
            size_t whole = (size_t)w / gper, rem = (size_t)w % gper;
            c->lines_left -= (int)whole;
            sent += whole;
            if (rem > 0) {   /* a line cut: its rest goes first next time */
                memcpy(c->tail, gbuf + rem, gper - rem);
                c->tail_len = (int)(gper - rem);
                c->lines_left--;
            }
        }
        if (errors == nconn) break;
    }
    const double el = (now_ns_mono() - t0) / 1e9;
    const double cpu = cpu_s() - cpu0;
    fprintf(stderr, "loadgen: conns=%d sent=%" PRIu64 " bytes=%" PRIu64 " elapsed_ms=%.0f rate=%.0f/s cpu_s=%.3f us_per_value=%.4f errors=%d\n",
            nconn, sent, bytes, el * 1000, sent / el, cpu, sent ? cpu * 1e6 / sent : 0.0, errors);
    for (int i = 0; i < nconn; i++) close(cs[i].fd);
    return errors ? 1 : 0;
}
