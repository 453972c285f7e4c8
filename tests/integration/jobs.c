/*
 * jobs.c — see jobs.h.
 */
#include <stddef.h>
#include <stdio.h>

#include "jobs.h"

PRL_RESULT test_job(PRL_HANDLE job, PRL_HANDLE *result)
{
	PRL_RESULT rc = PRL_ERR_TIMEOUT;
	if (result)
		*result = PRL_INVALID_HANDLE;
	if (PrlJob_Wait(job, 30000) == PRL_ERR_SUCCESS)
		PrlJob_GetRetCode(job, &rc);
	if (result && PRL_SUCCEEDED(rc))
		PrlJob_GetResult(job, result);
	PrlHandle_Free(job);
	return rc;
}

int it_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

PRL_HANDLE it_login_local(void)
{
	PRL_HANDLE s = PRL_INVALID_HANDLE;
	if (PrlSrv_Create(&s) != PRL_ERR_SUCCESS)
		return PRL_INVALID_HANDLE;
	if (test_job(PrlSrv_LoginLocal(s, NULL, 0, PSL_HIGH_SECURITY), NULL) != PRL_ERR_SUCCESS) {
		PrlHandle_Free(s);
		return PRL_INVALID_HANDLE;
	}
	return s;
}

PRL_RESULT it_logoff(PRL_HANDLE s)
{
	PRL_RESULT rc = test_job(PrlSrv_Logoff(s), NULL);
	PrlHandle_Free(s);
	return rc;
}

int test_env_up(test_disp *d, const char *const *extra, int (*prepare)(test_disp *d))
{
	if (PrlApi_InitEx(VIRTUOZZO_API_VER, PAM_SERVER, 0, 0))
		return -1;
	return test_disp_start_with(d, extra, prepare);
}

int test_env_down(test_disp *d, int check_handles)
{
	test_disp_cleanup(d);
	PRL_UINT32 n = 0;
	if (check_handles)
		PrlDbg_GetHandlesNum(&n, PHT_ERROR);
	PrlApi_Deinit();
	if (n)
		fprintf(stderr, "%u handle(s) still alive\n", n);
	return n ? -1 : 0;
}
