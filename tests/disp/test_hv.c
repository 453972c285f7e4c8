/*
 * test_hv.c — the hypervisor driver, on libvirt's test driver (test_hv) and
 * on a real QEMU (test_hv_qemu: the same file built with -DTEST_HV_QEMU).
 *
 * Both run one lifecycle — start, pause, resume, start-on-paused, suspend to
 * disk, restore, reset, kill, suspend + drop — and check after every step
 * the exact sequence of states delivered through on_state (waiting on a
 * condition, never sleeping) and the code of every forbidden transition.
 *
 * test_hv_qemu starts its own libvirtd in session mode as an unprivileged
 * user, as the feasibility notes (libvirt-qemu-on-these-machines.md, §3)
 * record: all state under a temporary directory, a private socket,
 * stdio_handler "file"; run as root, the test first becomes "nobody" for
 * good.
 * It destroys every domain, then stops that daemon by its PID.  Without
 * qemu-system-x86_64 or libvirtd it fails when CI=true and is skipped
 * (exit 77) otherwise.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "hv.h"
#include "log.h"
#include "uuid.h"

#ifdef TEST_HV_QEMU
# define URI "qemu:///session"
# define EVENT_WAIT_S 60
#else
# define URI "test:///default"
# define EVENT_WAIT_S 5
#endif

static disp_hv *hv;
static char workdir[256];

/* ---- recording on_state --------------------------------------------------- */

typedef struct seen {
	char uuid[PRLC_UUID_LEN + 1];
	uint32_t state;
} seen;

static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ev_cond = PTHREAD_COND_INITIALIZER;
static seen events[4096];
static size_t nevents, mark;

static void on_state(void *ctx, const char *uuid, uint32_t state)
{
	(void)ctx;
	pthread_mutex_lock(&ev_lock);
	if (nevents < sizeof events / sizeof *events) {
		snprintf(events[nevents].uuid, sizeof events[0].uuid, "%s", uuid);
		events[nevents++].state = state;
	}
	pthread_cond_broadcast(&ev_cond);
	pthread_mutex_unlock(&ev_lock);
}

static const char *sname(uint32_t s)
{
	switch (s) {
	case VMS_STOPPED: return "STOPPED";
	case VMS_STARTING: return "STARTING";
	case VMS_RESTORING: return "RESTORING";
	case VMS_RUNNING: return "RUNNING";
	case VMS_PAUSED: return "PAUSED";
	case VMS_SUSPENDING: return "SUSPENDING";
	case VMS_STOPPING: return "STOPPING";
	case VMS_SUSPENDED: return "SUSPENDED";
	case VMS_RESETTING: return "RESETTING";
	default: return "?";
	}
}

static size_t collect(const char *uuid, uint32_t *got, size_t max,
		      size_t *last)
{
	size_t n = 0;
	for (size_t i = mark; i < nevents && n < max; i++)
		if (!strcasecmp(events[i].uuid, uuid)) {
			got[n++] = events[i].state;
			*last = i + 1;
		}
	return n;
}

/* Waits (bounded) until uuid's states since the last check are exactly
 * want[0..n). */
static void expect_states(const char *uuid, const uint32_t *want, size_t n)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += EVENT_WAIT_S;
	uint32_t got[64];
	size_t have = 0, last = mark;
	pthread_mutex_lock(&ev_lock);
	while ((have = collect(uuid, got, 64, &last)) < n &&
	       pthread_cond_timedwait(&ev_cond, &ev_lock, &until) == 0)
		;
	mark = last;
	pthread_mutex_unlock(&ev_lock);
	char text[512] = "";
	for (size_t i = 0; i < have; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text), " %s",
			 sname(got[i]));
	if (have != n)
		fail_msg("expected %zu state events, got %zu:%s", n, have, text);
	for (size_t i = 0; i < n; i++)
		if (got[i] != want[i])
			fail_msg("event %zu is %s, expected %s (all:%s)", i,
				 sname(got[i]), sname(want[i]), text);
}

