/*
 * disp.c — see disp.h.  The daemon's path comes from the PRL_DISP_BINARY
 * compile definition (set by CMake).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/sysinfo.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "disp.h"
#include "log.h"
#include "registry.h"
#include "uuid.h"
#include "PrlOses.h"

/* ---- measurements ------------------------------------------------------- */

double bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double bench_pctl(double *v, size_t n, double p)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	size_t i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

/* The value after "key" in /proc/PID/<file>, a "Key: value" file. */
static long long proc_field(pid_t pid, const char *file, const char *key)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	FILE *f = fopen(path, "r");
	long long v = -1;
	size_t klen = strlen(key);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtoll(line + klen + 1, NULL, 10);
			break;
		}
	if (f)
		fclose(f);
	return v;
}

long bench_rss_kib(pid_t pid)
{
	return (long)proc_field(pid, "status", "VmRSS");
}

long bench_status(pid_t pid, const char *key)
{
	return (long)proc_field(pid, "status", key);
}

double bench_cpu_ns(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');      /* the command may hold spaces */
	unsigned long long ut, st;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		return -1;
	return (double)(ut + st) * 1e9 / (double)sysconf(_SC_CLK_TCK);
}

int bench_io_bytes(pid_t pid, uint64_t *rchar, uint64_t *wchar)
{
	long long r = proc_field(pid, "io", "rchar"), w = proc_field(pid, "io", "wchar");
	if (r < 0 || w < 0)
		return -1;
	*rchar = (uint64_t)r;
	*wchar = (uint64_t)w;
	return 0;
}

void bench_raise_nofile(long want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_max != RLIM_INFINITY && (long)rl.rlim_max < want) {
		struct rlimit up = { (rlim_t)want, (rlim_t)want };
		if (!setrlimit(RLIMIT_NOFILE, &up))   /* root may raise the hard limit */
			return;
	}
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

void bench_pin(pid_t pid, int cpu)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", pid ? (int)pid : (int)getpid());
	cpu_set_t set;
	CPU_ZERO(&set);
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (cpu < 0 ? i < get_nprocs() : i == cpu)
			CPU_SET(i, &set);
	DIR *d = opendir(path);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			sched_setaffinity(atoi(e->d_name), sizeof(set), &set);
	if (d)
		closedir(d);
}

const bench_place bench_places[2] = { { "1cpu", 0, 0 }, { "2cpu", 0, 1 } };

static double pingpong_1byte(int client_cpu, int server_cpu)
{
	enum { N = 2000 };
	static double ns[N];
	int sv[2];
	char c = 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		bench_pin(0, server_cpu);
		while (read(sv[1], &c, 1) == 1 && write(sv[1], &c, 1) == 1)
			;
		_exit(0);
	}
	close(sv[1]);
	bench_pin(0, client_cpu);
	for (int i = 0; i < N; i++) {
		double t0 = bench_now_ns();
		if (write(sv[0], &c, 1) != 1 || read(sv[0], &c, 1) != 1)
			break;
		ns[i] = bench_now_ns() - t0;
	}
	close(sv[0]);
	waitpid(pid, NULL, 0);
	bench_pin(0, -1);
	return bench_pctl(ns, N, 50);
}

void bench_wakeup_cost(double *same_cpu_ns, double *cross_cpu_ns)
{
	*same_cpu_ns = pingpong_1byte(0, 0);
	*cross_cpu_ns = pingpong_1byte(0, 1);
}

static int can_connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return 0;
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

int bench_wait_unix(const char *path, pid_t pid, int timeout_ms)
{
	for (int i = 0; i < timeout_ms; i++) {
		if (can_connect_unix(path))
			return 0;
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			fprintf(stderr, "process %d exited early (status 0x%x)\n", (int)pid, st);
			return -1;
		}
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "%s did not accept within %d ms\n", path, timeout_ms);
	return -1;
}

/* ---- the daemon --------------------------------------------------------- */

