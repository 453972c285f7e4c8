/* Unit tests of src/disp/hoststat.c against independent sources.
 *
 * Each value the collector reports is checked against a different way of
 * getting it: sysconf() for RAM and CPUs, uname() for the OS, statvfs() for
 * the root filesystem, our own pid/comm/euid for the process list, a UDP
 * packet over loopback for the interface counters, and a CPU burn between
 * two samples for the usage figures.  A churn test forks short-lived
 * processes while sampling, so processes vanish in the middle of scans.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <mntent.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hoststat.h"

static uint64_t phys_ram_bytes(void)
{
    return (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
}

static uint64_t abs_diff(uint64_t a, uint64_t b)
{
    return a > b ? a - b : b - a;
}

/* One sample from a fresh collector. */
static void collect_once(Prl__Statistics *st)
{
    disp_hoststat *c = disp_hoststat_new();
    assert_non_null(c);
    assert_int_equal(disp_hoststat_collect(c, st), 0);
    disp_hoststat_destroy(c);
}

static void test_config_matches_sysconf_and_uname(void **state)
{
    Prl__ServerConfig cfg;
    struct utsname u;
    unsigned major = 0, minor = 0;
    assert_int_equal(disp_hoststat_fill_config(&cfg), 0);
    assert_int_equal(uname(&u), 0);
    sscanf(u.release, "%u.%u", &major, &minor);

    uint64_t mb = phys_ram_bytes() >> 20;
    assert_true(cfg.has_ram_mb);
    assert_true(abs_diff(cfg.ram_mb, mb) <= mb / 100 + 1);
    assert_int_equal(cfg.cpu_count, sysconf(_SC_NPROCESSORS_ONLN));
    assert_non_null(cfg.cpu_model);
    assert_true(strlen(cfg.cpu_model) > 0);
    assert_string_equal(cfg.hostname, u.nodename);
    assert_int_equal(cfg.os_type, 1);             /* PHO_LIN */
    assert_int_equal(cfg.os_major, major);
    assert_int_equal(cfg.os_minor, minor);
    assert_non_null(strstr(cfg.os_str, u.release));
    for (size_t i = 0; i < cfg.n_hard_disks; i++) {
        assert_int_equal(cfg.hard_disks[i]->type, 6);   /* PDE_HARD_DISK */
        assert_int_equal(strncmp(cfg.hard_disks[i]->id, "/dev/", 5), 0);
    }
    for (size_t i = 0; i < cfg.n_net_adapters; i++) {
        assert_int_equal(cfg.net_adapters[i]->type, 8); /* PDE_GENERIC_NETWORK_ADAPTER */
        assert_string_not_equal(cfg.net_adapters[i]->id, "lo");
    }
    disp_hoststat_free_config(&cfg);
    assert_null(cfg.cpu_model);
    assert_int_equal(cfg.n_hard_disks, 0);
}

static void test_ram_and_cpu_count(void **state)
{
    Prl__Statistics st;
    collect_once(&st);
    uint64_t ram = phys_ram_bytes();
    assert_true(abs_diff(st.ram_total, ram) <= ram / 100);
    assert_true(st.ram_free <= st.ram_total);
    assert_int_equal(st.ram_usage + st.ram_free, st.ram_total);
    assert_true(st.ram_real <= st.ram_total);
    assert_int_equal(st.swap_usage + st.swap_free, st.swap_total);
    assert_int_equal(st.n_cpus, sysconf(_SC_NPROCESSORS_ONLN));
    for (size_t i = 0; i < st.n_cpus; i++) {
        assert_true(st.cpus[i]->usage <= 100);
        assert_true(st.cpus[i]->user_time + st.cpus[i]->system_time <=
                    st.cpus[i]->total_time);
    }
    disp_hoststat_free(&st);
}