#define EXPECT(uuid, ...) do { \
	const uint32_t w_[] = { __VA_ARGS__ }; \
	expect_states(uuid, w_, sizeof w_ / sizeof *w_); \
} while (0)

/* Checks that nothing more arrived for uuid since the last expectation. */
static void expect_quiet(const char *uuid)
{
	uint32_t got[8];
	size_t last = mark;
	pthread_mutex_lock(&ev_lock);
	size_t n = collect(uuid, got, 8, &last);
	pthread_mutex_unlock(&ev_lock);
	if (n)
		fail_msg("unexpected state event %s", sname(got[0]));
}

/* ---- fixtures ------------------------------------------------------------- */

static Prl__VmConfig *tiny_vm(const char *bundle)
{
	Prl__VmConfig *c = calloc(1, sizeof *c);
	prl__vm_config__init(c);
	char uuid[PRLC_UUID_LEN + 1];
	prlc_uuid_generate(uuid);
	c->uuid = strdup(uuid);
	c->name = strdup("tiny");
	c->home_path = strdup(bundle);
	c->has_ram_mb = c->has_cpu_count = 1;
	c->ram_mb = 128;
	c->cpu_count = 1;
	mkdir(bundle, 0755);
	return c;
}

static bool save_exists(const Prl__VmConfig *c)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/%s", c->home_path, DISP_HV_SAVE_FILE);
	return access(p, F_OK) == 0;
}

static void assert_state(const char *uuid, uint32_t want)
{
	uint32_t st = 0;
	assert_int_equal(disp_hv_state(hv, uuid, &st), PRL_ERR_SUCCESS);
	if (st != want)
		fail_msg("state is %s, expected %s", sname(st), sname(want));
}

#define OK(call) do { int rc_ = (call); if (rc_ != PRL_ERR_SUCCESS) \
	fail_msg("%s: %#x %s", #call, (unsigned)rc_, disp_hv_errmsg()); \
} while (0)

static void open_hv(void)
{
	char err[512];
	hv = disp_hv_open(URI, on_state, NULL, err, sizeof err);
	if (!hv)
		fail_msg("open %s: %s", URI, err);
}

/* ---- the lifecycle (both drivers) ----------------------------------------- */

static void lifecycle_run_pause(const char *u, const Prl__VmConfig *c)
{
	assert_state(u, VMS_STOPPED);
	OK(disp_hv_start(hv, c));
	EXPECT(u, VMS_RUNNING);
	assert_state(u, VMS_RUNNING);
	assert_int_equal(disp_hv_start(hv, c), PRL_ERR_VM_ALREADY_RUNNING);
	OK(disp_hv_pause(hv, u));
	EXPECT(u, VMS_PAUSED);
	assert_int_equal(disp_hv_pause(hv, u), PRL_ERR_DISP_VM_IS_NOT_RUNNING);
	assert_int_equal(disp_hv_restart(hv, u), PRL_ERR_DISP_VM_IS_NOT_RUNNING);
	OK(disp_hv_resume(hv, u));
	EXPECT(u, VMS_RUNNING);
	assert_int_equal(disp_hv_resume(hv, u), PRL_ERR_VM_ALREADY_RUNNING);
	OK(disp_hv_pause(hv, u));
	OK(disp_hv_start(hv, c)); /* start continues a paused VM (task T19) */
	EXPECT(u, VMS_PAUSED, VMS_RUNNING);
}

static void lifecycle_suspend(const char *u, const Prl__VmConfig *c)
{
	OK(disp_hv_suspend(hv, u));
	EXPECT(u, VMS_SUSPENDING, VMS_SUSPENDED);
	assert_true(save_exists(c));
	assert_state(u, VMS_SUSPENDED);
	assert_int_equal(disp_hv_cached_state(hv, u), VMS_SUSPENDED);
	assert_int_equal(disp_hv_suspend(hv, u), PRL_ERR_VM_ALREADY_SUSPENDED);
	assert_int_equal(disp_hv_pause(hv, u), PRL_ERR_DISP_VM_IS_NOT_STARTED);
	assert_int_equal(disp_hv_stop(hv, u, PSM_KILL),
			 PRL_ERR_DISP_VM_IS_NOT_STARTED);
	assert_int_equal(disp_hv_reset(hv, u), PRL_ERR_DISP_VM_IS_NOT_STARTED);
	OK(disp_hv_resume(hv, u));
	EXPECT(u, VMS_RESTORING, VMS_RUNNING);
	assert_false(save_exists(c));
	assert_state(u, VMS_RUNNING);
}

