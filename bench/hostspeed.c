/*
 * hostspeed.c: how fast this host does the work every server here pays per timestamp, right now:
 * CPU nanoseconds for one 14-byte write() and the read() of it over a loopback TCP connection,
 * averaged over 20,000 pairs (~0.1 s). Prints one integer.
 *
 * Why: the benchmarks run on a shared virtual machine whose host load is invisible from inside
 * (no steal time is reported), and the same pair measured 5.9 us and 9.3 us a minute apart
 * (docs/PERFORMANCE.md). bench/quiet.sh takes this before each measurement (host_ns_before=), so
 * that a pair whose two runs met different hosts can be told from one that did not.
 *
 *   hostspeed
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double cpu_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(void) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    const int l = socket(AF_INET, SOCK_STREAM, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1) || getsockname(l, (struct sockaddr *)&a, &al)) {
        perror("hostspeed: listen");
        return 1;
    }
    const int c = socket(AF_INET, SOCK_STREAM, 0);
    if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a)) {
        perror("hostspeed: connect");
        return 1;
    }
    const int s = accept(l, NULL, NULL);
    const int one = 1;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const char line[] = "1733400000000\n";
    char buf[64];
    const int pairs = 20000;
    const double t0 = cpu_ns();
    for (int i = 0; i < pairs; i++) {
        if (write(c, line, 14) != 14 || read(s, buf, sizeof buf) <= 0) {
            perror("hostspeed: write/read");
            return 1;
        }
    }
    printf("%.0f\n", (cpu_ns() - t0) / pairs);
    return 0;
}
