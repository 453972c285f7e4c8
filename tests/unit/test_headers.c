/*
 * test_headers.c — keeps the public headers and src/lib/exports.def in step.
 *
 * Compile time: the PRL_*_METHOD_DECL macros are wrapped so that each
 * declaration in the headers also defines an enum constant decl_<Name>
 * numbered with __COUNTER__.  Then, for every line of exports.def, we (1)
 * spell a call with the
 * line's bad-call arguments inside __typeof__, which type-checks the
 * argument count and kinds against the real prototype without calling
 * anything, (2) require the return type its kind promises (PRL_RESULT for S
 * and N, PRL_HANDLE for A), and (3) take sizeof(&Name) and sizeof(Name_Ptr),
 * and use decl_<Name>, so a name that is not declared through the macros
 * fails to compile.  Finally the number of declarations must equal the
 * number of exports: together with the unique names, the headers and
 * exports.def hold exactly the same set.  Nothing is called or referenced,
 * so this test does not link against libprl_sdk.
 *
 * Run time: the table built from exports.def has the expected size, unique
 * names and valid kinds, and the header-only SdkWrap functions behave as
 * SdkWrap.h documents.  Exit status 0 on success, 1 on the first failure.
 */
#include <stdio.h>
#include <string.h>

#include "PrlTypes.h"