static void lifecycle_reset_kill(const char *u, const Prl__VmConfig *c)
{
	OK(disp_hv_reset(hv, u));
	EXPECT(u, VMS_RESETTING, VMS_RUNNING);
	disp_hv_stats st;
	OK(disp_hv_stats_get(hv, u, &st));
	assert_true(st.cpu_time_ns > 0);
	assert_true(st.mem_total_kib > 0 || st.mem_rss_kib > 0);
	OK(disp_hv_stop(hv, u, PSM_KILL));
	EXPECT(u, VMS_STOPPING, VMS_STOPPED);
	assert_state(u, VMS_STOPPED);
	assert_int_equal(disp_hv_stop(hv, u, PSM_KILL),
			 PRL_ERR_DISP_VM_IS_NOT_STARTED);
	assert_int_equal(disp_hv_drop_suspended(hv, u),
			 PRL_ERR_VM_IS_NOT_SUSPENDED);
	assert_int_equal(disp_hv_stats_get(hv, u, &st),
			 PRL_ERR_DISP_VM_IS_NOT_STARTED);
	assert_int_equal(disp_hv_restart(hv, u), PRL_ERR_DISP_VM_IS_NOT_STARTED);

	OK(disp_hv_start(hv, c));
	OK(disp_hv_suspend(hv, u));
	OK(disp_hv_drop_suspended(hv, u));
	EXPECT(u, VMS_RUNNING, VMS_SUSPENDING, VMS_SUSPENDED, VMS_STOPPED);
	assert_false(save_exists(c));
	assert_state(u, VMS_STOPPED);
	expect_quiet(u);
}

/* ---- test driver only ----------------------------------------------------- */

#ifndef TEST_HV_QEMU

static virConnectPtr keeper; /* keeps test:///default's state across opens */

static int setup_group(void **state)
{
	snprintf(workdir, sizeof workdir, "/tmp/test_hv.XXXXXX");
	assert_non_null(mkdtemp(workdir));
	keeper = virConnectOpen(URI);
	assert_non_null(keeper);
	open_hv();
	return 0;
}

static int teardown_group(void **state)
{
	disp_hv_close(hv);
	virConnectClose(keeper);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", workdir);
	return system(cmd);
}

static Prl__VmConfig *vm_in(const char *name)
{
	char b[PATH_MAX];
	snprintf(b, sizeof b, "%s/%s.pvm", workdir, name);
	Prl__VmConfig *c = tiny_vm(b);
	assert_int_equal(disp_hv_attach(hv, c->uuid, c->home_path), 0);
	return c;
}

static void test_lifecycle(void **state)
{
	Prl__VmConfig *c = vm_in("life");
	lifecycle_run_pause(c->uuid, c);
	lifecycle_suspend(c->uuid, c);
	lifecycle_reset_kill(c->uuid, c);
	disp_vmconf_free(c);
}

/* The test driver stops at once on a graceful shutdown; the state comes
 * from libvirt's event, not from the operation. */
static void test_graceful_stop(void **state)
{
	Prl__VmConfig *c = vm_in("graceful");
	OK(disp_hv_start(hv, c));
	OK(disp_hv_stop(hv, c->uuid, PSM_ACPI));
	EXPECT(c->uuid, VMS_RUNNING, VMS_STOPPED);
	OK(disp_hv_start(hv, c));
	OK(disp_hv_stop(hv, c->uuid, PSM_SHUTDOWN));
	EXPECT(c->uuid, VMS_RUNNING, VMS_STOPPED);
	assert_int_equal(disp_hv_stop(hv, c->uuid, 7), PRL_ERR_INVALID_ARG);
	disp_vmconf_free(c);
}