int bench_disp_prepare(bench_disp *d, const char *parent)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->state_dir, sizeof(d->state_dir), "%s/openprl-bench.XXXXXX",
		 parent ? parent : "/tmp");
	if (!mkdtemp(d->state_dir)) {
		perror("mkdtemp");
		return -1;
	}
	snprintf(d->socket, sizeof(d->socket), "%s/s", d->state_dir);
	snprintf(d->log, sizeof(d->log), "%s/dispatcher.log", d->state_dir);
	return 0;
}

int bench_disp_start(bench_disp *d)
{
	const char *argv[] = {
		PRL_DISP_BINARY, "--foreground", "--state-dir", d->state_dir,
		"--unix-socket", d->socket, "--listen", "none",
		"--hypervisor", "test:///default", "--log-level", "error",
		"--log-file", d->log, NULL,
	};
	double t0 = bench_now_ns();
	d->pid = fork();
	if (d->pid == 0) {
		execv(PRL_DISP_BINARY, (char *const *)argv);
		_exit(127);
	}
	if (d->pid < 0 || bench_wait_unix(d->socket, d->pid, 60000) < 0) {
		fprintf(stderr, "dispatcher did not start; log %s\n", d->log);
		d->pid = 0;
		return -1;
	}
	d->startup_ms = (bench_now_ns() - t0) / 1e6;
	setenv("PRL_DISP_SOCKET", d->socket, 1);
	return 0;
}

void bench_disp_stop(bench_disp *d)
{
	if (d->pid <= 0)
		return;
	kill(d->pid, SIGTERM);
	for (int i = 0; i < 1000; i++) {
		if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
			d->pid = 0;
			return;
		}
		struct timespec ts = { 0, 10000000 };
		nanosleep(&ts, NULL);
	}
	kill(d->pid, SIGKILL);
	waitpid(d->pid, NULL, 0);
	d->pid = 0;
}

void bench_disp_cleanup(bench_disp *d)
{
	bench_disp_stop(d);
	if (!d->state_dir[0])
		return;
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->state_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", d->state_dir);
	d->state_dir[0] = 0;
}

/* ---- fixture VMs -------------------------------------------------------- */

static Prl__VmDevice *new_device(uint32_t type, uint32_t stack)
{
	Prl__VmDevice *d = calloc(1, sizeof(*d));
	prl__vm_device__init(d);
	d->type = type;
	d->index = 0;
	d->has_iface_type = d->has_stack_index = 1;
	d->iface_type = PMS_SATA_DEVICE;
	d->stack_index = stack;
	return d;
}

static void add_boot(Prl__VmConfig *c, uint32_t type, uint32_t seq)
{
	Prl__BootDevice *b = calloc(1, sizeof(*b));
	prl__boot_device__init(b);
	b->type = type;
	b->index = 0;
	b->sequence = seq;
	c->boot[c->n_boot++] = b;
}

static char *random_mac(void)
{
	char uuid[PRLC_UUID_LEN + 1], *mac = malloc(13);
	prlc_uuid_generate(uuid);
	snprintf(mac, 13, "001C42%.6s", uuid + 1);   /* Parallels' OUI + 24 random bits */
	for (char *p = mac; *p; p++)
		*p = (char)(*p >= 'a' ? *p - 32 : *p);
	return mac;
}