static void test_uptimes(void **state)
{
    struct sysinfo si;
    disp_hoststat *c = disp_hoststat_new();
    Prl__Statistics st;
    assert_non_null(c);
    assert_int_equal(disp_hoststat_collect(c, &st), 0);
    assert_int_equal(sysinfo(&si), 0);
    assert_true(abs_diff(st.os_uptime, (uint64_t)si.uptime) <= 2);
    assert_int_equal(st.disp_uptime, 0);
    disp_hoststat_free(&st);
    disp_hoststat_destroy(c);
}

static const Prl__ProcStat *find_proc(const Prl__Statistics *st, pid_t pid)
{
    for (size_t i = 0; i < st->n_procs; i++)
        if (st->procs[i]->pid == (uint32_t)pid)
            return st->procs[i];
    return NULL;
}

static void test_own_process_listed(void **state)
{
    char comm[64] = "";
    FILE *f = fopen("/proc/self/comm", "r");
    assert_non_null(f);
    assert_non_null(fgets(comm, sizeof comm, f));
    fclose(f);
    comm[strcspn(comm, "\n")] = '\0';
    struct passwd *pw = getpwuid(geteuid());
    assert_non_null(pw);

    Prl__Statistics st;
    collect_once(&st);
    const Prl__ProcStat *me = find_proc(&st, getpid());
    assert_non_null(me);
    assert_string_equal(me->command, comm);
    assert_string_equal(me->owner, pw->pw_name);
    assert_int_equal(me->state, 1);               /* PPS_PROC_RUN: we are running */
    assert_true(me->real_mem > 0);
    assert_true(me->virt_mem >= me->real_mem);
    assert_true(abs_diff(me->start_time, (uint64_t)time(NULL)) < 3600);
    assert_non_null(find_proc(&st, 1));
    disp_hoststat_free(&st);
}

static uint64_t lo_in_bytes(const Prl__Statistics *st)
{
    for (size_t i = 0; i < st->n_ifaces; i++)
        if (!strcmp(st->ifaces[i]->name, "lo"))
            return st->ifaces[i]->in_bytes;
    fail_msg("interface lo missing from the statistics");
    return 0;
}

