/*
 * bench_subscribers.c — what 1,000 subscribers to host statistics cost the
 * dispatcher (issue 3; target <= 5% of one core).
 *
 * Ten client processes each log in 100 times (one PHT_SERVER, hence one
 * connection, per login) so that 1,000 sessions are open.  The dispatcher's
 * CPU time (utime + stime from /proc/PID/stat) is read over a window:
 *   - 1,000 sessions, none subscribed (the baseline: same dispatcher, same
 *     connections, no statistics);
 *   - 1 of them subscribed (one sample per second, one receiver);
 *   - all 1,000 subscribed (one sample per second, one encoding, 1,000
 *     sends).
 * Each figure is printed as % of one core, with the events the clients
 * counted in their handlers (PET_DSP_EVT_HOST_STATISTICS_UPDATED) as proof
 * that the updates really flowed, and the size of one update on the wire.
 *
 * The clients talk to the driver over pipes: one command letter per line
 * ('s' subscribe all, 'o' subscribe one, 'c' report the count), one answer
 * line each; end of file makes them log off and exit.
 *   bench_subscribers [--window SECONDS]   (default 20)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "Parallels.h"
#include "disp.h"

#define PROCS 10
#define PER_PROC 100

/* ---- a client process ------------------------------------------------------ */

static atomic_long events;

static PRL_RESULT on_event(PRL_HANDLE h, PRL_VOID_PTR data)
{
	(void)data;
	PRL_HANDLE_TYPE t;
	PRL_EVENT_TYPE et;
	if (PRL_SUCCEEDED(PrlHandle_GetType(h, &t)) && t == PHT_EVENT &&
	    PRL_SUCCEEDED(PrlEvent_GetType(h, &et)) && et == PET_DSP_EVT_HOST_STATISTICS_UPDATED)
		atomic_fetch_add(&events, 1);
	PrlHandle_Free(h);
	return PRL_ERR_SUCCESS;
}

static int subscribe(PRL_HANDLE *srv, int n)
{
	for (int i = 0; i < n; i++)
		if (PRL_FAILED(bench_wait(PrlSrv_SubscribeToHostStatistics(srv[i]), 60000, NULL)))
			return -1;
	return 0;
}

static int answer(FILE *out, int ok, long v)
{
	return fprintf(out, "%s %ld\n", ok ? "ok" : "fail", v) < 0 || fflush(out);
}

static void client_main(FILE *in, FILE *out)
{
	static PRL_HANDLE srv[PER_PROC];
	int ok = PRL_SUCCEEDED(PrlApi_InitEx(PARALLELS_API_VER, PAM_SERVER, 0, 0));
	for (int i = 0; ok && i < PER_PROC; i++)
		ok = bench_login(&srv[i]) == 0 &&
		     PRL_SUCCEEDED(PrlSrv_RegEventHandler(srv[i], on_event, NULL));
	answer(out, ok, 0);
	char line[16];
	while (ok && fgets(line, sizeof(line), in)) {
		if (line[0] == 's' || line[0] == 'o')
			answer(out, subscribe(srv, line[0] == 's' ? PER_PROC : 1) == 0, 0);
		else
			answer(out, 1, atomic_load(&events));
	}
	for (int i = 0; ok && i < PER_PROC; i++) {
		PrlSrv_UnregEventHandler(srv[i], on_event, NULL);
		bench_logoff(srv[i]);
	}
	PrlApi_Deinit();
	_exit(ok ? 0 : 1);
}

/* ---- the driver ---------------------------------------------------------- */

typedef struct proc {
	pid_t pid;
	FILE *cmd, *ans;
} proc;

static int spawn(proc *p)
{
	int c[2], a[2];
	if (pipe2(c, O_CLOEXEC) || pipe2(a, O_CLOEXEC))
		return -1;
	p->pid = fork();
	if (p->pid == 0) {
		close(c[1]);
		close(a[0]);
		client_main(fdopen(c[0], "r"), fdopen(a[1], "w"));
	}
	close(c[0]);
	close(a[1]);
	p->cmd = fdopen(c[1], "w");
	p->ans = fdopen(a[0], "r");
	return p->pid > 0 ? 0 : -1;
}

/* Sends cmd (NULL: only reads the pending answer); -1 unless "ok". */
static long ask(proc *p, const char *cmd)
{
	char line[64];
	long v = 0;
	if (cmd && (fprintf(p->cmd, "%s\n", cmd) < 0 || fflush(p->cmd)))
		return -1;
	if (!fgets(line, sizeof(line), p->ans) || sscanf(line, "ok %ld", &v) != 1)
		return -1;
	return v;
}