/* A VM that stops behind our back (guest shutdown, crash) is seen. */
static void test_external_stop(void **state)
{
	Prl__VmConfig *c = vm_in("external");
	OK(disp_hv_start(hv, c));
	EXPECT(c->uuid, VMS_RUNNING);
	char b[VIR_UUID_STRING_BUFLEN];
	snprintf(b, sizeof b, "%.36s", c->uuid + 1);
	virDomainPtr d = virDomainLookupByUUIDString(keeper, b);
	assert_non_null(d);
	assert_int_equal(virDomainDestroy(d), 0);
	virDomainFree(d);
	EXPECT(c->uuid, VMS_STOPPED);
	assert_int_equal(disp_hv_cached_state(hv, c->uuid), VMS_STOPPED);
	disp_vmconf_free(c);
}

/* A restarted dispatcher finds running VMs running and suspended VMs
 * suspended. */
static void test_sync_after_reopen(void **state)
{
	Prl__VmConfig *a = vm_in("runner"), *s = vm_in("sleeper");
	OK(disp_hv_start(hv, a));
	OK(disp_hv_start(hv, s));
	OK(disp_hv_suspend(hv, s->uuid));
	EXPECT(a->uuid, VMS_RUNNING);
	EXPECT(s->uuid, VMS_RUNNING, VMS_SUSPENDING, VMS_SUSPENDED);
	disp_hv_close(hv);
	open_hv();
	assert_int_equal(disp_hv_attach(hv, a->uuid, a->home_path), 0);
	assert_int_equal(disp_hv_attach(hv, s->uuid, s->home_path), 0);
	assert_int_equal(disp_hv_cached_state(hv, s->uuid), VMS_SUSPENDED);
	OK(disp_hv_sync(hv));
	assert_int_equal(disp_hv_cached_state(hv, a->uuid), VMS_RUNNING);
	assert_int_equal(disp_hv_cached_state(hv, s->uuid), VMS_SUSPENDED);
	OK(disp_hv_start(hv, s)); /* start restores a suspended VM */
	EXPECT(s->uuid, VMS_RESTORING, VMS_RUNNING);
	OK(disp_hv_stop(hv, a->uuid, PSM_KILL));
	OK(disp_hv_stop(hv, s->uuid, PSM_KILL));
	disp_vmconf_free(a);
	disp_vmconf_free(s);
}

static void test_unknown_vm(void **state)
{
	const char *u = "{00000000-0000-4000-8000-000000000000}";
	assert_int_equal(disp_hv_pause(hv, u), PRL_ERR_VM_UUID_NOT_FOUND);
	assert_int_equal(disp_hv_stop(hv, u, PSM_KILL), PRL_ERR_VM_UUID_NOT_FOUND);
	assert_int_equal(disp_hv_cached_state(hv, u), VMS_UNKNOWN);
	Prl__VmConfig *c = vm_in("gone");
	disp_hv_detach(hv, c->uuid);
	assert_int_equal(disp_hv_pause(hv, c->uuid), PRL_ERR_VM_UUID_NOT_FOUND);
	disp_vmconf_free(c);
}

static Prl__VmDevice *add_dev(Prl__VmConfig *c, uint32_t type)
{
	c->devices = realloc(c->devices, (c->n_devices + 1) * sizeof *c->devices);
	Prl__VmDevice *d = calloc(1, sizeof *d);
	prl__vm_device__init(d);
	d->type = type;
	d->index = (uint32_t)c->n_devices;
	return c->devices[c->n_devices++] = d;
}

static void add_boot(Prl__VmConfig *c, uint32_t type, uint32_t index,
		     uint32_t seq)
{
	c->boot = realloc(c->boot, (c->n_boot + 1) * sizeof *c->boot);
	Prl__BootDevice *b = calloc(1, sizeof *b);
	prl__boot_device__init(b);
	b->type = type;
	b->index = index;
	b->sequence = seq;
	c->boot[c->n_boot++] = b;
}

