/* What it costs this machine to touch fresh memory, with huge or small pages.
 *
 *   cc -O2 -o /tmp/page-touch scripts/page-touch.c
 *   /tmp/page-touch MIB HUGE [populate]
 *
 * HUGE: 1 = MADV_HUGEPAGE, 0 = MADV_NOHUGEPAGE. With `populate`, the pages
 * are faulted in by one MADV_POPULATE_WRITE before they are touched.
 * Maps MIB MiB three times in one process, touches one byte a page, and
 * prints the milliseconds per MiB of each round (BENCHMARKS.md, issue 24,
 * third part).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s MIB HUGE [populate]\n", argv[0]);
        return 2;
    }
    size_t n = (size_t)atoi(argv[1]) << 20;
    int huge = atoi(argv[2]);
    int populate = argc > 3 && strcmp(argv[3], "populate") == 0;
    for (int round = 0; round < 3; round++) {
        double start = now();
        char *p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        madvise(p, n, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
        if (populate && madvise(p, n, MADV_POPULATE_WRITE) != 0) {
            perror("madvise(MADV_POPULATE_WRITE)");
        }
        for (size_t i = 0; i < n; i += 4096) {
            p[i] = 1;
        }
        double ms = (now() - start) * 1e3;
        printf("round %d: %.1f ms (%.2f ms per MiB)\n", round + 1, ms, ms / (n >> 20));
        munmap(p, n);
    }
    return 0;
}
