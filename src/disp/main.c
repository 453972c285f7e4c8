/*
 * main.c — prl_disp_service's entry point: options, the password-setting
 * mode, start-up in the right order, signals, and the exit status.
 *
 * Start-up: options → log → state directory and server UUID → event loop
 * and workers → listeners (a port or socket that cannot be taken is a
 * message and exit 1) → signals → loop.  Without --foreground the process
 * forks first and the parent waits on a pipe until the child is listening
 * (or failed), so the exit status of the command that started the daemon
 * tells the truth.  SIGTERM/SIGINT end with a clean shutdown and exit 0;
 * SIGHUP reopens the log file.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* glibc extensions */
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "auth.h"
#include "disp.h"
#include "state.h"
#ifdef DISP_HAVE_REGISTRY
#include "registry.h"
#ifdef DISP_HAVE_HV
#include "vmops.h"
#endif
#endif

#define DISP_WORKER_THREADS 4

/* ---- --set-password ---------------------------------------------------------- */

/* Reads one line from stdin without echo when it is a terminal. */
static char *read_password(void)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		fprintf(stderr, "Password: ");
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	if (n < 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

static int set_password_main(const disp_options *o)
{
	char *pw = read_password();
	if (!pw || !*pw) {
		fprintf(stderr, "prl_disp_service: --set-password %s: no "
			"password on stdin\n", o->set_password);
		free(pw);
		return 1;
	}
	int rc = disp_state_mkdir(o->state_dir);
	if (rc == 0)
		rc = disp_auth_set_password(o->state_dir, o->set_password, pw);
	memset(pw, 0, strlen(pw));
	free(pw);
	if (rc < 0) {
		fprintf(stderr, "prl_disp_service: cannot store the password of "
			"'%s' in %s/%s: %s\n", o->set_password, o->state_dir,
			DISP_PASSWD_FILE, rc == -EINVAL ? "invalid user name" :
			strerror(-rc));
		return 1;
	}
	return 0;
}

/* ---- background mode ------------------------------------------------------------- */

/* Forks; the parent waits for the child's verdict and exits with it. */
static int daemonize(void)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		close(p[1]);
		char status = 1;
		ssize_t n;
		while ((n = read(p[0], &status, 1)) < 0 && errno == EINTR)
			;
		_exit(n == 1 ? status : 1);
	}
	close(p[0]);
	setsid();
	return p[1];
}

static void write_pid_file(const char *path)
{
	char line[32];
	int n = snprintf(line, sizeof line, "%ld\n", (long)getpid());
	if (disp_state_write_atomic(path, line, (size_t)n, 0644) < 0)
		PRLC_WARN("cannot write pid file %s: %s", path,
			  strerror(errno));
}

/* The child is serving: detach from the terminal and release the parent. */
static void daemon_ready(int fd, const disp_options *o)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	}
	if (o->pid_file)
		write_pid_file(o->pid_file);
	char ok = 0;
	if (write(fd, &ok, 1) != 1)
		PRLC_WARN("cannot report readiness to the parent");
	close(fd);
}

/* ---- signals ------------------------------------------------------------------------ */

static void on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
	PRLC_INFO("signal %d: stopping", (int)sig);
	disp_server_shutdown(arg);
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
	int rc = prlc_log_reopen();
	if (rc < 0)
		PRLC_ERROR("cannot reopen the log file: %s", strerror(-rc));
	else
		PRLC_INFO("log file reopened");
}

static int add_signal(disp_server *srv, int sig, event_callback_fn fn,
		      struct event **out)
{
	*out = evsignal_new(srv->base, sig, fn, srv);
	return *out && evsignal_add(*out, NULL) == 0 ? 0 : -1;
}

/* ---- start-up ------------------------------------------------------------------------- */

static int open_log(const disp_options *o)
{
	prlc_log_set_level(o->log_level);
	char *path = o->log_file;
	char fallback[4096];
	if (!path && !o->foreground) {  /* stderr goes to /dev/null */
		snprintf(fallback, sizeof fallback,
			 "%s/prl_disp_service.log", o->state_dir);
		path = fallback;
	}
	int rc = path ? prlc_log_open(path) : 0;
	if (rc < 0)
		fprintf(stderr, "prl_disp_service: cannot open log file %s: "
			"%s\n", path, strerror(-rc));
	return rc;
}