static Prl__VmConfig *full_vm(void)
{
	Prl__VmConfig *c = vm_in("full");
	Prl__VmDevice *hd = add_dev(c, PDE_HARD_DISK);
	hd->image_path = strdup("disk0.qcow2");
	hd->has_disk_size_mb = 1;
	hd->disk_size_mb = 64;
	Prl__VmDevice *cd = add_dev(c, PDE_OPTICAL_DISK);
	cd->image_path = strdup("/srv/iso/boot.iso");
	cd->has_iface_type = 1;
	cd->iface_type = PMS_IDE_DEVICE;
	Prl__VmDevice *nic = add_dev(c, PDE_GENERIC_NETWORK_ADAPTER);
	nic->mac = strdup("001C42ABCDEF");
	Prl__VmDevice *off = add_dev(c, PDE_HARD_DISK);
	off->has_enabled = 1;
	off->enabled = 0;
	off->image_path = strdup("unused.qcow2");
	add_boot(c, PDE_OPTICAL_DISK, 1, 0);
	add_boot(c, PDE_HARD_DISK, 0, 1);
	free(c->name);
	c->name = strdup("full <&'\">");
	return c;
}

static void test_domain_xml(void **state)
{
	Prl__VmConfig *c = full_vm();
	char *xml = disp_hv_domain_xml(hv, c), want[PATH_MAX + 64];
	assert_non_null(xml);
	assert_non_null(strstr(xml, "<domain type=\"qemu\">"));
	assert_non_null(strstr(xml, "<memory unit=\"MiB\">128</memory>"));
	assert_non_null(strstr(xml, "<vcpu>1</vcpu>"));
	assert_non_null(strstr(xml, "<title>full &lt;&amp;'&quot;&gt;</title>"));
	snprintf(want, sizeof want, "<source file=\"%s/disk0.qcow2\"/>",
		 c->home_path);
	assert_non_null(strstr(xml, want));
	assert_non_null(strstr(xml, "<target dev=\"sda\" bus=\"sata\"/>"));
	assert_non_null(strstr(xml, "<target dev=\"hda\" bus=\"ide\"/>"));
	assert_non_null(strstr(xml, "<mac address=\"00:1c:42:ab:cd:ef\"/>"));
	assert_non_null(strstr(xml, "<interface type=\"user\">"));
	assert_null(strstr(xml, "unused.qcow2")); /* disabled device */
	assert_null(strstr(xml, "<graphics"));
	/* the CD (sequence 0) boots first, the disk second */
	char *cd = strstr(xml, "boot.iso"), *hd = strstr(xml, "disk0.qcow2");
	assert_non_null(strstr(cd, "<boot order=\"1\"/>"));
	assert_true(strstr(cd, "<boot order=\"1\"/>") < strstr(cd, "</disk>"));
	assert_true(strstr(hd, "<boot order=\"2\"/>") < strstr(hd, "</disk>"));
	free(xml);

	/* the test driver accepts it: the VM starts with all its devices */
	OK(disp_hv_create_disks(hv, c));
	OK(disp_hv_start(hv, c));
	OK(disp_hv_stop(hv, c->uuid, PSM_KILL));
	disp_vmconf_free(c);
}

static void test_create_disks(void **state)
{
	Prl__VmConfig *c = full_vm();
	char disk[PATH_MAX];
	snprintf(disk, sizeof disk, "%s/disk0.qcow2", c->home_path);
	unlink(disk);
	OK(disp_hv_create_disks(hv, c));
	struct stat st;
	assert_int_equal(stat(disk, &st), 0);
	assert_int_equal(st.st_size, 64ll << 20);
	OK(disp_hv_create_disks(hv, c)); /* existing images are kept */
	char unused[PATH_MAX];
	snprintf(unused, sizeof unused, "%s/unused.qcow2", c->home_path);
	assert_int_equal(access(unused, F_OK), -1);
	disp_vmconf_free(c);
}

int main(void)
{
	prlc_log_set_level(PRLC_LOG_WARN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_graceful_stop),
		cmocka_unit_test(test_external_stop),
		cmocka_unit_test(test_sync_after_reopen),
		cmocka_unit_test(test_unknown_vm),
		cmocka_unit_test(test_domain_xml),
		cmocka_unit_test(test_create_disks),
	};
	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}

