/*
 * test_handle.c — the handle table and the library lifecycle: references,
 * stale/forged/wrong-typed handles, counting, threads, a million handles,
 * reference-counted init and the PRL_SDK_DEBUG_HANDLES leak report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "Parallels.h"
#include "core.h"

static int setup(void **state)
{
	(void)state;
	return PrlApi_InitEx(VIRTUOZZO_API_VER, PAM_SERVER, 0, 0) == PRL_ERR_SUCCESS ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	PRL_UINT32 n = 99;
	PrlDbg_GetHandlesNum(&n, PHT_ERROR);
	PrlApi_Deinit();
	return n == 0 ? 0 : -1;
}

static void test_not_initialized(void **state)
{
	(void)state;
	PRL_HANDLE h = PRL_INVALID_HANDLE;
	assert_int_equal(PrlApi_CreateStringsList(&h), PRL_ERR_API_WASNT_INITIALIZED);
	assert_int_equal(PrlHandle_Free((PRL_HANDLE)(uintptr_t)1), PRL_ERR_API_WASNT_INITIALIZED);
	assert_int_equal(PrlApi_Deinit(), PRL_ERR_API_WASNT_INITIALIZED);
	assert_int_equal(PrlApi_InitEx(VIRTUOZZO_API_VER + 0x10000, PAM_SERVER, 0, 0),
			 PRL_ERR_API_INCOMPATIBLE);
}

static void test_init_refcounted(void **state)
{
	(void)state;
	assert_int_equal(PrlApi_Init(VIRTUOZZO_API_VER), PRL_ERR_SUCCESS);
	assert_int_equal(PrlApi_Deinit(), PRL_ERR_SUCCESS);
	PRL_HANDLE h;
	/* Still initialised: setup's init is outstanding. */
	assert_int_equal(PrlApi_CreateStringsList(&h), PRL_ERR_SUCCESS);
	assert_int_equal(PrlHandle_Free(h), PRL_ERR_SUCCESS);
	PRL_UINT32 v = 0;
	assert_int_equal(PrlApi_GetVersion(&v), PRL_ERR_SUCCESS);
	assert_int_equal(v, VIRTUOZZO_API_VER);
}

static void test_refs(void **state)
{
	(void)state;
	PRL_HANDLE h;
	PRL_HANDLE_TYPE t = PHT_ERROR;
	assert_int_equal(PrlApi_CreateStringsList(&h), PRL_ERR_SUCCESS);
	assert_int_equal(PrlHandle_GetType(h, &t), PRL_ERR_SUCCESS);
	assert_int_equal(t, PHT_STRINGS_LIST);
	assert_int_equal(PrlHandle_AddRef(h), PRL_ERR_SUCCESS);
	assert_int_equal(PrlHandle_Free(h), PRL_ERR_SUCCESS);
	assert_int_equal(PrlHandle_GetType(h, &t), PRL_ERR_SUCCESS);   /* one ref left */
	assert_int_equal(PrlHandle_Free(h), PRL_ERR_SUCCESS);
	assert_int_equal(PrlHandle_Free(h), PRL_ERR_INVALID_ARG);      /* double free */
	assert_int_equal(PrlHandle_GetType(h, &t), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlHandle_AddRef(h), PRL_ERR_INVALID_ARG);
}

static void test_stale_handle_after_reuse(void **state)
{
	(void)state;
	PRL_HANDLE a, b;
	assert_int_equal(PrlApi_CreateStringsList(&a), PRL_ERR_SUCCESS);
	assert_int_equal(PrlHandle_Free(a), PRL_ERR_SUCCESS);
	assert_int_equal(PrlApi_CreateHandlesList(&b), PRL_ERR_SUCCESS);
	/* The freed slot is reused with a new generation: the old value is dead. */
	assert_true(((uintptr_t)a & 0xffffffffu) == ((uintptr_t)b & 0xffffffffu));
	assert_ptr_not_equal(a, b);
	assert_int_equal(PrlStrList_AddItem(a, "x"), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlHandle_Free(a), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlHandle_Free(b), PRL_ERR_SUCCESS);
}

static void test_forged_and_wrong_type(void **state)
{
	(void)state;
	PRL_HANDLE_TYPE t;
	uintptr_t forged[] = { 0, 1, 0xFACE, 0xdeadbeef, UINTPTR_MAX, (uintptr_t)-2,
			       0x100000001ull, (uintptr_t)&t };
	for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		assert_int_equal(PrlHandle_GetType((PRL_HANDLE)forged[i], &t), PRL_ERR_INVALID_ARG);
		assert_int_equal(PrlHandle_Free((PRL_HANDLE)forged[i]), PRL_ERR_INVALID_ARG);
	}
	srand(7);
	for (int i = 0; i < 100000; i++) {
		uintptr_t r = ((uintptr_t)rand() << 33) ^ ((uintptr_t)rand() << 2) ^ (uintptr_t)rand();
		assert_int_equal(PrlHandle_AddRef((PRL_HANDLE)r), PRL_ERR_INVALID_ARG);
	}
	PRL_HANDLE l;
	assert_int_equal(PrlApi_CreateHandlesList(&l), PRL_ERR_SUCCESS);
	assert_int_equal(PrlStrList_AddItem(l, "x"), PRL_ERR_INVALID_ARG);  /* wrong type */
	assert_int_equal(PrlHandle_GetType(l, NULL), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlHandle_Free(l), PRL_ERR_SUCCESS);
}

