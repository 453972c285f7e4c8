/*
 * jobs.h — the helpers every integration test uses: waiting for jobs,
 * logging in and off, a test group's setup and teardown.
 */
#ifndef OPENPRL_TEST_JOBS_H
#define OPENPRL_TEST_JOBS_H

#include "Parallels.h"
#include "dispatcher.h"

/* Waits for job (30 s at most) and frees it; returns its result code
 * (PRL_ERR_TIMEOUT if it did not finish).  With result non-NULL, *result is
 * the job's PHT_RESULT on success (the caller frees it), else
 * PRL_INVALID_HANDLE. */
PRL_RESULT test_job(PRL_HANDLE job, PRL_HANDLE *result);

/* A server handle logged in over the local socket (PSL_HIGH_SECURITY, as
 * prlctl asks), or PRL_INVALID_HANDLE. */
PRL_HANDLE it_login_local(void);
/* Logs s off and frees it; the logoff's result code. */
PRL_RESULT it_logoff(PRL_HANDLE s);

/* Writes text to path (created or truncated); 0 or -1. */
int it_write_file(const char *path, const char *text);

/* A test group's setup: PrlApi_InitEx, then test_disp_start_with (prepare
 * may be NULL).  0 or -1. */
int test_env_up(test_disp *d, const char *const *extra, int (*prepare)(test_disp *d));
/* Its teardown: the dispatcher stopped and removed, PrlApi_Deinit.  With
 * check_handles, -1 when handles were left alive (their count on stderr). */
int test_env_down(test_disp *d, int check_handles);
/* The static setup() and teardown() of a cmocka group that needs nothing
 * but a dispatcher d (a test_disp variable of the file). */
#define IT_DISPATCHER_FIXTURES(d, check_handles)                              \
	static int setup(void **state)                                         \
	{                                                                      \
		(void)state;                                                   \
		return test_env_up(&(d), NULL, NULL);                          \
	}                                                                      \
	static int teardown(void **state)                                      \
	{                                                                      \
		(void)state;                                                   \
		return test_env_down(&(d), (check_handles));                   \
	}

#endif
