/*
 * dispatcher.h — starting and stopping a real prl_disp_service for a test:
 * a private state directory, unix socket and free loopback port, the
 * test:///default hypervisor, password-file authentication with one user.
 */
#ifndef OPENPRL_TEST_DISPATCHER_H
#define OPENPRL_TEST_DISPATCHER_H

#include <sys/types.h>

typedef struct test_disp {
	pid_t pid;
	char state_dir[256];
	char socket[300];
	int port;
	char log[300];
} test_disp;

#define TEST_USER "tester"
#define TEST_PASSWORD "s3cret-Pa55"

/* Creates the state dir, sets the test user's password, starts the daemon and
 * waits until both listeners accept.  extra: more argv entries or NULL.
 * Exports PRL_DISP_SOCKET.  Returns 0 or -1 (with a message on stderr). */
int test_disp_start(test_disp *d, const char *const *extra);
/* The same, calling prepare(d) once the state directory exists and before
 * the daemon starts (fixtures: VM bundles, registry entries). */
int test_disp_start_with(test_disp *d, const char *const *extra,
			 int (*prepare)(test_disp *d));
/* Restarts on the same state dir, socket and port. */
int test_disp_restart(test_disp *d);
/* Sends sig and waits for the process (bounded); returns its wait status. */
int test_disp_stop(test_disp *d, int sig);
/* Removes the state directory. */
void test_disp_cleanup(test_disp *d);
/* A loopback TCP port nobody listens on. */
int test_free_port(void);

#endif