static void send_udp_to_loopback(size_t size)
{
    int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof a;
    char buf[2048] = { 0 };
    assert_true(rx >= 0 && tx >= 0 && size <= sizeof buf);
    assert_int_equal(bind(rx, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(rx, (struct sockaddr *)&a, &alen), 0);
    assert_int_equal(sendto(tx, buf, size, 0, (struct sockaddr *)&a, sizeof a), (ssize_t)size);
    assert_int_equal(recv(rx, buf, sizeof buf, 0), (ssize_t)size);
    close(rx);
    close(tx);
}

static void test_loopback_counter_grows(void **state)
{
    Prl__Statistics before, after;
    collect_once(&before);
    uint64_t b = lo_in_bytes(&before);
    send_udp_to_loopback(1000);
    collect_once(&after);
    uint64_t a = lo_in_bytes(&after);
    assert_true(a >= b + 1000);
    disp_hoststat_free(&before);
    disp_hoststat_free(&after);
}

/* The source of the filesystem mounted on "/", from /proc/self/mounts
 * (the last mount there wins); empty when "/" is a pseudo filesystem. */
static void root_source(char *out, size_t len, char *type, size_t tlen)
{
    FILE *f = setmntent("/proc/self/mounts", "r");
    struct mntent *m;
    out[0] = type[0] = '\0';
    while (f && (m = getmntent(f))) {
        if (strcmp(m->mnt_dir, "/") != 0)
            continue;
        snprintf(out, len, "%s", m->mnt_fsname);
        snprintf(type, tlen, "%s", m->mnt_type);
    }
    if (f)
        endmntent(f);
}

static const Prl__DiskPartStat *find_part(const Prl__Statistics *st, const char *name)
{
    for (size_t i = 0; i < st->n_disks; i++)
        for (size_t j = 0; j < st->disks[i]->n_parts; j++)
            if (!strcmp(st->disks[i]->parts[j]->name, name))
                return st->disks[i]->parts[j];
    return NULL;
}

static void test_root_filesystem_free_space(void **state)
{
    char src[4096], type[64];
    struct statvfs vfs;
    root_source(src, sizeof src, type, sizeof type);
    if (!strcmp(type, "overlay") || !strcmp(type, "tmpfs") || !strcmp(type, "rootfs")) {
        print_message("root is %s, not a disk: skipped\n", type);
        skip();
    }
    Prl__Statistics st;
    collect_once(&st);
    assert_int_equal(statvfs("/", &vfs), 0);
    const Prl__DiskPartStat *p = find_part(&st, src);
    assert_non_null(p);
    uint64_t free_b = (uint64_t)vfs.f_bavail * vfs.f_frsize;
    uint64_t total = (uint64_t)vfs.f_blocks * vfs.f_frsize;
    assert_true(abs_diff(p->free, free_b) <= total / 1000 + (64u << 20));
    assert_true(p->used > 0);
    disp_hoststat_free(&st);
}

static double thread_cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_cpu_usage_after_burn(void **state)
{
    disp_hoststat *c = disp_hoststat_new();
    Prl__Statistics first, second;
    assert_non_null(c);
    assert_int_equal(disp_hoststat_collect(c, &first), 0);
    volatile uint64_t x = 0;
    for (double t0 = thread_cpu_ms(); thread_cpu_ms() - t0 < 200;)
        for (int i = 0; i < 10000; i++)
            x += (uint64_t)i * 2654435761u;
    assert_int_equal(disp_hoststat_collect(c, &second), 0);
    uint32_t best = 0;
    for (size_t i = 0; i < second.n_cpus; i++)
        best = second.cpus[i]->usage > best ? second.cpus[i]->usage : best;
    assert_true(best > 0);
    const Prl__ProcStat *me = find_proc(&second, getpid());
    assert_non_null(me);
    assert_true(me->cpu_usage > 0);
    assert_true(me->user_time + me->system_time >= 150000);   /* microseconds */
    disp_hoststat_free(&first);
    disp_hoststat_free(&second);
    disp_hoststat_destroy(c);
}

/* A child that keeps forking processes that exit at once, so pids appear
 * and vanish while the parent scans /proc. */
static pid_t start_churn(void)
{
    pid_t p = fork();
    assert_true(p >= 0);
    if (p == 0) {
        for (;;) {
            pid_t k = fork();
            if (k == 0)
                _exit(0);
            if (k > 0)
                waitpid(k, NULL, 0);
        }
    }
    return p;
}

static void test_vanishing_processes_are_skipped(void **state)
{
    disp_hoststat *c = disp_hoststat_new();
    assert_non_null(c);
    pid_t churn = start_churn();
    for (int i = 0; i < 100; i++) {
        Prl__Statistics st;
        assert_int_equal(disp_hoststat_collect(c, &st), 0);
        assert_true(st.n_procs > 1);
        for (size_t k = 0; k < st.n_procs; k++) {
            assert_non_null(st.procs[k]->command);
            assert_non_null(st.procs[k]->owner);
            assert_true(st.procs[k]->state <= 4);
        }
        disp_hoststat_free(&st);
    }
    kill(churn, SIGKILL);
    waitpid(churn, NULL, 0);
    disp_hoststat_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_matches_sysconf_and_uname),
        cmocka_unit_test(test_ram_and_cpu_count),
        cmocka_unit_test(test_uptimes),
        cmocka_unit_test(test_own_process_listed),
        cmocka_unit_test(test_loopback_counter_grows),
        cmocka_unit_test(test_root_filesystem_free_space),
        cmocka_unit_test(test_cpu_usage_after_burn),
        cmocka_unit_test(test_vanishing_processes_are_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