#else /* TEST_HV_QEMU */

/* ---- a private libvirtd, as the feasibility run did it -------------------- */

static pid_t daemon_pid = -1;

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void sub(char *out, const char *rel)
{
	snprintf(out, PATH_MAX, "%s/%s", workdir, rel);
}

static void make_tree(void)
{
	const char *dirs[] = { "home", "run", "xdg", "xdg/config",
			       "xdg/config/libvirt", "xdg/cache", "xdg/runtime",
			       "xdg/data", "bundle" };
	char p[PATH_MAX], text[PATH_MAX + 64];
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		sub(p, dirs[i]);
		assert_int_equal(mkdir(p, 0755), 0);
	}
	sub(p, "xdg/runtime");
	chmod(p, 0700);
	sub(p, "xdg/config/libvirt/qemu.conf");
	put(p, "stdio_handler = \"file\"\n"); /* no virtlogd */
	sub(p, "xdg/config/libvirt/libvirtd.conf");
	snprintf(text, sizeof text, "log_outputs = \"3:file:%s/run/libvirtd.log\"\n",
		 workdir);
	put(p, text);
}

/* The environment both the daemon and this process use. */
static void session_env(void)
{
	char p[PATH_MAX];
	sub(p, "home"); setenv("HOME", p, 1);
	sub(p, "xdg/config"); setenv("XDG_CONFIG_HOME", p, 1);
	sub(p, "xdg/cache"); setenv("XDG_CACHE_HOME", p, 1);
	sub(p, "xdg/runtime"); setenv("XDG_RUNTIME_DIR", p, 1);
	sub(p, "xdg/data"); setenv("XDG_DATA_HOME", p, 1);
	setenv("LIBVIRT_DEFAULT_URI", URI, 1);
	setenv("LIBVIRT_AUTOSTART", "0", 1);    /* only the daemon we start */
}

/* Root runs this test as "nobody": chown the tree, then drop for good. */
static void become_nobody(void)
{
	if (geteuid() != 0)
		return;
	struct passwd *pw = getpwnam("nobody");
	assert_non_null(pw);
	struct group *gr = getgrnam("nogroup");
	gid_t gid = gr ? gr->gr_gid : pw->pw_gid;
	char cmd[PATH_MAX + 64];
	snprintf(cmd, sizeof cmd, "chown -R %u:%u '%s'", (unsigned)pw->pw_uid,
		 (unsigned)gid, workdir);
	assert_int_equal(system(cmd), 0);
	chmod(workdir, 0755);
	assert_int_equal(setgroups(0, NULL), 0);
	assert_int_equal(setgid(gid), 0);
	assert_int_equal(setuid(pw->pw_uid), 0);
	assert_int_equal(setuid(0), -1); /* really dropped */
}

static void spawn_libvirtd(void)
{
	char pidf[PATH_MAX], out[PATH_MAX];
	sub(pidf, "run/libvirtd.pid");
	sub(out, "run/libvirtd.stdout");
	daemon_pid = fork();
	assert_true(daemon_pid >= 0);
	if (daemon_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);   /* never outlive the test */
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
		execl("/usr/sbin/libvirtd", "libvirtd", "--pid-file", pidf,
		      (char *)NULL);
		_exit(127);
	}
}

/* Bounded wait for the daemon's socket (it appears after ~60 ms). */
static void wait_socket(void)
{
	char sock[PATH_MAX];
	sub(sock, "xdg/runtime/libvirt/libvirt-sock");
	for (int i = 0; i < 1000; i++) {
		if (access(sock, F_OK) == 0)
			return;
		int status;
		if (waitpid(daemon_pid, &status, WNOHANG) == daemon_pid) {
			daemon_pid = -1;
			fail_msg("libvirtd exited (status %d); see %s/run/",
				 status, workdir);
		}
		usleep(10000);
	}
	fail_msg("libvirtd's socket %s did not appear within 10 s", sock);
}