/* Same expansion as PrlTypes.h, plus one numbered enum constant per name. */
#undef PRL_METHOD_DECL
#undef PRL_SRV_METHOD_DECL
#undef PRL_ASYNC_METHOD_DECL
#undef PRL_ASYNC_SRV_METHOD_DECL
#define PRL_METHOD_DECL(version, name, args)                                 \
	PRL_METHOD(name) args;                                               \
	typedef PRL_METHOD_PTR(name##_Ptr) args;                             \
	enum { decl_##name = __COUNTER__ };
#define PRL_ASYNC_METHOD_DECL(version, name, args)                           \
	PRL_ASYNC_METHOD(name) args;                                         \
	typedef PRL_ASYNC_METHOD_PTR(name##_Ptr) args;                       \
	enum { decl_##name = __COUNTER__ };
#define PRL_SRV_METHOD_DECL(version, name, args) PRL_METHOD_DECL(version, name, args)
#define PRL_ASYNC_SRV_METHOD_DECL(version, name, args) \
	PRL_ASYNC_METHOD_DECL(version, name, args)

#include "Parallels.h"
#include "Virtuozzo.h"
#include "SdkWrap.h"

/* __COUNTER__ has been used once per declaration so far. */
enum { N_DECLARED = __COUNTER__ };

/* The number of PRL_EXPORT lines; change it together with exports.def. */
#define EXPECTED_EXPORTS 362

/* ---- Compile-time facts about the umbrella headers --------------------- */

#if !defined(PARALLELS_API_VER) || !defined(VIRTUOZZO_API_VER)
#error "Parallels.h / Virtuozzo.h must define PARALLELS_API_VER and VIRTUOZZO_API_VER"
#endif
#if !defined(PARALLELS_API_VER_1) || !defined(PARALLELS_API_VER_7) || \
    !defined(VIRTUOZZO_API_VER_1) || !defined(VIRTUOZZO_API_VER_7)
#error "the version arguments used by the headers must be defined"
#endif
#if !defined(PRL_RESULT_TO_STRING) || !defined(PRL_HANDLE_TYPE_TO_STRING) || \
    !defined(PRL_EVENT_TYPE_TO_STRING) || !defined(SDK_LIB_NAME)
#error "SdkWrap.h must define the PRL_*_TO_STRING macros and SDK_LIB_NAME"
#endif

_Static_assert(PARALLELS_API_VER == VIRTUOZZO_API_VER, "one version, two names");
_Static_assert(sizeof(&prl_result_to_string) + sizeof(&handle_type_to_string) +
	       sizeof(&event_type_to_string) > 0, "readable-name helpers are declared");
_Static_assert(sizeof(PRL_GET_VM_CONFIG_PARAM_DATA) ==
	       sizeof(PRL_VM_TYPE) + sizeof(PRL_CONST_STR) + sizeof(PRL_UINT32),
	       "PRL_GET_VM_CONFIG_PARAM_DATA is packed");

/* ---- Bad-call argument spellings, as exports.def defines them ----------- */

static PRL_RESULT dummy_handler(PRL_HANDLE hEvent, PRL_VOID_PTR data)
{
	(void)hEvent;
	(void)data;
	return PRL_ERR_SUCCESS;
}

#define H ((PRL_HANDLE)0)
#define P ((void *)0)
#define S "x"
#define E dummy_handler
#define F ((PRL_FILE_DESC)-1)

/* What each kind must return. */
#define KIND_RET_S PRL_RESULT
#define KIND_RET_N PRL_RESULT
#define KIND_RET_A PRL_HANDLE

/* (1)+(2): the call type-checks and returns what its kind says. */
#define PRL_EXPORT(kind, name, args)                                        \
	_Static_assert(__builtin_types_compatible_p(__typeof__(name args),  \
						    KIND_RET_##kind),        \
		       #name ": return type does not match kind " #kind);
#include "../../src/lib/exports.def"
#undef PRL_EXPORT

/* (3) and the run-time table. */
struct export_row {
	const char *name;
	const char *kind;
	size_t fn_size;         /* sizeof(&Name): Name is declared */
	size_t ptr_size;        /* sizeof(Name_Ptr): declared through the macros */
	int decl_no;            /* decl_<Name>: ditto, and counted */
};

static const struct export_row exports[] = {
#define PRL_EXPORT(kind, name, args) \
	{ #name, #kind, sizeof(&name), sizeof(name##_Ptr), decl_##name },
#include "../../src/lib/exports.def"
#undef PRL_EXPORT
};

#define N_EXPORTS (sizeof(exports) / sizeof(exports[0]))
_Static_assert(N_EXPORTS == EXPECTED_EXPORTS, "exports.def line count changed");
_Static_assert(N_DECLARED == EXPECTED_EXPORTS,
	       "the headers declare a function that exports.def does not list");

/* ---- Run-time checks ------------------------------------------------------ */

static int failures;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
			failures++;                                          \
		}                                                            \
	} while (0)

static int valid_kind(const char *k)
{
	return !strcmp(k, "S") || !strcmp(k, "A") || !strcmp(k, "N");
}

static void check_table(void)
{
	size_t i, j, n_async = 0;

	for (i = 0; i < N_EXPORTS; i++) {
		const struct export_row *r = &exports[i];

		CHECK(!strncmp(r->name, "Prl", 3) && strchr(r->name, '_'));
		CHECK(valid_kind(r->kind));
		CHECK(r->fn_size > 0 && r->ptr_size == r->fn_size);
		CHECK(r->decl_no >= 0 && r->decl_no < N_DECLARED);
		n_async += !strcmp(r->kind, "A");
		for (j = i + 1; j < N_EXPORTS; j++)
			if (!strcmp(r->name, exports[j].name)) {
				fprintf(stderr, "duplicate export %s\n", r->name);
				failures++;
			}
	}
	/* The core surface alone has 66 async functions. */
	CHECK(n_async >= 66 && n_async < N_EXPORTS);
}

static void check_sdkwrap(void)
{
	CHECK(!strcmp(SDK_LIB_NAME, "libprl_sdk.so"));
	CHECK(!SdkWrap_IsLoaded());
	CHECK(SdkWrap_Load(NULL) == PRL_ERR_INVALID_ARG);
	CHECK(!SdkWrap_IsLoaded());
	CHECK(SdkWrap_Load(SDK_LIB_NAME) == PRL_ERR_SUCCESS);
	CHECK(SdkWrap_IsLoaded());
	CHECK(SdkWrap_Unload() == PRL_ERR_SUCCESS);
	CHECK(!SdkWrap_IsLoaded());
	CHECK(SdkWrap_LoadLibFromStdPaths() == PRL_TRUE);
	CHECK(SdkWrap_IsLoaded());
	CHECK(SdkWrap_Unload() == PRL_ERR_SUCCESS);
}

int main(void)
{
	CHECK(dummy_handler(H, P) == PRL_ERR_SUCCESS);  /* E is a real handler */
	check_table();
	check_sdkwrap();
	if (failures) {
		fprintf(stderr, "test_headers: %d check(s) failed\n", failures);
		return 1;
	}
	printf("test_headers: %zu exports checked against the headers\n", N_EXPORTS);
	printf("1 passed, 0 failed\n");
	return 0;
}
