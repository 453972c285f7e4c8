/*
 * disp.h — a private prl_disp_service for the benchmarks, VM fixtures for
 * it, and the process measurements every benchmark shares.
 *
 * The daemon runs in the foreground on a fresh state directory and a unix
 * socket inside it, with no TCP listener, the test:///default hypervisor and
 * logging at "error" only (tests/integration/dispatcher.c logs at "debug"
 * and listens on TCP, which would add to every figure measured here).
 * Fixture VMs are written with the dispatcher's own registry
 * (src/disp/registry.c) before the daemon starts, because a state directory
 * belongs to one process at a time.
 *
 * The measurements read /proc/PID/{status,stat,io} of any process: VmRSS,
 * utime+stime and the bytes a process moved through read/write calls.
 *
 * Thread rules: none of this is thread-safe; the benchmarks call it from
 * their main thread.
 */
#ifndef OPENPRL_BENCH_DISP_H
#define OPENPRL_BENCH_DISP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "Parallels.h"

typedef struct bench_disp {
	pid_t pid;
	char state_dir[256];
	char socket[300];
	char log[300];
	double startup_ms;   /* exec to the socket accepting, last start */
} bench_disp;

/* Creates a state directory under parent ("/tmp" when NULL).  0 or -1. */
int bench_disp_prepare(bench_disp *d, const char *parent);
/* Registers n fixture VMs "<prefix>-<i>" (a default Linux guest: 1 GiB,
 * 2 CPUs, a 64 GiB disk, a CD/DVD drive and a shared NIC, as
 * PrlVmCfg_SetDefaultConfig makes it) in d's state directory, through the
 * registry; the daemon must not be running.  0 or -1 (message on stderr). */
int bench_disp_make_vms(bench_disp *d, int n, const char *prefix);
/* Starts the daemon and waits (up to 60 s) until its socket accepts,
 * recording startup_ms; exports PRL_DISP_SOCKET.  0 or -1. */
int bench_disp_start(bench_disp *d);
/* SIGTERM, then waits (SIGKILL after 10 s).  Safe when not running. */
void bench_disp_stop(bench_disp *d);
/* Stops the daemon and removes its state directory. */
void bench_disp_cleanup(bench_disp *d);

/* ---- SDK sessions ------------------------------------------------------ */

/* A new server handle logged in locally (at $PRL_DISP_SOCKET).  0 or -1. */
int bench_login(PRL_HANDLE *srv);
/* Logs off (waiting) and frees srv. */
void bench_logoff(PRL_HANDLE srv);
/* Waits for job (up to ms) and frees it; *result (may be NULL) gets its
 * PHT_RESULT on success.  The job's return code (or the wait's error). */
PRL_RESULT bench_wait(PRL_HANDLE job, unsigned ms, PRL_HANDLE *result);

/* ---- measurements ------------------------------------------------------- */

double bench_now_ns(void);
/* The p-th percentile (0..100) of v[0..n-1]; sorts v. */
double bench_pctl(double *v, size_t n, double p);
/* VmRSS of pid in KiB, or -1. */
long bench_rss_kib(pid_t pid);
/* Any "Key:" line of /proc/PID/status (VmRSS, RssAnon, RssFile, Threads
 * ...), as a number (KiB for sizes), or -1. */
long bench_status(pid_t pid, const char *key);
/* utime + stime of pid in nanoseconds, or -1. */
double bench_cpu_ns(pid_t pid);
/* rchar / wchar of pid (bytes through read and write calls).  0 or -1. */
int bench_io_bytes(pid_t pid, uint64_t *rchar, uint64_t *wchar);
/* Raises RLIMIT_NOFILE to its hard limit (at least want if allowed). */
void bench_raise_nofile(long want);
/* Pins every thread of pid (0: this process) to one CPU, or to all CPUs
 * when cpu < 0.  Threads created later inherit their creator's mask. */
void bench_pin(pid_t pid, int cpu);
/* The two placements the latency figures are measured in, because on a
 * virtual machine a wake-up that crosses CPUs can cost tens of
 * microseconds, which the scheduler makes or avoids at random:
 * "1cpu": client and server on CPU 0; "2cpu": client on 0, server on 1. */
typedef struct bench_place {
	const char *name;
	int client_cpu, server_cpu;
} bench_place;
extern const bench_place bench_places[2];
/* Cross-CPU and same-CPU round trip of a 1-byte unix socket ping-pong
 * (p50, ns), to show how expensive the machine's wake-ups are. */
void bench_wakeup_cost(double *same_cpu_ns, double *cross_cpu_ns);
/* Waits until a unix socket at path accepts, polling every 1 ms, while pid
 * lives; timeout_ms bounds it.  0, or -1 on timeout or exit. */
int bench_wait_unix(const char *path, pid_t pid, int timeout_ms);

#endif