static void test_counts(void **state)
{
	(void)state;
	PRL_UINT32 all0, s0, n;
	assert_int_equal(PrlDbg_GetHandlesNum(&all0, PHT_ERROR), PRL_ERR_SUCCESS);
	assert_int_equal(PrlDbg_GetHandlesNum(&s0, PHT_STRINGS_LIST), PRL_ERR_SUCCESS);
	PRL_HANDLE h[10];
	for (int i = 0; i < 10; i++)
		assert_int_equal(PrlApi_CreateStringsList(&h[i]), PRL_ERR_SUCCESS);
	PrlDbg_GetHandlesNum(&n, PHT_STRINGS_LIST);
	assert_int_equal(n, s0 + 10);
	PrlDbg_GetHandlesNum(&n, PHT_HANDLES_LIST);
	assert_int_equal(n, 0);
	for (int i = 0; i < 10; i++)
		PrlHandle_Free(h[i]);
	PrlDbg_GetHandlesNum(&n, PHT_ERROR);
	assert_int_equal(n, all0);
	assert_int_equal(PrlDbg_GetHandlesNum(NULL, PHT_ERROR), PRL_ERR_INVALID_ARG);
}

struct hammer { PRL_HANDLE h; int iters; };

static void *hammer_main(void *arg)
{
	struct hammer *hm = arg;
	for (int i = 0; i < hm->iters; i++) {
		if (PrlHandle_AddRef(hm->h) != PRL_ERR_SUCCESS ||
		    PrlHandle_Free(hm->h) != PRL_ERR_SUCCESS)
			return (void *)1;
	}
	return NULL;
}

static void test_threads_share_handle(void **state)
{
	(void)state;
	PRL_HANDLE h;
	assert_int_equal(PrlApi_CreateStringsList(&h), PRL_ERR_SUCCESS);
	pthread_t t[4];
	struct hammer hm = { h, 50000 };
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, hammer_main, &hm);
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		assert_null(r);
	}
	assert_int_equal(PrlHandle_Free(h), PRL_ERR_SUCCESS);
	assert_int_equal(PrlHandle_Free(h), PRL_ERR_INVALID_ARG);
}

/* Threads racing to free the same handles: exactly one Free per extra
 * reference succeeds, the rest are refused, nothing crashes. */
static void *racer_main(void *arg)
{
	PRL_HANDLE *hs = arg;
	long ok = 0;
	for (int i = 0; i < 1000; i++)
		ok += PrlHandle_Free(hs[i]) == PRL_ERR_SUCCESS;
	return (void *)ok;
}

static void test_racing_frees(void **state)
{
	(void)state;
	static PRL_HANDLE hs[1000];
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(PrlApi_CreateStringsList(&hs[i]), PRL_ERR_SUCCESS);
		PrlHandle_AddRef(hs[i]);                  /* two references each */
	}
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, racer_main, hs);
	long total = 0;
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		total += (long)r;
	}
	assert_int_equal(total, 2000);
}

static void test_million_handles(void **state)
{
	(void)state;
	enum { N = 1000000 };
	PRL_HANDLE *hs = malloc(sizeof(*hs) * N);
	assert_non_null(hs);
	for (int i = 0; i < N; i++)
		assert_int_equal(PrlApi_CreateStringsList(&hs[i]), PRL_ERR_SUCCESS);
	PRL_UINT32 n;
	PrlDbg_GetHandlesNum(&n, PHT_STRINGS_LIST);
	assert_int_equal(n, N);
	PRL_HANDLE_TYPE t;
	assert_int_equal(PrlHandle_GetType(hs[N / 2], &t), PRL_ERR_SUCCESS);
	for (int i = 0; i < N; i++)
		assert_int_equal(PrlHandle_Free(hs[i]), PRL_ERR_SUCCESS);
	PrlDbg_GetHandlesNum(&n, PHT_STRINGS_LIST);
	assert_int_equal(n, 0);
	free(hs);
}

/* PRL_SDK_DEBUG_HANDLES=1: Deinit names the leaked handle and where it was
 * made.  Run in a child so its leak does not disturb this process. */
static void test_debug_handles_report(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 2);
		setenv("PRL_SDK_DEBUG_HANDLES", "1", 1);
		while (PrlApi_Deinit() == PRL_ERR_SUCCESS)
			;
		PrlApi_InitEx(VIRTUOZZO_API_VER, PAM_SERVER, 0, 0);
		PRL_HANDLE h;
		PrlApi_CreateHandlesList(&h);
		PrlApi_Deinit();
		_exit(0);
	}
	close(fds[1]);
	char buf[8192] = "";
	size_t got = 0;
	ssize_t r;
	while ((r = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)r;
	close(fds[0]);
	waitpid(pid, NULL, 0);
	assert_non_null(strstr(buf, "1 handle(s) still alive"));
	assert_non_null(strstr(buf, "PHT_HANDLES_LIST"));
	assert_non_null(strstr(buf, "test_handle"));       /* the backtrace */
}

int main(void)
{
	const struct CMUnitTest before[] = {
		cmocka_unit_test(test_not_initialized),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_refcounted),
		cmocka_unit_test(test_refs),
		cmocka_unit_test(test_stale_handle_after_reuse),
		cmocka_unit_test(test_forged_and_wrong_type),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_threads_share_handle),
		cmocka_unit_test(test_racing_frees),
		cmocka_unit_test(test_million_handles),
		cmocka_unit_test(test_debug_handles_report),
	};
	int rc = cmocka_run_group_tests_name("uninitialised", before, NULL, NULL);
	return rc | cmocka_run_group_tests_name("handles", tests, setup, teardown);
}
