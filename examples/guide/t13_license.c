/*
 * t13_license.c — guide task T13: ask the dispatcher for its license.
 *
 * PrlSrv_GetLicenseInfo is asynchronous; its result holds a PHT_LICENSE
 * handle.  OpenPRL has no licensing, so the dispatcher may refuse: the
 * program prints what it got either way and exits 0 only on success.
 *
 * Usage: t13_license
 */
#include "guide.h"

int main(void)
{
	PRL_HANDLE hServer = guide_login(), hResult = PRL_INVALID_HANDLE, hLic;
	if (hServer == PRL_INVALID_HANDLE)
		return 1;
	PRL_RESULT ret = guide_wait(PrlSrv_GetLicenseInfo(hServer), 10000,
				    "PrlSrv_GetLicenseInfo", &hResult);
	if (PRL_SUCCEEDED(ret) && PRL_SUCCEEDED(PrlResult_GetParam(hResult, &hLic))) {
		PRL_HANDLE_TYPE t;
		PrlHandle_GetType(hLic, &t);
		printf("License information: %s\n", handle_type_to_string(t));
		PrlHandle_Free(hLic);
	} else {
		printf("No license information: %s\n", prl_result_to_string(ret));
	}
	if (hResult != PRL_INVALID_HANDLE)
		PrlHandle_Free(hResult);
	guide_logoff(hServer);
	return PRL_SUCCEEDED(ret) ? 0 : 1;
}