static int prepare_state(const disp_options *o, disp_server *srv)
{
	int rc = disp_state_mkdir(o->state_dir);
	if (rc < 0) {
		fprintf(stderr, "prl_disp_service: cannot create state "
			"directory %s: %s\n", o->state_dir, strerror(-rc));
		return rc;
	}
	rc = disp_state_server_uuid(o->state_dir, srv->uuid);
	if (rc < 0)
		fprintf(stderr, "prl_disp_service: cannot read or create "
			"%s/server.uuid: %s\n", o->state_dir,
			rc == -EINVAL ? "it does not hold a UUID" :
			strerror(-rc));
	return rc;
}

/* The VM registry (registry.c), when linked: loaded before serving. */
static int open_registry(disp_server *srv)
{
#ifdef DISP_HAVE_REGISTRY
	char err[512] = "";
	srv->registry = disp_registry_open(srv->opt->state_dir, err,
					   sizeof err);
	if (!srv->registry) {
		fprintf(stderr, "prl_disp_service: cannot open the VM registry "
			"in %s: %s\n", srv->opt->state_dir, err);
		return -1;
	}
	PRLC_INFO("VM registry: %zu VM(s)",
		  disp_registry_count(srv->registry));
#endif
	(void)srv;
	return 0;
}

/* After disp_server_fini: no worker can use the registry any more. */
static void close_registry(disp_registry *reg)
{
#ifdef DISP_HAVE_REGISTRY
	if (reg)
		disp_registry_close(reg);
#endif
	(void)reg;
}

static int serve(const disp_options *o)
{
	disp_server srv;
	struct event *sigs[3] = { NULL, NULL, NULL };
	int ready_fd = o->foreground ? -1 : daemonize();
	if (!o->foreground && ready_fd < 0) {
		perror("prl_disp_service: fork");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (disp_state_mkdir(o->state_dir) == 0 && open_log(o) < 0)
		return 1;
	if (disp_server_init(&srv, o, DISP_WORKER_THREADS) < 0) {
		fprintf(stderr, "prl_disp_service: cannot start the event "
			"loop: out of memory\n");
		return 1;
	}
	int rc = prepare_state(o, &srv) < 0 || open_registry(&srv) < 0 ||
		 disp_listeners_open(&srv) < 0 ||
		 add_signal(&srv, SIGTERM, on_stop_signal, &sigs[0]) < 0 ||
		 add_signal(&srv, SIGINT, on_stop_signal, &sigs[1]) < 0 ||
		 add_signal(&srv, SIGHUP, on_hup, &sigs[2]) < 0;
#ifdef DISP_HAVE_HV
	/* The hypervisor, before serving: VM operations need it. */
	char hverr[512] = "";
	if (rc == 0 && disp_vmops_init(&srv, o->hypervisor, hverr, sizeof hverr) < 0) {
		fprintf(stderr, "prl_disp_service: %s\n", hverr);
		rc = 1;
	}
	if (rc == 0)
		disp_vmops_autostart();
#endif
	if (rc == 0) {
		PRLC_INFO("prl_disp_service %s ready (server %s, hypervisor %s)",
			  DISP_PRODUCT_VERSION, srv.uuid, o->hypervisor);
		if (ready_fd >= 0)
			daemon_ready(ready_fd, o);
		disp_server_run(&srv);
		PRLC_INFO("stopped");
	}
	for (int i = 0; i < 3; i++)
		if (sigs[i])
			event_free(sigs[i]);
	disp_registry *reg = srv.registry;
#ifdef DISP_HAVE_HV
	if (rc == 0)
		disp_vmops_record_running();
	disp_vmops_quiesce();
#endif
	disp_server_fini(&srv);
#ifdef DISP_HAVE_HV
	disp_vmops_fini();
#endif
	close_registry(reg);
	if (rc == 0 && o->pid_file && !o->foreground)
		unlink(o->pid_file);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	disp_options opt;
	int rc = disp_options_parse(&opt, argc, argv);
	if (rc == 0 && opt.set_password)
		rc = set_password_main(&opt);
	else if (rc == 0)
		rc = serve(&opt);
	else if (rc < 0)
		rc = 0;
	disp_options_free(&opt);
	prlc_log_close();
	return rc;
}
