/*
 * test_crash_disp.c — kill -9 of the real dispatcher at random instants while
 * a client creates, commits, clones and deletes VMs through the public API.
 *
 * A client thread performs one operation at a time and keeps a model of what
 * the dispatcher acknowledged (a job that finished with success).  The main
 * thread kills the dispatcher with SIGKILL after a random delay, waits for
 * the client to see the connection close, restarts the dispatcher on the same
 * state directory and compares the VM list with the model: every
 * acknowledged change is there; the one operation in flight at the kill may
 * have happened or not, but nothing else differs; every listed VM has a
 * configuration that reads back valid (never a half-written one).  Then the
 * model takes the listing as its new truth and the next round begins.
 *
 * Rounds: $PRL_CRASH_ROUNDS (default 200).
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "Parallels.h"
#include "dispatcher.h"
#include "jobs.h"

#define MAX_VMS 64
#define NAME_LEN 32
#define DESC_LEN 32

typedef struct vm_model {
	char name[NAME_LEN];
	char desc[DESC_LEN];
	int exists;
} vm_model;

typedef enum { OP_NONE, OP_CREATE, OP_COMMIT, OP_CLONE, OP_DELETE } op_kind;

typedef struct world {
	vm_model vms[MAX_VMS];
	int n;
	/* The operation in flight: it may or may not have happened. */
	op_kind op;
	char op_name[NAME_LEN];          /* the VM created, edited or deleted */
	char op_desc[DESC_LEN];          /* commit: the new description */
	int next_id;
	unsigned seed;
	long acked;
} world;

static test_disp disp;
static world w;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static vm_model *find(const char *name)
{
	for (int i = 0; i < w.n; i++)
		if (!strcmp(w.vms[i].name, name))
			return &w.vms[i];
	return NULL;
}

static vm_model *add_vm(const char *name)
{
	vm_model *v = find(name);
	for (int i = 0; !v && i < w.n; i++)
		if (!w.vms[i].exists && !(w.op != OP_NONE && !strcmp(w.vms[i].name, w.op_name)))
			v = &w.vms[i];                  /* reuse a deleted VM's slot */
	if (!v && w.n < MAX_VMS)
		v = &w.vms[w.n++];
	if (v) {
		snprintf(v->name, sizeof(v->name), "%.*s", NAME_LEN - 1, name);
		v->desc[0] = 0;
		v->exists = 1;
	}
	return v;
}

static int existing_count(void)
{
	int k = 0;
	for (int i = 0; i < w.n; i++)
		k += w.vms[i].exists;
	return k;
}

static vm_model *random_existing(void)
{
	int k = existing_count();
	if (!k)
		return NULL;
	int pick = (int)(rand_r(&w.seed) % (unsigned)k);
	for (int i = 0; i < w.n; i++)
		if (w.vms[i].exists && pick-- == 0)
			return &w.vms[i];
	return NULL;
}

/* ---- the client ----------------------------------------------------------------- */

static PRL_HANDLE vm_by_name(PRL_HANDLE s, const char *name, PRL_RESULT *rc)
{
	PRL_HANDLE res, vm = PRL_INVALID_HANDLE;
	*rc = test_job(PrlSrv_GetVmConfig(s, name, 0), &res);
	if (PRL_SUCCEEDED(*rc)) {
		PrlResult_GetParam(res, &vm);
		PrlHandle_Free(res);
	}
	return vm;
}

static PRL_RESULT do_create(PRL_HANDLE s, const char *name)
{
	PRL_HANDLE vm;
	PRL_RESULT rc = PrlSrv_CreateVm(s, &vm);
	if (rc)
		return rc;
	PrlVmCfg_SetName(vm, name);
	PrlVmCfg_SetRamSize(vm, 128);
	PrlVmCfg_SetCpuCount(vm, 1);
	rc = test_job(PrlVm_Reg(vm, "", PRL_TRUE), NULL);
	PrlHandle_Free(vm);
	return rc;
}

static PRL_RESULT do_commit(PRL_HANDLE s, const char *name, const char *desc)
{
	PRL_RESULT rc;
	PRL_HANDLE vm = vm_by_name(s, name, &rc);
	if (!vm)
		return rc;
	rc = test_job(PrlVm_BeginEdit(vm), NULL);
	if (PRL_SUCCEEDED(rc)) {
		PrlVmCfg_SetDescription(vm, desc);
		rc = test_job(PrlVm_Commit(vm), NULL);
	}
	PrlHandle_Free(vm);
	return rc;
}