static long total_events(proc *ps)
{
	long n = 0;
	for (int i = 0; i < PROCS; i++)
		n += ask(&ps[i], "c");
	return n;
}

typedef struct window {
	double cpu_pct;     /* of one core */
	double events_per_s;
	double out_mib_per_s; /* MiB the dispatcher wrote per second */
} window;

static window measure(pid_t disp, proc *ps, int secs)
{
	uint64_t r0, w0, r1, w1;
	long e0 = total_events(ps);
	double c0 = bench_cpu_ns(disp), t0 = bench_now_ns();
	bench_io_bytes(disp, &r0, &w0);
	struct timespec ts = { secs, 0 };
	nanosleep(&ts, NULL);
	double c1 = bench_cpu_ns(disp), t1 = bench_now_ns();
	bench_io_bytes(disp, &r1, &w1);
	long e1 = total_events(ps);
	double s = (t1 - t0) / 1e9;
	return (window){ 100.0 * (c1 - c0) / (t1 - t0), (double)(e1 - e0) / s,
			 (double)(w1 - w0) / s / 1048576.0 };
}

static int start_clients(proc *ps)
{
	for (int i = 0; i < PROCS; i++)
		if (spawn(&ps[i]))
			return -1;
	for (int i = 0; i < PROCS; i++)
		if (ask(&ps[i], NULL) < 0) {
			fprintf(stderr, "client process %d could not log in %d times\n", i, PER_PROC);
			return -1;
		}
	return 0;
}

static void stop_clients(proc *ps)
{
	for (int i = 0; i < PROCS; i++)
		if (ps[i].pid > 0)
			fclose(ps[i].cmd);
	for (int i = 0; i < PROCS; i++)
		if (ps[i].pid > 0) {
			fclose(ps[i].ans);
			waitpid(ps[i].pid, NULL, 0);
		}
}

static void report(const char *name, window w, const char *extra)
{
	printf("%-36s %5.2f %% of one core  [%.0f events/s received, dispatcher wrote "
	       "%.2f MiB/s]%s\n", name, w.cpu_pct, w.events_per_s, w.out_mib_per_s, extra);
}

static void run(bench_disp *d, int secs)
{
	static proc ps[PROCS];
	if (start_clients(ps)) {
		printf("stats_1000_subscribers: not available: clients could not log in\n");
		stop_clients(ps);
		return;
	}
	printf("# %d sessions in %d processes; dispatcher pid %d, %ld threads; window %d s\n",
	       PROCS * PER_PROC, PROCS, (int)d->pid, bench_status(d->pid, "Threads"), secs);
	window none = measure(d->pid, ps, secs);
	report("stats_0_subscribers_disp_cpu", none, "  (baseline: 1,000 idle sessions)");
	window one = (window){ -1, 0, 0 }, all = one;
	if (ask(&ps[0], "o") >= 0) {
		one = measure(d->pid, ps, secs / 2 > 0 ? secs / 2 : 1);
		report("stats_1_subscriber_disp_cpu", one, "");
	}
	int ok = 1;
	for (int i = 0; i < PROCS; i++)
		ok &= ask(&ps[i], "s") >= 0;
	if (ok) {
		all = measure(d->pid, ps, secs);
		char extra[160];
		snprintf(extra, sizeof(extra), "  (over 0 subscribers: +%.2f %%, target <= 5 %%; "
			 "%.1f KiB per update)", all.cpu_pct - none.cpu_pct,
			 all.events_per_s > 0 ? all.out_mib_per_s * 1024 / all.events_per_s : 0);
		report("stats_1000_subscribers_disp_cpu", all, extra);
	} else {
		printf("stats_1000_subscribers: not available: subscribing failed\n");
	}
	stop_clients(ps);
}

int main(int argc, char **argv)
{
	int secs = argc > 2 && !strcmp(argv[1], "--window") ? atoi(argv[2]) : 20;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	bench_raise_nofile(65536);
	bench_disp d;
	if (bench_disp_prepare(&d, NULL) || bench_disp_make_vms(&d, 1, "bench-vm") ||
	    bench_disp_start(&d)) {
		bench_disp_cleanup(&d);
		return 1;
	}
	run(&d, secs < 1 ? 1 : secs);
	bench_disp_cleanup(&d);
	return 0;
}
