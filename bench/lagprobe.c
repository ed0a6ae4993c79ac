/*
 * lagprobe.c: how far behind the clock a file's last line is, sampled every PERIOD ms for SECONDS s
 * (measure.sh samples it once a second: too few points to compare two servers' lags closely).
 * Reads the file's last 40 bytes at each sample; prints samples and the lag's p10 p50 p90 max in ms.
 *
 *   lagprobe FILE SECONDS PERIOD_MS
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static int cmp(const void *a, const void *b) {
    const long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: lagprobe FILE SECONDS PERIOD_MS\n");
        return 2;
    }
    const int secs = atoi(argv[2]), period = atoi(argv[3]);
    if (secs <= 0 || period <= 0) {
        fprintf(stderr, "lagprobe: SECONDS and PERIOD_MS must be positive\n");
        return 2;
    }
    const int max = secs * 1000 / period + 10;
    long long *lag = malloc(sizeof *lag * (size_t)max);
    int n = 0;
    const long long end = now_ms() + secs * 1000LL;
    while (now_ms() < end && n < max) {
        const int fd = open(argv[1], O_RDONLY);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 40) {
            char b[41];
            /* A write in progress can show a torn last line (no newline yet): skip the sample. */
            if (pread(fd, b, 40, st.st_size - 40) == 40 && b[39] == '\n') {
                b[40] = 0;
                int i = 38; /* the last line starts after the newline before the final one */
                while (i > 0 && b[i] != '\n') i--;
                const long long v = atoll(b + i + 1);
                if (v > 0) lag[n++] = now_ms() - v;
            }
        }
        if (fd >= 0) close(fd);
        const struct timespec ts = {0, period * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (n == 0) {
        printf("samples=0\n");
        return 1;
    }
    qsort(lag, (size_t)n, sizeof *lag, cmp);
    printf("samples=%d lag_p10_ms=%lld lag_p50_ms=%lld lag_p90_ms=%lld lag_max_ms=%lld\n",
           n, lag[n / 10], lag[n / 2], lag[n * 9 / 10], lag[n - 1]);
    free(lag);
    return 0;
}
