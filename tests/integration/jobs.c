/*
 * jobs.c — see jobs.h.
 */
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