static PRL_RESULT do_clone(PRL_HANDLE s, const char *src, const char *name)
{
	PRL_RESULT rc;
	PRL_HANDLE vm = vm_by_name(s, src, &rc);
	if (!vm)
		return rc;
	rc = test_job(PrlVm_Clone(vm, name, "", PRL_FALSE), NULL);
	PrlHandle_Free(vm);
	return rc;
}

static PRL_RESULT do_delete(PRL_HANDLE s, const char *name)
{
	PRL_RESULT rc;
	PRL_HANDLE vm = vm_by_name(s, name, &rc);
	if (!vm)
		return rc;
	rc = test_job(PrlVm_Delete(vm, PRL_INVALID_HANDLE), NULL);
	PrlHandle_Free(vm);
	return rc;
}

/* Chooses the next operation and records it as in flight (mu held). */
static void choose(void)
{
	vm_model *v = random_existing();
	unsigned r = rand_r(&w.seed) % 10;
	w.op_desc[0] = 0;
	if (!v || (r < 3 && existing_count() < 8)) {
		w.op = OP_CREATE;
		snprintf(w.op_name, sizeof(w.op_name), "vm%d", w.next_id++);
	} else if (r < 7) {
		w.op = OP_COMMIT;
		snprintf(w.op_name, sizeof(w.op_name), "%s", v->name);
		snprintf(w.op_desc, sizeof(w.op_desc), "edit-%u", rand_r(&w.seed));
	} else if (r < 8 && existing_count() < 8) {
		w.op = OP_CLONE;
		snprintf(w.op_desc, sizeof(w.op_desc), "%s", v->name);   /* source */
		snprintf(w.op_name, sizeof(w.op_name), "vm%d", w.next_id++);
	} else {
		w.op = OP_DELETE;
		snprintf(w.op_name, sizeof(w.op_name), "%s", v->name);
	}
}

/* Applies the acknowledged operation to the model (mu held). */
static void acknowledge(void)
{
	vm_model *v;
	switch (w.op) {
	case OP_CREATE:
		add_vm(w.op_name);
		break;
	case OP_CLONE:
		v = find(w.op_desc);
		vm_model *c = add_vm(w.op_name);
		if (v && c)
			snprintf(c->desc, sizeof(c->desc), "%s", v->desc);
		break;
	case OP_COMMIT:
		if ((v = find(w.op_name)))
			snprintf(v->desc, sizeof(v->desc), "%s", w.op_desc);
		break;
	case OP_DELETE:
		if ((v = find(w.op_name)))
			v->exists = 0;
		break;
	default:
		break;
	}
	w.op = OP_NONE;
	w.acked++;
}

static PRL_RESULT perform(PRL_HANDLE s, op_kind op, const char *name, const char *desc)
{
	switch (op) {
	case OP_CREATE: return do_create(s, name);
	case OP_COMMIT: return do_commit(s, name, desc);
	case OP_CLONE: return do_clone(s, desc, name);
	case OP_DELETE: return do_delete(s, name);
	default: return PRL_ERR_SUCCESS;
	}
}

/* Runs operations until the connection breaks. */
static void *client_main(void *arg)
{
	PRL_HANDLE s = *(PRL_HANDLE *)arg;
	for (;;) {
		pthread_mutex_lock(&mu);
		choose();
		op_kind op = w.op;
		char name[NAME_LEN], desc[DESC_LEN];
		memcpy(name, w.op_name, sizeof(name));
		memcpy(desc, w.op_desc, sizeof(desc));
		pthread_mutex_unlock(&mu);
		PRL_RESULT rc = perform(s, op, name, desc);
		pthread_mutex_lock(&mu);
		if (rc == PRL_ERR_SUCCESS)
			acknowledge();
		pthread_mutex_unlock(&mu);
		if (rc == PRL_ERR_WS_DISP_CONNECTION_CLOSED ||
		    rc == PRL_ERR_NOT_CONNECTED_TO_DISPATCHER || rc == PRL_ERR_TIMEOUT)
			break;
		if (rc != PRL_ERR_SUCCESS) {
			fprintf(stderr, "unexpected result 0x%08X for op %d on %s\n",
				(unsigned)rc, op, name);
			pthread_mutex_lock(&mu);
			w.op = OP_NONE;                      /* refused: nothing happened */
			pthread_mutex_unlock(&mu);
		}
	}
	return NULL;
}

/* ---- checking ------------------------------------------------------------------- */

typedef struct listed {
	char name[NAME_LEN];
	char desc[DESC_LEN];
	int invalid;
} listed;

