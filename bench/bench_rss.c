/*
 * bench_rss.c — memory of the dispatcher and of a client (issue 3), each
 * beside libvirt's measured in the same run (VmRSS from /proc/PID/status):
 *
 *   1. the dispatcher idle vs libvirtd idle with only its test driver
 *      (target <= 0.8x): each daemon right after start, and after one
 *      client session came and went (lazy start-up work done) — the figure;
 *   2. the dispatcher with 100 connected, logged-in, idle clients vs
 *      libvirtd with 100 idle connections (target <= 1.0x);
 *   3. a client process after PrlApi_InitEx + PrlSrv_LoginLocal vs a
 *      libvirt client after virConnectOpen (target <= 0.33x);
 *   4. for the record (no target): the dispatcher once a VM has run — it
 *      loads libvirt at its first VM operation (src/disp/lvsym.h) and keeps
 *      it — beside libvirtd idle.
 *
 * Clients are separate processes, one connection each, so that each RSS can
 * be read and no library is loaded where it does not belong: this file is
 * also compiled as the two client programs, bench_rss_prl (links only
 * libprl_sdk; BENCH_RSS_CLIENT_PRL) and bench_rss_virt (links only
 * libvirt; BENCH_RSS_CLIENT_VIRT).  A client connects, prints "ready", and
 * holds its connection until its stdin reaches end of file.
 *
 * The fixture is one registered VM (the registry writes it, disp.h);
 * libvirt's test driver starts with its one domain.  Each RSS figure is the
 * median of 5 samples 200 ms apart, taken 1 s after the clients are ready.
 * Exit status 0 whatever the figures.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(BENCH_RSS_CLIENT_PRL)
/* ---- client: libprl_sdk only ------------------------------------------- */
#include "Parallels.h"

static PRL_RESULT wait_job(PRL_HANDLE job)
{
	PRL_RESULT rc = PrlJob_Wait(job, 60000), ret = rc;
	if (PRL_SUCCEEDED(rc))
		PrlJob_GetRetCode(job, &ret);
	PrlHandle_Free(job);
	return ret;
}

