/*
 * SdkWrap.h — source compatibility for programs written against the SDK's
 * run-time loader: SdkWrap_Load / SdkWrap_Unload / SdkWrap_IsLoaded,
 * SDK_LIB_NAME, and the readable-name helpers prl_result_to_string(),
 * handle_type_to_string(), event_type_to_string() with their
 * PRL_*_TO_STRING() macro spellings.  Works in C and C++.
 *
 * The SDK's wrapper dlopen()s the library and calls through function
 * pointers (a -DDYN_API_WRAP build).  An OpenPRL program links libprl_sdk
 * directly instead, so the library is already mapped when main() runs.
 * SdkWrap_Load therefore loads nothing: it checks its argument, remembers
 * that the program asked for the SDK and succeeds.  We chose not to dlopen()
 * the given name as a check, because an unversioned name ("libprl_sdk.so")
 * may be absent at run time even though the program runs fine, and a
 * failing Load makes the guide's samples exit early.  The loaded flag lives
 * in a static variable, one per translation unit, which is all the
 * single-file samples this header serves need.  The DYN_API_WRAP build is
 * not supported.
 *
 * The three helpers are defined in PrlApiCore.h (the SDK also defines them
 * there); this header adds the macros.  Everything here is header-only.
 */
#ifndef OPENPRL_SDKWRAP_H
#define OPENPRL_SDKWRAP_H

#ifdef DYN_API_WRAP
#error "OpenPRL: link libprl_sdk directly; the DYN_API_WRAP function-pointer build is not supported"
#endif

#include "Parallels.h"

/* The file name SDK programs pass to SdkWrap_Load. */
#ifndef SDK_LIB_NAME
# if defined(_WIN_)
#  define SDK_LIB_NAME "prl_sdk.dll"
# elif defined(__APPLE__)
#  define SDK_LIB_NAME "libprl_sdk.dylib"
# else
#  define SDK_LIB_NAME "libprl_sdk.so"
# endif
#endif

/* The SDK's C++ wrapper takes a trailing "debug mode" flag; C has no default
 * arguments, so C callers pass the name only. */
#ifdef __cplusplus
# define SDKWRAP__DEBUG_FLAG      , bool = false
# define SDKWRAP__DEBUG_FLAG_ONLY bool = false
#else
# define SDKWRAP__DEBUG_FLAG
# define SDKWRAP__DEBUG_FLAG_ONLY void
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The per-translation-unit "loaded" flag (a function-local static, so a
 * program that never calls these functions gets no unused-variable warning). */
static inline PRL_BOOL *sdkwrap__loaded(void)
{
	static PRL_BOOL loaded = PRL_FALSE;

	return &loaded;
}

/* Records that the program asked for the SDK; the library is linked, so this
 * only fails for a NULL name (PRL_ERR_INVALID_ARG). */
static inline PRL_RESULT SdkWrap_Load(PRL_CONST_STR name SDKWRAP__DEBUG_FLAG)
{
	if (!name)
		return PRL_ERR_INVALID_ARG;
	*sdkwrap__loaded() = PRL_TRUE;
	return PRL_ERR_SUCCESS;
}

/* Same as SdkWrap_Load(SDK_LIB_NAME); returns PRL_TRUE. */
static inline PRL_BOOL SdkWrap_LoadLibFromStdPaths(SDKWRAP__DEBUG_FLAG_ONLY)
{
	*sdkwrap__loaded() = PRL_TRUE;
	return PRL_TRUE;
}

/* Forgets the Load; always succeeds (the linked library stays mapped). */
static inline PRL_RESULT SdkWrap_Unload(void)
{
	*sdkwrap__loaded() = PRL_FALSE;
	return PRL_ERR_SUCCESS;
}

/* Tells whether SdkWrap_Load succeeded since the last SdkWrap_Unload. */
static inline PRL_BOOL SdkWrap_IsLoaded(void)
{
	return *sdkwrap__loaded();
}

#ifdef __cplusplus
}
#endif

/* Macro spellings used by the SDK's reference pages. */
#ifndef PRL_RESULT_TO_STRING
# define PRL_RESULT_TO_STRING(x)      prl_result_to_string(x)
#endif
#ifndef PRL_HANDLE_TYPE_TO_STRING
# define PRL_HANDLE_TYPE_TO_STRING(x) handle_type_to_string(x)
#endif
#ifndef PRL_EVENT_TYPE_TO_STRING
# define PRL_EVENT_TYPE_TO_STRING(x)  event_type_to_string(x)
#endif

#endif /* OPENPRL_SDKWRAP_H */
