/* bench_hoststat: how long one host statistics sample takes.
 *
 * The dispatcher collects a sample every 1000 ms while anyone subscribes, so
 * the cost of disp_hoststat_collect() (and of packing the result once for
 * all subscribers) is the whole price of the feature.  This program forks
 * idle children until the host has at least --procs processes (default 200),
 * then times --iters samples (default 200) and prints the median, the 95th
 * percentile and the worst, plus the packed size and the packing time, and
 * the one-off cost of disp_hoststat_fill_config().
 *
 *   bench_hoststat [--procs N] [--iters M]
 */
#define _GNU_SOURCE
#include "hoststat.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int count_procs(void)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)))
        n += e->d_name[0] >= '1' && e->d_name[0] <= '9';
    if (d)
        closedir(d);
    return n;
}

/* Children block in pause() until killed; returns how many were made. */
static int spawn_idle(pid_t *kids, int want)
{
    int n = 0;
    while (n < want) {
        pid_t p = fork();
        if (p < 0)
            break;
        if (p == 0) {
            pause();
            _exit(0);
        }
        kids[n++] = p;
    }
    return n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *what, double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    printf("%-28s median %8.1f us   p95 %8.1f us   max %8.1f us\n", what, t[n / 2],
           t[(n * 95) / 100], t[n - 1]);
}

static double time_config(void)
{
    Prl__ServerConfig cfg;
    double t0 = now_us();
    int rc = disp_hoststat_fill_config(&cfg);
    double dt = now_us() - t0;
    disp_hoststat_free_config(&cfg);
    return rc == 0 ? dt : -1;
}

static int run(int iters)
{
    disp_hoststat *c = disp_hoststat_new();
    double *tc = calloc((size_t)iters, sizeof *tc), *tp = calloc((size_t)iters, sizeof *tp);
    size_t packed = 0, nprocs = 0;
    if (!c || !tc || !tp)
        return 1;
    for (int i = 0; i < iters; i++) {
        Prl__Statistics st;
        double t0 = now_us();
        if (disp_hoststat_collect(c, &st) != 0)
            return 1;
        double t1 = now_us();
        size_t len = prl__statistics__get_packed_size(&st);
        uint8_t *buf = malloc(len);
        prl__statistics__pack(&st, buf);
        tc[i] = t1 - t0;
        tp[i] = now_us() - t1;
        packed = len;
        nprocs = st.n_procs;
        free(buf);
        disp_hoststat_free(&st);
    }
    printf("processes in sample: %zu, packed sample: %zu bytes\n", nprocs, packed);
    report("disp_hoststat_collect", tc, iters);
    report("get_packed_size + pack", tp, iters);
    free(tc);
    free(tp);
    disp_hoststat_destroy(c);
    return 0;
}

int main(int argc, char **argv)
{
    int want = 200, iters = 200;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--procs"))
            want = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--iters"))
            iters = atoi(argv[i + 1]);
    }
    if (iters < 1)
        iters = 1;
    int extra = want - count_procs();
    pid_t *kids = calloc(extra > 0 ? (size_t)extra : 1, sizeof *kids);
    int nkids = extra > 0 && kids ? spawn_idle(kids, extra) : 0;
    printf("fill_config: %.1f us\n", time_config());
    int rc = run(iters);
    for (int i = 0; i < nkids; i++)
        kill(kids[i], SIGKILL);
    for (int i = 0; i < nkids; i++)
        waitpid(kids[i], NULL, 0);
    free(kids);
    return rc;
}