int main(void)
{
	PRL_HANDLE srv = PRL_INVALID_HANDLE;
	if (PRL_FAILED(PrlApi_InitEx(PARALLELS_API_VER, PAM_SERVER, 0, 0)) ||
	    PRL_FAILED(PrlSrv_Create(&srv)) ||
	    PRL_FAILED(wait_job(PrlSrv_LoginLocal(srv, NULL, 0, PSL_HIGH_SECURITY)))) {
		fprintf(stderr, "bench_rss_prl: login failed\n");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	char c;
	while (read(0, &c, 1) > 0)
		;
	wait_job(PrlSrv_Logoff(srv));
	PrlHandle_Free(srv);
	PrlApi_Deinit();
	return 0;
}

#elif defined(BENCH_RSS_CLIENT_VIRT)
/* ---- client: libvirt only ------------------------------------------------ */
#include <libvirt/libvirt.h>

int main(int argc, char **argv)
{
	virConnectPtr c = argc > 1 ? virConnectOpen(argv[1]) : NULL;
	if (!c) {
		fprintf(stderr, "bench_rss_virt: cannot connect\n");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	char ch;
	while (read(0, &ch, 1) > 0)
		;
	virConnectClose(c);
	return 0;
}

#else
/* ---- the driver ---------------------------------------------------------- */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "disp.h"
#include "libvirtd.h"

typedef struct client {
	pid_t pid;
	int in;      /* the child's stdin: closing it releases the child */
	FILE *out;   /* the child's stdout */
} client;

static int spawn(client *c, const char *path, const char *arg)
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return -1;
	c->pid = fork();
	if (c->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl(path, path, arg, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->in = in[1];
	c->out = fdopen(out[0], "r");
	return c->pid > 0 ? 0 : -1;
}

/* Blocks until the child says "ready" (or dies: then -1). */
static int ready(client *c)
{
	char line[64];
	return fgets(line, sizeof(line), c->out) && !strcmp(line, "ready\n") ? 0 : -1;
}

static void release(client *c)
{
	if (c->in >= 0)
		close(c->in);
	fclose(c->out);
	waitpid(c->pid, NULL, 0);
}

static void settle(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Median of 5 VmRSS samples, 200 ms apart, in MiB. */
static double rss_mib(pid_t pid)
{
	double v[5];
	for (int i = 0; i < 5; i++) {
		if (i)
			settle(200);
		v[i] = bench_rss_kib(pid) / 1024.0;
	}
	return bench_pctl(v, 5, 50);
}

static void release_all(client *cs, int n)
{
	for (int i = 0; i < n; i++) {       /* all at once, then reap */
		close(cs[i].in);
		cs[i].in = -1;
	}
	for (int i = 0; i < n; i++)
		release(&cs[i]);
}

/* Starts n clients of one program and waits until each is connected. */
static int hold(const char *path, const char *arg, int n, client *cs)
{
	int ok = 0, started = 0;
	for (; ok < n; ok++) {
		if (spawn(&cs[ok], path, arg))
			break;
		started++;
		if (ready(&cs[ok]))
			break;
	}
	if (ok < n) {
		fprintf(stderr, "%s: only %d of %d clients connected\n", path, ok, n);
		release_all(cs, started);
		return -1;
	}
	return 0;
}

static void print_vs(const char *name, double m, const char *base, double b,
		     const char *target, const char *extra)
{
	printf("%-30s %7.1f MiB  [%s %7.1f MiB; ratio %.2f; target %s]%s\n", name, m, base, b,
	       m / b, target, extra);
}

static void figure_idle(bench_disp *d, bench_libvirtd *l)
{
	settle(1000);
	double d0 = rss_mib(d->pid), l0 = rss_mib(l->pid);
	client c;
	if (hold(BENCH_RSS_PRL, "", 1, &c) == 0)
		release_all(&c, 1);
	if (hold(BENCH_RSS_VIRT, l->uri, 1, &c) == 0)
		release_all(&c, 1);
	settle(1000);
	char extra[256];
	snprintf(extra, sizeof(extra), "  (anon %.1f vs %.1f MiB, file-backed %.1f vs %.1f MiB; "
		 "right after start: %.1f vs %.1f MiB, ratio %.2f)",
		 bench_status(d->pid, "RssAnon") / 1024.0, bench_status(l->pid, "RssAnon") / 1024.0,
		 bench_status(d->pid, "RssFile") / 1024.0, bench_status(l->pid, "RssFile") / 1024.0,
		 d0, l0, d0 / l0);
	print_vs("disp_rss_idle", rss_mib(d->pid), "libvirtd idle", rss_mib(l->pid),
		 "<= 0.8", extra);
}

static void figure_100(bench_disp *d, bench_libvirtd *l)
{
	enum { N = 100 };
	static client cs[N];
	double dm = -1, lm = -1;
	long dthr = 0, lthr = 0, danon = 0, lanon = 0;
	if (hold(BENCH_RSS_PRL, "", N, cs) == 0) {
		settle(1000);
		dm = rss_mib(d->pid);
		dthr = bench_status(d->pid, "Threads");
		danon = bench_status(d->pid, "RssAnon");
		release_all(cs, N);
	}
	if (hold(BENCH_RSS_VIRT, l->uri, N, cs) == 0) {
		settle(1000);
		lm = rss_mib(l->pid);
		lthr = bench_status(l->pid, "Threads");
		lanon = bench_status(l->pid, "RssAnon");
		release_all(cs, N);
	}
	if (dm < 0 || lm < 0) {
		printf("disp_rss_100_clients: not available: clients could not connect\n");
		return;
	}
	char extra[160];
	snprintf(extra, sizeof(extra), "  (anon %.1f vs %.1f MiB; threads: dispatcher %ld, "
		 "libvirtd %ld)", danon / 1024.0, lanon / 1024.0, dthr, lthr);
	print_vs("disp_rss_100_clients", dm, "libvirtd 100 conns", lm, "<= 1.0", extra);
}

/* Median over 5 client processes of VmRSS, and RssAnon / RssFile. */
static int client_rss(const char *path, const char *arg, double out[3])
{
	double v[3][5];
	for (int i = 0; i < 5; i++) {
		client c;
		if (hold(path, arg, 1, &c))
			return -1;
		v[0][i] = bench_status(c.pid, "VmRSS") / 1024.0;
		v[1][i] = bench_status(c.pid, "RssAnon") / 1024.0;
		v[2][i] = bench_status(c.pid, "RssFile") / 1024.0;
		release_all(&c, 1);
	}
	for (int k = 0; k < 3; k++)
		out[k] = bench_pctl(v[k], 5, 50);
	return 0;
}

static void figure_client(bench_libvirtd *l)
{
	double p[3], v[3];
	if (client_rss(BENCH_RSS_PRL, "", p) || client_rss(BENCH_RSS_VIRT, l->uri, v)) {
		printf("client_rss_after_login: not available: a client failed\n");
		return;
	}
	char extra[160];
	snprintf(extra, sizeof(extra), "  (anon %.1f vs %.1f MiB, file-backed %.1f vs %.1f MiB)",
		 p[1], v[1], p[2], v[2]);
	print_vs("client_rss_after_login", p[0], "libvirt client", v[0], "<= 0.33", extra);
}

/* 4: start and stop the fixture VM through the API, then the RSS. */
static void figure_after_vm(bench_disp *d, bench_libvirtd *l)
{
	PRL_HANDLE srv = PRL_INVALID_HANDLE, res = PRL_INVALID_HANDLE, vm = PRL_INVALID_HANDLE;
	PRL_RESULT rc = PrlApi_InitEx(PARALLELS_API_VER, PAM_SERVER, 0, 0);
	if (PRL_SUCCEEDED(rc))
		rc = bench_login(&srv);
	if (PRL_SUCCEEDED(rc))
		rc = bench_wait(PrlSrv_GetVmList(srv), 60000, &res);
	if (PRL_SUCCEEDED(rc))
		rc = PrlResult_GetParamByIndex(res, 0, &vm);
	if (PRL_SUCCEEDED(rc))
		rc = bench_wait(PrlVm_Start(vm), 60000, NULL);
	if (PRL_SUCCEEDED(rc))
		rc = bench_wait(PrlVm_StopEx(vm, PSM_KILL, 0), 60000, NULL);
	PrlHandle_Free(vm);
	PrlHandle_Free(res);
	if (srv != PRL_INVALID_HANDLE)
		bench_logoff(srv);
	PrlApi_Deinit();
	if (PRL_FAILED(rc)) {
		printf("disp_rss_after_vm_run: not available: %s\n", prl_result_to_string(rc));
		return;
	}
	settle(1000);
	char extra[160];
	snprintf(extra, sizeof(extra), "  (libvirt loaded at the first VM operation and "
		 "kept; anon %.1f MiB)", bench_status(d->pid, "RssAnon") / 1024.0);
	print_vs("disp_rss_after_vm_run", rss_mib(d->pid), "libvirtd idle", rss_mib(l->pid),
		 "none, for the record", extra);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	bench_raise_nofile(4096);
	bench_disp d;
	bench_libvirtd l;
	if (bench_libvirtd_start(&l))
		return 1;
	if (bench_disp_prepare(&d, NULL) || bench_disp_make_vms(&d, 1, "bench-vm") ||
	    bench_disp_start(&d)) {
		bench_disp_cleanup(&d);
		bench_libvirtd_cleanup(&l);
		return 1;
	}
	printf("# dispatcher pid %d (1 VM), libvirtd pid %d (test driver, 1 domain)\n",
	       (int)d.pid, (int)l.pid);
	figure_idle(&d, &l);
	figure_100(&d, &l);
	figure_client(&l);
	figure_after_vm(&d, &l);
	bench_disp_cleanup(&d);
	bench_libvirtd_cleanup(&l);
	return 0;
}
#endif
