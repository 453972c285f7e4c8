/*
 * libvirtd.c — see libvirtd.h.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "disp.h"
#include "libvirtd.h"

#define LIBVIRTD "/usr/sbin/libvirtd"

static const char *const subdirs[] = {
	"home", "drivers", "xdg", "xdg/config", "xdg/config/libvirt",
	"xdg/cache", "xdg/runtime", "xdg/data", NULL,
};

static int make_tree(bench_libvirtd *l, uid_t uid, gid_t gid)
{
	snprintf(l->root, sizeof(l->root), "/tmp/openprl-bench-libvirtd.XXXXXX");
	if (!mkdtemp(l->root) || chmod(l->root, 0755) || chown(l->root, uid, gid))
		return -1;
	for (int i = 0; subdirs[i]; i++) {
		char p[400];
		snprintf(p, sizeof(p), "%s/%s", l->root, subdirs[i]);
		if (mkdir(p, 0700) || chown(p, uid, gid))
			return -1;
	}
	snprintf(l->socket, sizeof(l->socket), "%s/xdg/runtime/libvirt/libvirt-sock", l->root);
	snprintf(l->uri, sizeof(l->uri), "test+unix:///default?socket=%s", l->socket);
	return 0;
}

/* In the child: become nobody with a private environment, exec libvirtd. */
static void exec_daemon(const bench_libvirtd *l, uid_t uid, gid_t gid)
{
	char env[6][512];
	snprintf(env[0], sizeof(env[0]), "HOME=%s/home", l->root);
	snprintf(env[1], sizeof(env[1]), "XDG_CONFIG_HOME=%s/xdg/config", l->root);
	snprintf(env[2], sizeof(env[2]), "XDG_CACHE_HOME=%s/xdg/cache", l->root);
	snprintf(env[3], sizeof(env[3]), "XDG_RUNTIME_DIR=%s/xdg/runtime", l->root);
	snprintf(env[4], sizeof(env[4]), "XDG_DATA_HOME=%s/xdg/data", l->root);
	snprintf(env[5], sizeof(env[5]), "LIBVIRT_DRIVER_DIR=%s/drivers", l->root);
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", env[0], env[1], env[2],
			 env[3], env[4], env[5], NULL };
	char log[400];
	snprintf(log, sizeof(log), "%s/libvirtd.out", l->root);
	if (!freopen(log, "w", stdout) || !freopen(log, "a", stderr) ||
	    setgroups(0, NULL) || setgid(gid) || setuid(uid) || chdir(l->root))
		_exit(126);
	execle(LIBVIRTD, LIBVIRTD, (char *)NULL, envp);
	_exit(127);
}

int bench_libvirtd_start(bench_libvirtd *l)
{
	memset(l, 0, sizeof(*l));
	struct passwd *pw = getpwnam("nobody");
	if (!pw || make_tree(l, pw->pw_uid, pw->pw_gid)) {
		fprintf(stderr, "libvirtd: cannot prepare a directory for user nobody\n");
		return -1;
	}
	double t0 = bench_now_ns();
	l->pid = fork();
	if (l->pid == 0)
		exec_daemon(l, pw->pw_uid, pw->pw_gid);
	if (l->pid < 0 || bench_wait_unix(l->socket, l->pid, 20000) < 0) {
		fprintf(stderr, "libvirtd did not start; see %s/libvirtd.out\n", l->root);
		l->pid = 0;
		return -1;
	}
	l->startup_ms = (bench_now_ns() - t0) / 1e6;
	return 0;
}

void bench_libvirtd_cleanup(bench_libvirtd *l)
{
	if (l->pid > 0) {
		kill(l->pid, SIGTERM);
		int i;
		for (i = 0; i < 1000 && waitpid(l->pid, NULL, WNOHANG) != l->pid; i++) {
			struct timespec ts = { 0, 10000000 };
			nanosleep(&ts, NULL);
		}
		if (i == 1000) {
			kill(l->pid, SIGKILL);
			waitpid(l->pid, NULL, 0);
		}
		l->pid = 0;
	}
	if (l->root[0]) {
		char cmd[400];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", l->root);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", l->root);
		l->root[0] = 0;
	}
}
