/*
 * dispatcher.c — see dispatcher.h.  The daemon's path comes from the
 * PRL_DISP_BINARY compile definition (set by CMake).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dispatcher.h"

int test_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return ntohs(sa.sin_port);
}

static int set_password(test_disp *d)
{
	int in[2];
	if (pipe(in))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		close(in[1]);
		execl(PRL_DISP_BINARY, PRL_DISP_BINARY, "--state-dir", d->state_dir,
		      "--set-password", TEST_USER, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	dprintf(in[1], "%s\n", TEST_PASSWORD);
	close(in[1]);
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int can_connect_unix(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return 0;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static int can_connect_tcp(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static const char *const *saved_extra;

static int launch(test_disp *d)
{
	char listen[64];
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", d->port);
	const char *argv[32] = {
		PRL_DISP_BINARY, "--foreground", "--state-dir", d->state_dir,
		"--unix-socket", d->socket, "--listen", listen,
		"--hypervisor", "test:///default", "--auth", "file",
		"--log-file", d->log, "--log-level", "debug",
	};
	int n = 16;
	for (int i = 0; saved_extra && saved_extra[i] && n < 31; i++)
		argv[n++] = saved_extra[i];
	argv[n] = NULL;
	pid_t parent = getpid();
	d->pid = fork();
	if (d->pid == 0) {
		/* Dies with the test (a test killed by a sanitizer never leaves a
		 * daemon behind), and keeps no copy of the test's stdout/stderr,
		 * which CTest waits on: it logs to its own file. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		int nul = open("/dev/null", O_RDWR);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
			dup2(nul, 2);
		}
		execv(PRL_DISP_BINARY, (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 300; i++) {              /* up to 15 s */
		if (can_connect_unix(d->socket) && can_connect_tcp(d->port))
			return 0;
		int st;
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			fprintf(stderr, "dispatcher exited early (status %d); log %s\n", st, d->log);
			return -1;
		}
		struct timespec ts = { 0, 50000000 };
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "dispatcher did not start listening; log %s\n", d->log);
	return -1;
}

int test_disp_start(test_disp *d, const char *const *extra)
{
	return test_disp_start_with(d, extra, NULL);
}

int test_disp_start_with(test_disp *d, const char *const *extra,
			 int (*prepare)(test_disp *d))
{
	memset(d, 0, sizeof(*d));
	snprintf(d->state_dir, sizeof(d->state_dir), "/tmp/openprl-test.XXXXXX");
	if (!mkdtemp(d->state_dir))
		return -1;
	snprintf(d->socket, sizeof(d->socket), "%s/s", d->state_dir);
	snprintf(d->log, sizeof(d->log), "%s/dispatcher.log", d->state_dir);
	d->port = test_free_port();
	saved_extra = extra;
	if (set_password(d)) {
		fprintf(stderr, "--set-password failed\n");
		return -1;
	}
	if (prepare && prepare(d)) {
		fprintf(stderr, "preparing the state directory failed\n");
		return -1;
	}
	setenv("PRL_DISP_SOCKET", d->socket, 1);
	return launch(d);
}

int test_disp_restart(test_disp *d)
{
	return launch(d);
}

int test_disp_stop(test_disp *d, int sig)
{
	if (d->pid <= 0)
		return -1;
	kill(d->pid, sig);
	if (sig == SIGSTOP)
		return 0;
	int st = -1;
	for (int i = 0; i < 200; i++) {
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			d->pid = 0;
			return st;
		}
		struct timespec ts = { 0, 50000000 };
		nanosleep(&ts, NULL);
	}
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &st, 0);
	d->pid = 0;
	return -1;
}

void test_disp_cleanup(test_disp *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGCONT);
		test_disp_stop(d, SIGKILL);
	}
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->state_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", d->state_dir);
}

