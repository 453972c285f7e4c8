/*
 * test_headers_cpp.cpp — the public headers compile as C++ (the SDK's own
 * clients, prlctl among them, are C++ programs).
 *
 * Includes Virtuozzo.h and SdkWrap.h, checks a few prototypes with decltype
 * and runs the header-only SdkWrap functions, including the C++-only
 * debug-flag argument.  Nothing from libprl_sdk is called, so it needs no
 * linking against the library.  Exit status 0 on success.
 */
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "Virtuozzo.h"
#include "SdkWrap.h"

static_assert(std::is_same<decltype(PrlVm_StartEx(nullptr, 0, 0)), PRL_HANDLE>::value,
	      "async functions return a job handle");
static_assert(std::is_same<decltype(PrlHandle_Free(nullptr)), PRL_RESULT>::value,
	      "sync functions return PRL_RESULT");
static_assert(std::is_same<PrlJob_Wait_Ptr, PRL_RESULT (*)(PRL_HANDLE, PRL_UINT32)>::value,
	      "the _Ptr typedefs match the prototypes");
static_assert(PARALLELS_API_VER == VIRTUOZZO_API_VER, "one version, two names");

int main()
{
	int bad = 0;

	bad += SdkWrap_Load(SDK_LIB_NAME) != PRL_ERR_SUCCESS;
	bad += !SdkWrap_IsLoaded();
	bad += SdkWrap_Load(SDK_LIB_NAME, true) != PRL_ERR_SUCCESS;
	bad += SdkWrap_Load(nullptr) != PRL_ERR_INVALID_ARG;
	bad += SdkWrap_Unload() != PRL_ERR_SUCCESS;
	bad += SdkWrap_IsLoaded() != PRL_FALSE;
	bad += SdkWrap_LoadLibFromStdPaths(false) != PRL_TRUE;
	bad += std::strcmp(SDK_LIB_NAME, "libprl_sdk.so") != 0;
	if (bad) {
		std::fprintf(stderr, "test_headers_cpp: %d check(s) failed\n", bad);
		return 1;
	}
	std::printf("1 passed, 0 failed\n");
	return 0;
}
