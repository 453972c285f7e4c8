/*
 * test_pam.c — remote login checked by real PAM (service prl_disp_service;
 * without its own file in /etc/pam.d, PAM applies the system's "other"
 * policy, i.e. pam_unix against /etc/shadow).  The test creates a system
 * user with a known password, starts a dispatcher with --auth pam, and logs
 * in over TCP with the right and a wrong password.  It needs root (to create
 * the user and for pam_unix to read /etc/shadow); as another user it is
 * skipped, except under CI=true where that is a failure.
 */
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "Parallels.h"
#include "dispatcher.h"

#define PAM_USER "openprl-pamtest"
#define PAM_PASSWORD "Pam-pa55-Word"

static test_disp disp;

static int run(const char *cmd)
{
	int st = system(cmd);
	return st == 0 ? 0 : -1;
}

static int setup(void **state)
{
	(void)state;
	run("userdel -r " PAM_USER " >/dev/null 2>&1");
	if (run("useradd -M -s /usr/sbin/nologin " PAM_USER) ||
	    run("echo '" PAM_USER ":" PAM_PASSWORD "' | chpasswd"))
		return -1;
	if (PrlApi_InitEx(VIRTUOZZO_API_VER, PAM_SERVER, 0, 0))
		return -1;
	const char *extra[] = { "--auth", "pam", NULL };
	return test_disp_start(&disp, extra);
}

static int teardown(void **state)
{
	(void)state;
	test_disp_cleanup(&disp);
	run("userdel " PAM_USER " >/dev/null 2>&1");
	PRL_UINT32 n = 99;
	PrlDbg_GetHandlesNum(&n, PHT_ERROR);
	PrlApi_Deinit();
	return n ? -1 : 0;
}

static PRL_RESULT login(PRL_HANDLE s, const char *user, const char *pw)
{
	char host[64];
	snprintf(host, sizeof(host), "127.0.0.1#%d", disp.port);
	PRL_HANDLE j = PrlSrv_LoginEx(s, host, user, pw, NULL, 0, 10000, PSL_LOW_SECURITY, 0);
	PRL_RESULT rc = PRL_ERR_TIMEOUT;
	if (PrlJob_Wait(j, 20000) == PRL_ERR_SUCCESS)
		PrlJob_GetRetCode(j, &rc);
	PrlHandle_Free(j);
	return rc;
}

static void dump_log(void)
{
	char line[512];
	FILE *f = fopen(disp.log, "r");
	fprintf(stderr, "--- %s\n", disp.log);
	while (f && fgets(line, sizeof(line), f))
		fputs(line, stderr);
	if (f)
		fclose(f);
}

static void test_pam_login(void **state)
{
	(void)state;
	PRL_HANDLE s;
	PrlSrv_Create(&s);
	assert_int_equal(login(s, PAM_USER, "not-the-password"), PRL_ERR_AUTHENTICATION_FAILED);
	assert_int_equal(login(s, "no-such-user-openprl", PAM_PASSWORD),
			 PRL_ERR_AUTHENTICATION_FAILED);
	PRL_RESULT rc = login(s, PAM_USER, PAM_PASSWORD);
	if (rc != PRL_ERR_SUCCESS) {
		/* Seen once in a loaded TSan run, never reproduced: show what
		 * PAM said, and try once more (a broken PAM login fails both). */
		dump_log();
		fprintf(stderr, "test_pam: WARNING: the right password was refused "
			"(0x%x); one more try\n", (unsigned)rc);
		sleep(2);
		rc = login(s, PAM_USER, PAM_PASSWORD);
	}
	assert_int_equal(rc, PRL_ERR_SUCCESS);
	PRL_HANDLE j = PrlSrv_Logoff(s);
	PrlJob_Wait(j, 10000);
	PrlHandle_Free(j);
	PrlHandle_Free(s);
}

int main(void)
{
	if (geteuid() != 0) {
		const char *ci = getenv("CI");
		fprintf(stderr, "test_pam: needs root to create a system user\n");
		return ci && !strcmp(ci, "true") ? 1 : 77;
	}
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_pam_login) };
	return cmocka_run_group_tests_name("pam", tests, setup, teardown);
}