static void destroy_all(void)
{
	virConnectPtr c = virConnectOpen(URI);
	virDomainPtr *doms = NULL;
	int n = c ? virConnectListAllDomains(c, &doms,
					     VIR_CONNECT_LIST_DOMAINS_ACTIVE) : 0;
	for (int i = 0; i < n; i++) {
		virDomainDestroy(doms[i]);
		virDomainFree(doms[i]);
	}
	free(doms);
	if (c)
		virConnectClose(c);
}

static void stop_libvirtd(void)
{
	if (daemon_pid <= 0)
		return;
	kill(daemon_pid, SIGTERM); /* this PID only, never by name */
	int status;
	waitpid(daemon_pid, &status, 0);
	daemon_pid = -1;
}

static bool have(const char *path)
{
	return access(path, X_OK) == 0;
}

static int setup_group(void **state)
{
	snprintf(workdir, sizeof workdir, "/tmp/test_hv_qemu.XXXXXX");
	assert_non_null(mkdtemp(workdir));
	make_tree();
	become_nobody();
	session_env();
	spawn_libvirtd();
	wait_socket();
	open_hv(); /* the first connection probes QEMU: ~3.5 s */
	return 0;
}

static int teardown_group(void **state)
{
	if (hv)
		disp_hv_close(hv);
	destroy_all(); /* guests outlive the daemon */
	stop_libvirtd();
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", workdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The tiny VM of the issue: type qemu, 128 MiB, 1 vCPU, no disk, no NIC,
 * no graphics.  On QEMU a graceful stop of a guest without an OS does
 * nothing (no ACPI handler), and a restarted dispatcher finds it running. */
static void test_qemu_lifecycle(void **state)
{
	char b[PATH_MAX];
	sub(b, "bundle/tiny.pvm");
	Prl__VmConfig *c = tiny_vm(b);
	const char *u = c->uuid;
	assert_int_equal(disp_hv_attach(hv, u, c->home_path), 0);
	char *xml = disp_hv_domain_xml(hv, c);
	assert_non_null(strstr(xml, "<domain type=\"qemu\">"));
	assert_null(strstr(xml, "<graphics"));
	free(xml);
	lifecycle_run_pause(u, c);
	lifecycle_suspend(u, c);

	OK(disp_hv_stop(hv, u, PSM_ACPI));
	assert_state(u, VMS_RUNNING);
	disp_hv_close(hv);
	open_hv();
	assert_int_equal(disp_hv_attach(hv, u, c->home_path), 0);
	OK(disp_hv_sync(hv));
	assert_int_equal(disp_hv_cached_state(hv, u), VMS_RUNNING);

	lifecycle_reset_kill(u, c);
	disp_vmconf_free(c);
}

/* A VM with a qcow2 disk created through libvirt's storage API and a
 * user-mode NIC: QEMU runs with both and reports the disk's statistics. */
static void test_qemu_disk_and_nic(void **state)
{
	char b[PATH_MAX];
	sub(b, "bundle/disk.pvm");
	Prl__VmConfig *c = tiny_vm(b);
	c->n_devices = 2;
	c->devices = calloc(2, sizeof *c->devices);
	for (int i = 0; i < 2; i++) {
		c->devices[i] = calloc(1, sizeof **c->devices);
		prl__vm_device__init(c->devices[i]);
	}
	c->devices[0]->type = PDE_HARD_DISK;
	c->devices[0]->image_path = strdup("harddisk.qcow2");
	c->devices[0]->has_disk_size_mb = 1;
	c->devices[0]->disk_size_mb = 64;
	c->devices[1]->type = PDE_GENERIC_NETWORK_ADAPTER;
	c->devices[1]->mac = strdup("001C42000042");
	const char *u = c->uuid;
	assert_int_equal(disp_hv_attach(hv, u, c->home_path), 0);
	OK(disp_hv_create_disks(hv, c));
	char disk[PATH_MAX + 32], magic[4] = "";
	snprintf(disk, sizeof disk, "%s/harddisk.qcow2", b);
	FILE *f = fopen(disk, "rb");
	assert_non_null(f);
	assert_int_equal(fread(magic, 1, 4, f), 4);
	fclose(f);
	assert_memory_equal(magic, "QFI\xfb", 4); /* a real qcow2 image */
	OK(disp_hv_start(hv, c));
	EXPECT(u, VMS_RUNNING);
	disp_hv_stats st;
	OK(disp_hv_stats_get(hv, u, &st));
	assert_int_equal(st.n_disks, 1);
	assert_string_equal(st.disks[0].name, "sda");
	/* a user-mode NIC has no host device: libvirt reports no net.* */
	assert_true(st.cpu_time_ns > 0);
	OK(disp_hv_stop(hv, u, PSM_KILL));
	EXPECT(u, VMS_STOPPING, VMS_STOPPED);
	disp_vmconf_free(c);
}

/* libvirtd restarted (an upgrade, a crash) while a VM runs: the guest
 * lives on; the dispatcher connects again by itself (no operation needed),
 * still follows the VM's state, and operates on it as before.  A VM that
 * stopped while libvirtd was away shows up as a state event. */
static void test_qemu_libvirtd_restart(void **state)
{
	char b[PATH_MAX];
	sub(b, "bundle/survivor.pvm");
	Prl__VmConfig *c = tiny_vm(b);
	const char *u = c->uuid;
	assert_int_equal(disp_hv_attach(hv, u, c->home_path), 0);
	OK(disp_hv_start(hv, c));
	EXPECT(u, VMS_RUNNING);

	stop_libvirtd();
	uint32_t st = 0;
	/* Away: an operation fails with a message, nothing crashes. */
	int rc = disp_hv_pause(hv, u);
	assert_int_not_equal(rc, PRL_ERR_SUCCESS);
	spawn_libvirtd();
	wait_socket();
	/* Connected again without any operation asking: a reconnection is
	 * tried every second; state queries then work with no event (the VM
	 * never stopped). */
	bool back = false;
	for (int i = 0; i < 300 && !back; i++) {
		usleep(100000);
		back = disp_hv_state(hv, u, &st) == PRL_ERR_SUCCESS && st == VMS_RUNNING;
	}
	assert_true(back);
	OK(disp_hv_pause(hv, u));
	EXPECT(u, VMS_PAUSED);
	OK(disp_hv_resume(hv, u));
	EXPECT(u, VMS_RUNNING);

	/* Gone while libvirtd is away (the guest killed behind its back):
	 * after the reconnection the probe reports it stopped. */
	stop_libvirtd();
	char cmd[PATH_MAX + 64];
	/* "[-]uuid": the pattern must not match the shell running pkill */
	snprintf(cmd, sizeof cmd, "pkill -KILL -f -- '[-]uuid %.36s'", u + (u[0] == '{'));
	assert_int_equal(system(cmd), 0);     /* this guest's QEMU only */
	spawn_libvirtd();
	wait_socket();
	EXPECT(u, VMS_STOPPED);
	assert_state(u, VMS_STOPPED);
	OK(disp_hv_start(hv, c));
	EXPECT(u, VMS_RUNNING);
	OK(disp_hv_stop(hv, u, PSM_KILL));
	EXPECT(u, VMS_STOPPING, VMS_STOPPED);
	disp_vmconf_free(c);
}

int main(void)
{
	prlc_log_set_level(PRLC_LOG_WARN);
	/* As in prl_disp_service: libvirt may write to a daemon just gone. */
	signal(SIGPIPE, SIG_IGN);
	bool ci = getenv("CI") && !strcmp(getenv("CI"), "true");
	if (!have("/usr/bin/qemu-system-x86_64") || !have("/usr/sbin/libvirtd")) {
		fprintf(stderr, "test_hv_qemu: qemu-system-x86_64 or libvirtd is "
			"missing (apt-get install qemu-system-x86 libvirt-daemon "
			"libvirt-daemon-driver-qemu)%s\n",
			ci ? "; CI=true, so this is a failure" : "; skipped");
		return ci ? 1 : 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_lifecycle),
		cmocka_unit_test(test_qemu_disk_and_nic),
		cmocka_unit_test(test_qemu_libvirtd_restart),
	};
	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}

#endif