static int list_vms(PRL_HANDLE s, listed *out, int max)
{
	PRL_HANDLE res;
	if (test_job(PrlSrv_GetVmList(s), &res))
		return -1;
	PRL_UINT32 n = 0;
	PrlResult_GetParamsCount(res, &n);
	int k = 0;
	for (PRL_UINT32 i = 0; i < n && k < max; i++, k++) {
		PRL_HANDLE vm, info;
		PRL_UINT32 len = NAME_LEN, dlen = DESC_LEN;
		PRL_BOOL inv = PRL_FALSE;
		PrlResult_GetParamByIndex(res, i, &vm);
		out[k].name[0] = out[k].desc[0] = 0;
		PrlVmCfg_GetName(vm, out[k].name, &len);
		PrlVmCfg_GetDescription(vm, out[k].desc, &dlen);
		if (PrlVmCfg_GetVmInfo(vm, &info) == PRL_ERR_SUCCESS) {
			PrlVmInfo_IsInvalid(info, &inv);
			PrlHandle_Free(info);
		}
		out[k].invalid = inv != PRL_FALSE;
		PrlHandle_Free(vm);
	}
	PrlHandle_Free(res);
	return k;
}

static const listed *lookup(const listed *l, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(l[i].name, name))
			return &l[i];
	return NULL;
}

/* May the listing differ from the model for this VM because of the op in
 * flight? */
static int touched(const char *name)
{
	return w.op != OP_NONE && !strcmp(w.op_name, name);
}

static int check_round(const listed *l, int n, int round)
{
	int bad = 0;
	for (int i = 0; i < n; i++) {
		if (l[i].invalid) {
			fprintf(stderr, "round %d: VM %s reads back invalid\n", round, l[i].name);
			bad++;
		}
		vm_model *v = find(l[i].name);
		if ((!v || !v->exists) && !touched(l[i].name)) {
			fprintf(stderr, "round %d: VM %s listed but never acknowledged\n",
				round, l[i].name);
			bad++;
		} else if (v && v->exists && strcmp(v->desc, l[i].desc) && !touched(l[i].name)) {
			fprintf(stderr, "round %d: VM %s has description '%s', acknowledged '%s'\n",
				round, l[i].name, l[i].desc, v->desc);
			bad++;
		}
	}
	for (int i = 0; i < w.n; i++) {
		if (w.vms[i].exists && !lookup(l, n, w.vms[i].name) && !touched(w.vms[i].name)) {
			fprintf(stderr, "round %d: acknowledged VM %s is lost\n", round,
				w.vms[i].name);
			bad++;
		}
	}
	return bad;
}

/* The listing becomes the model (absorbing the in-flight operation). */
static void resync(const listed *l, int n)
{
	for (int i = 0; i < w.n; i++)
		w.vms[i].exists = 0;
	for (int i = 0; i < n; i++) {
		vm_model *v = add_vm(l[i].name);
		if (v)
			snprintf(v->desc, sizeof(v->desc), "%s", l[i].desc);
	}
	w.op = OP_NONE;
}

IT_DISPATCHER_FIXTURES(disp, 0)

static void test_kill9_rounds(void **state)
{
	(void)state;
	const char *env = getenv("PRL_CRASH_ROUNDS");
	int rounds = env ? atoi(env) : 200, bad = 0;
	w.seed = (unsigned)time(NULL);
	fprintf(stderr, "seed %u, %d rounds\n", w.seed, rounds);
	listed l[MAX_VMS];
	for (int round = 0; round < rounds && !bad; round++) {
		PRL_HANDLE s = it_login_local();
		assert_ptr_not_equal(s, PRL_INVALID_HANDLE);
		pthread_t t;
		pthread_create(&t, NULL, client_main, &s);
		struct timespec d = { 0, (long)(rand_r(&w.seed) % 60 + 1) * 1000000L };
		nanosleep(&d, NULL);
		kill(disp.pid, SIGKILL);
		test_disp_stop(&disp, SIGKILL);
		pthread_join(t, NULL);
		PrlHandle_Free(s);
		assert_int_equal(test_disp_restart(&disp), 0);
		s = it_login_local();
		assert_ptr_not_equal(s, PRL_INVALID_HANDLE);
		int n = list_vms(s, l, MAX_VMS);
		assert_true(n >= 0);
		pthread_mutex_lock(&mu);
		bad = check_round(l, n, round);
		resync(l, n);
		pthread_mutex_unlock(&mu);
		PRL_HANDLE j = PrlSrv_Logoff(s);
		PrlJob_Wait(j, 10000);
		PrlHandle_Free(j);
		PrlHandle_Free(s);
	}
	fprintf(stderr, "%ld acknowledged operations over the rounds\n", w.acked);
	assert_int_equal(bad, 0);
	assert_true(w.acked > rounds / 2);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_kill9_rounds) };
	return cmocka_run_group_tests_name("dispatcher kill -9", tests, setup, teardown);
}