/* The devices PrlVmCfg_SetDefaultConfig gives a Linux guest. */
static void add_default_devices(Prl__VmConfig *c)
{
	c->devices = calloc(3, sizeof(*c->devices));
	c->boot = calloc(3, sizeof(*c->boot));
	Prl__VmDevice *hdd = new_device(PDE_HARD_DISK, 0);
	hdd->sys_name = strdup("harddisk.hdd");
	hdd->image_path = strdup("harddisk.hdd");
	hdd->friendly_name = strdup("harddisk.hdd");
	hdd->has_disk_size_mb = 1;
	hdd->disk_size_mb = 64 * 1024;
	Prl__VmDevice *cd = new_device(PDE_OPTICAL_DISK, 1);
	cd->sys_name = strdup("");
	cd->friendly_name = strdup("");
	cd->has_emulated_type = 1;
	cd->emulated_type = PDT_USE_IMAGE_FILE;
	Prl__VmDevice *nic = new_device(PDE_GENERIC_NETWORK_ADAPTER, 0);
	nic->has_iface_type = nic->has_stack_index = 0;
	nic->mac = random_mac();
	nic->has_net_type = nic->has_adapter_type = 1;
	nic->net_type = PNA_SHARED;
	nic->adapter_type = PNT_VIRTIO;
	c->devices[0] = hdd;
	c->devices[1] = cd;
	c->devices[2] = nic;
	c->n_devices = 3;
	add_boot(c, PDE_HARD_DISK, 0);
	add_boot(c, PDE_OPTICAL_DISK, 1);
	add_boot(c, PDE_GENERIC_NETWORK_ADAPTER, 2);
}

static Prl__VmConfig *fixture_config(const char *name)
{
	Prl__VmConfig *c = calloc(1, sizeof(*c));
	char uuid[PRLC_UUID_LEN + 1];
	prl__vm_config__init(c);
	prlc_uuid_generate(uuid);
	c->uuid = strdup(uuid);
	c->name = strdup(name);
	c->description = strdup("");
	c->has_os_type = c->has_os_version = c->has_ram_mb = c->has_cpu_count = 1;
	c->os_version = PVS_GUEST_VER_LIN_UBUNTU;
	c->os_type = PVS_GUEST_TYPE_LINUX;
	c->ram_mb = 1024;
	c->cpu_count = 2;
	c->has_video_ram_mb = c->has_cpu_mode = 1;
	c->video_ram_mb = 32;
	c->cpu_mode = PCM_CPU_MODE_64;
	add_default_devices(c);
	return c;
}

int bench_disp_make_vms(bench_disp *d, int n, const char *prefix)
{
	char err[512] = "";
	prlc_log_set_level(PRLC_LOG_WARN);  /* the registry's "N VMs" notes */
	disp_registry *r = disp_registry_open(d->state_dir, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "registry in %s: %s\n", d->state_dir, err);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		char name[64];
		snprintf(name, sizeof(name), "%s-%d", prefix, i);
		Prl__VmConfig *c = fixture_config(name);
		rc = disp_registry_create(r, c, NULL, getuid(), NULL);
		if (rc)
			fprintf(stderr, "creating VM %s: 0x%x %s\n", name, (unsigned)rc,
				disp_registry_errmsg());
		prl__vm_config__free_unpacked(c, NULL);
	}
	disp_registry_close(r);
	return rc ? -1 : 0;
}

/* ---- SDK sessions ------------------------------------------------------- */

PRL_RESULT bench_wait(PRL_HANDLE job, unsigned ms, PRL_HANDLE *result)
{
	PRL_RESULT rc = PrlJob_Wait(job, ms), ret = rc;
	if (PRL_SUCCEEDED(rc))
		PrlJob_GetRetCode(job, &ret);
	if (result)
		*result = PRL_INVALID_HANDLE;
	if (result && PRL_SUCCEEDED(ret))
		PrlJob_GetResult(job, result);
	PrlHandle_Free(job);
	return ret;
}

int bench_login(PRL_HANDLE *srv)
{
	PRL_RESULT rc = PrlSrv_Create(srv);
	if (PRL_SUCCEEDED(rc))
		rc = bench_wait(PrlSrv_LoginLocal(*srv, NULL, 0, PSL_HIGH_SECURITY), 60000, NULL);
	if (PRL_FAILED(rc)) {
		fprintf(stderr, "local login failed: 0x%x\n", (unsigned)rc);
		PrlHandle_Free(*srv);
		*srv = PRL_INVALID_HANDLE;
		return -1;
	}
	return 0;
}

void bench_logoff(PRL_HANDLE srv)
{
	bench_wait(PrlSrv_Logoff(srv), 10000, NULL);
	PrlHandle_Free(srv);
}
