/*
 * test_vmlist_lazy.c — the VMs of a list are unpacked when first asked for.
 *
 * Since protocol 2 the answer to PrlSrv_GetVmList carries each VM packed
 * (Response.vms); the result keeps the bytes, in the frame's arena, and
 * PrlResult_GetParamByIndex makes the VM object the first time an index is
 * asked for (src/lib/result.c).  What that must not change, and what it
 * adds, checked against a real dispatcher holding N_VMS registered VMs:
 *
 *   - every index gives its VM (name, UUID, state), once: asking again
 *     gives the same object; nothing is unpacked before it is asked for;
 *     a VM is not a string (PRL_ERR_NO_DATA), an index past the end is
 *     PRL_ERR_INVALID_ARG;
 *   - VMs outlive the job and the result they came from, across later
 *     frames that the reader unpacks (the arena they live in stays theirs);
 *   - lists that are never read leave no handle (and, under ASan, no
 *     memory) behind;
 *   - four threads asking for the same indices at once get one object per
 *     index (run under TSan by scripts/test.sh).
 *
 * Then against a fake dispatcher of this file, which answers the list with
 * packed VMs of its own making, some of them not configurations at all:
 * those give PRL_ERR_PARSE_VM_CONFIG, every time, and the good VMs around
 * them are served normally.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "Parallels.h"
#include "dispatcher.h"
#include "frame.h"
#include "jobs.h"

/* ---- the real dispatcher's VMs ------------------------------------------- */

#define N_VMS 20
#define THREADS 4

static test_disp disp;
static PRL_HANDLE srv = PRL_INVALID_HANDLE;

/* What was registered; read-only once setup is done (the reader threads of
 * the concurrency test look names up here). */
static struct {
	char name[32];
	char uuid[64];
} vms[N_VMS];

static PRL_UINT32 live(PRL_HANDLE_TYPE type)
{
	PRL_UINT32 n = 0;
	PrlDbg_GetHandlesNum(&n, type);
	return n;
}

/* Handles alive between tests: the session's server handle, nothing else. */
#define BASE_HANDLES 1

static int vm_by_uuid(const char *uuid)
{
	for (int i = 0; i < N_VMS; i++)
		if (!strcmp(vms[i].uuid, uuid))
			return i;
	return -1;
}

static int register_vm(int i)
{
	PRL_HANDLE vm = PRL_INVALID_HANDLE;
	PRL_UINT32 len = sizeof(vms[i].uuid);
	snprintf(vms[i].name, sizeof(vms[i].name), "lazy-%02d", i);
	if (PrlSrv_CreateVm(srv, &vm) || PrlVmCfg_SetName(vm, vms[i].name) ||
	    PrlVmCfg_SetRamSize(vm, 128) ||
	    test_job(PrlVm_Reg(vm, "", PRL_TRUE), NULL) ||
	    PrlVmCfg_GetUuid(vm, vms[i].uuid, &len)) {
		fprintf(stderr, "registering %s failed\n", vms[i].name);
		PrlHandle_Free(vm);
		return -1;
	}
	PrlHandle_Free(vm);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	if (test_env_up(&disp, NULL, NULL))
		return -1;
	srv = it_login_local();
	if (srv == PRL_INVALID_HANDLE)
		return -1;
	for (int i = 0; i < N_VMS; i++)
		if (register_vm(i))
			return -1;
	/* One more round trip: whatever the registrations made the dispatcher
	 * send (events) is behind us before the tests count live objects. */
	return test_job(PrlSrv_GetVmList(srv), NULL) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	if (srv != PRL_INVALID_HANDLE)
		it_logoff(srv);
	srv = PRL_INVALID_HANDLE;
	return test_env_down(&disp, 1);
}

static PRL_HANDLE get_list(void)
{
	PRL_HANDLE res = PRL_INVALID_HANDLE;
	assert_int_equal(test_job(PrlSrv_GetVmList(srv), &res), PRL_ERR_SUCCESS);
	PRL_UINT32 n = 0;
	assert_int_equal(PrlResult_GetParamsCount(res, &n), PRL_ERR_SUCCESS);
	assert_int_equal(n, N_VMS);
	return res;
}

/* vm is one of ours, with its name, UUID and state, read from the VM and
 * from its configuration handle; returns its index in vms[]. */
static int check_vm(PRL_HANDLE vm)
{
	PRL_HANDLE_TYPE type = PHT_ERROR;
	PRL_HANDLE cfg, info;
	char uuid[64], name[64];
	PRL_UINT32 ulen = sizeof(uuid), len = sizeof(name);
	VIRTUAL_MACHINE_STATE st = 0;

	assert_int_equal(PrlHandle_GetType(vm, &type), PRL_ERR_SUCCESS);
	assert_int_equal(type, PHT_VIRTUAL_MACHINE);
	assert_int_equal(PrlVmCfg_GetUuid(vm, uuid, &ulen), PRL_ERR_SUCCESS);
	int k = vm_by_uuid(uuid);
	assert_true(k >= 0);
	assert_int_equal(PrlVmCfg_GetName(vm, name, &len), PRL_ERR_SUCCESS);
	assert_string_equal(name, vms[k].name);

	assert_int_equal(PrlVm_GetConfig(vm, &cfg), PRL_ERR_SUCCESS);
	len = sizeof(name);
	assert_int_equal(PrlVmCfg_GetName(cfg, name, &len), PRL_ERR_SUCCESS);
	assert_string_equal(name, vms[k].name);
	assert_int_equal(PrlVmCfg_GetVmInfo(cfg, &info), PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmInfo_GetState(info, &st), PRL_ERR_SUCCESS);
	assert_int_equal(st, VMS_STOPPED);
	PrlHandle_Free(info);
	PrlHandle_Free(cfg);
	return k;
}

/* ---- 1: each index, once ------------------------------------------------- */

/* A VM object is counted by PrlDbg_GetHandlesNum(PHT_VIRTUAL_MACHINE)
 * while anyone holds it, whatever its handle's value: the count says how
 * many objects the list has made so far, which is how "not unpacked yet"
 * and "the same object again" are told apart from outside. */
static void test_each_index_gives_its_vm_once(void **state)
{
	(void)state;
	assert_int_equal(live(PHT_ERROR), BASE_HANDLES);
	PRL_UINT32 vm0 = live(PHT_VIRTUAL_MACHINE);
	PRL_HANDLE res = get_list();
	PRL_HANDLE got[N_VMS];
	int seen[N_VMS] = { 0 };
	char buf[64];
	PRL_UINT32 len;

	assert_int_equal(live(PHT_VIRTUAL_MACHINE), vm0);   /* nothing unpacked */
	for (PRL_UINT32 i = 0; i < N_VMS; i++) {
		PRL_HANDLE again = PRL_INVALID_HANDLE;
		/* Not a string, before it is unpacked and after. */
		len = sizeof(buf);
		assert_int_equal(PrlResult_GetParamByIndexAsString(res, i, buf, &len),
				 PRL_ERR_NO_DATA);
		assert_int_equal(PrlResult_GetParamByIndex(res, i, &got[i]), PRL_ERR_SUCCESS);
		seen[check_vm(got[i])]++;
		assert_int_equal(live(PHT_VIRTUAL_MACHINE), vm0 + i + 1);
		assert_int_equal(PrlResult_GetParamByIndex(res, i, &again), PRL_ERR_SUCCESS);
		assert_int_equal(live(PHT_VIRTUAL_MACHINE), vm0 + i + 1);
		assert_true(again == got[i]);
		PrlHandle_Free(again);
		len = sizeof(buf);
		assert_int_equal(PrlResult_GetParamByIndexAsString(res, i, buf, &len),
				 PRL_ERR_NO_DATA);
	}
	for (int k = 0; k < N_VMS; k++)
		assert_int_equal(seen[k], 1);

	/* The same object: a local change made through one handle is what a
	 * later request for the index shows, and PrlResult_GetParam is index 0. */
	PRL_HANDLE first = PRL_INVALID_HANDLE;
	assert_int_equal(PrlVmCfg_SetName(got[0], "renamed locally"), PRL_ERR_SUCCESS);
	assert_int_equal(PrlResult_GetParam(res, &first), PRL_ERR_SUCCESS);
	len = sizeof(buf);
	assert_int_equal(PrlVmCfg_GetName(first, buf, &len), PRL_ERR_SUCCESS);
	assert_string_equal(buf, "renamed locally");
	PrlHandle_Free(first);

	PRL_HANDLE none = PRL_INVALID_HANDLE;
	len = sizeof(buf);
	assert_int_equal(PrlResult_GetParamByIndex(res, N_VMS, &none), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlResult_GetParamByIndex(res, UINT32_MAX, &none), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlResult_GetParamByIndex(res, 0, NULL), PRL_ERR_INVALID_ARG);
	assert_int_equal(PrlResult_GetParamByIndexAsString(res, N_VMS, buf, &len),
			 PRL_ERR_INVALID_ARG);
	assert_int_equal(live(PHT_VIRTUAL_MACHINE), vm0 + N_VMS);

	for (int i = 0; i < N_VMS; i++)
		PrlHandle_Free(got[i]);
	assert_int_equal(live(PHT_VIRTUAL_MACHINE), vm0 + N_VMS);  /* the result's */
	PrlHandle_Free(res);
	assert_int_equal(live(PHT_VIRTUAL_MACHINE), vm0);
	assert_int_equal(live(PHT_ERROR), BASE_HANDLES);
}

/* ---- 2: VMs outlive their job and result ------------------------------------- */

/* Frames that reach the reader after the list's: if the list's arena were
 * taken for reuse while VMs still live in it, these would write over them. */
static void churn(void)
{
	for (int i = 0; i < 3; i++)
		assert_int_equal(test_job(PrlSrv_GetSrvConfig(srv), NULL), PRL_ERR_SUCCESS);
	PRL_HANDLE res = get_list(), vm;
	for (PRL_UINT32 i = 0; i < N_VMS; i += 3) {
		assert_int_equal(PrlResult_GetParamByIndex(res, i, &vm), PRL_ERR_SUCCESS);
		PrlHandle_Free(vm);
	}
	PrlHandle_Free(res);
	assert_int_equal(test_job(PrlSrv_GetVmList(srv), NULL), PRL_ERR_SUCCESS);
}

static void test_vms_outlive_job_and_result(void **state)
{
	(void)state;
	assert_int_equal(live(PHT_ERROR), BASE_HANDLES);
	PRL_HANDLE job = PrlSrv_GetVmList(srv), res = PRL_INVALID_HANDLE;
	PRL_HANDLE vm[N_VMS];
	PRL_RESULT rc = PRL_ERR_UNINITIALIZED;
	PRL_UINT32 n = 0;

	assert_int_equal(PrlJob_Wait(job, 30000), PRL_ERR_SUCCESS);
	assert_int_equal(PrlJob_GetRetCode(job, &rc), PRL_ERR_SUCCESS);
	assert_int_equal(rc, PRL_ERR_SUCCESS);
	assert_int_equal(PrlJob_GetResult(job, &res), PRL_ERR_SUCCESS);
	assert_int_equal(PrlResult_GetParamsCount(res, &n), PRL_ERR_SUCCESS);
	assert_int_equal(n, N_VMS);
	int was[N_VMS];
	for (PRL_UINT32 i = 0; i < N_VMS; i++) {
		assert_int_equal(PrlResult_GetParamByIndex(res, i, &vm[i]), PRL_ERR_SUCCESS);
		was[i] = check_vm(vm[i]);
	}
	PrlHandle_Free(job);
	PrlHandle_Free(res);
	churn();

	/* Each VM still the one it was, whole. */
	for (int i = 0; i < N_VMS; i++)
		assert_int_equal(check_vm(vm[i]), was[i]);
	/* An edit makes the configuration the VM's own copy, taken from the
	 * arena the VM keeps alive. */
	char desc[64];
	PRL_UINT32 dlen = sizeof(desc);
	assert_int_equal(PrlVmCfg_SetDescription(vm[1], "edited after the result went"),
			 PRL_ERR_SUCCESS);
	assert_int_equal(PrlVmCfg_GetDescription(vm[1], desc, &dlen), PRL_ERR_SUCCESS);
	assert_string_equal(desc, "edited after the result went");
	check_vm(vm[1]);

	for (int i = 0; i < N_VMS; i++)
		PrlHandle_Free(vm[i]);
	assert_int_equal(live(PHT_ERROR), BASE_HANDLES);
}

/* ---- 3: lists never read ---------------------------------------------------- */

static void test_unread_lists_leave_nothing(void **state)
{
	(void)state;
	assert_int_equal(live(PHT_ERROR), BASE_HANDLES);
	PRL_UINT32 vm0 = live(PHT_VIRTUAL_MACHINE);
	for (int i = 0; i < 200; i++) {
		PRL_HANDLE job = PrlSrv_GetVmList(srv), res = PRL_INVALID_HANDLE;
		PRL_UINT32 n = 0;
		assert_int_equal(PrlJob_Wait(job, 30000), PRL_ERR_SUCCESS);
		assert_int_equal(PrlJob_GetResult(job, &res), PRL_ERR_SUCCESS);
		assert_int_equal(PrlResult_GetParamsCount(res, &n), PRL_ERR_SUCCESS);
		assert_int_equal(n, N_VMS);
		assert_int_equal(live(PHT_VIRTUAL_MACHINE), vm0);
		/* Either may go first: the result holds the packed VMs alone. */
		if (i & 1) {
			PrlHandle_Free(job);
			PrlHandle_Free(res);
		} else {
			PrlHandle_Free(res);
			PrlHandle_Free(job);
		}
	}
	assert_int_equal(live(PHT_ERROR), BASE_HANDLES);
}

/* ---- 4: first reads from four threads at once ---------------------------------- */

typedef struct reader {
	PRL_HANDLE res;
	pthread_barrier_t *go;
	PRL_UINT32 order[N_VMS];
	PRL_HANDLE got[N_VMS];           /* by index, freed already: only compared */
	int errors;
	char why[160];
} reader;

/* Records the first failure (cmocka's asserts belong to the main thread). */
static void failed(reader *r, PRL_UINT32 i, const char *what, PRL_RESULT rc)
{
	if (!r->errors++)
		snprintf(r->why, sizeof(r->why), "index %u: %s (0x%x)", (unsigned)i, what,
			 (unsigned)rc);
}

static void read_one(reader *r, PRL_UINT32 i)
{
	PRL_HANDLE vm = PRL_INVALID_HANDLE;
	PRL_HANDLE_TYPE type = PHT_ERROR;
	char uuid[64], name[64];
	PRL_UINT32 ulen = sizeof(uuid), len = sizeof(name);
	PRL_RESULT rc = PrlResult_GetParamByIndex(r->res, i, &vm);
	r->got[i] = vm;
	if (rc) {
		failed(r, i, "PrlResult_GetParamByIndex", rc);
		return;
	}
	if ((rc = PrlHandle_GetType(vm, &type)) || type != PHT_VIRTUAL_MACHINE)
		failed(r, i, "not a PHT_VIRTUAL_MACHINE", rc);
	else if ((rc = PrlVmCfg_GetUuid(vm, uuid, &ulen)) || vm_by_uuid(uuid) < 0)
		failed(r, i, "not one of our UUIDs", rc);
	else if ((rc = PrlVmCfg_GetName(vm, name, &len)) ||
		 strcmp(name, vms[vm_by_uuid(uuid)].name))
		failed(r, i, "wrong name", rc);
	/* The result keeps the object: its handle stays comparable. */
	PrlHandle_Free(vm);
}

static void *reader_main(void *arg)
{
	reader *r = arg;
	pthread_barrier_wait(r->go);
	for (int k = 0; k < N_VMS; k++)
		read_one(r, r->order[k]);
	return NULL;
}

/* A different order per thread and round: a shuffle with a fixed seed. */
static void shuffle(PRL_UINT32 *order, unsigned seed)
{
	for (PRL_UINT32 i = 0; i < N_VMS; i++)
		order[i] = i;
	for (PRL_UINT32 i = N_VMS - 1; i > 0; i--) {
		PRL_UINT32 j = (PRL_UINT32)rand_r(&seed) % (i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

static void one_round(int round, PRL_UINT32 vm0)
{
	reader rd[THREADS];
	pthread_t th[THREADS];
	pthread_barrier_t go;
	PRL_HANDLE res = get_list();

	pthread_barrier_init(&go, NULL, THREADS);
	for (int t = 0; t < THREADS; t++) {
		memset(&rd[t], 0, sizeof(rd[t]));
		rd[t].res = res;
		rd[t].go = &go;
		shuffle(rd[t].order, (unsigned)(round * THREADS + t + 1));
		assert_int_equal(pthread_create(&th[t], NULL, reader_main, &rd[t]), 0);
	}
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	pthread_barrier_destroy(&go);
	for (int t = 0; t < THREADS; t++)
		if (rd[t].errors)
			fail_msg("round %d, thread %d: %d failure(s), first: %s", round, t,
				 rd[t].errors, rd[t].why);
	for (int i = 0; i < N_VMS; i++)
		for (int t = 1; t < THREADS; t++)
			if (rd[t].got[i] != rd[0].got[i])
				fail_msg("round %d: index %d gave two objects", round, i);
	/* One object per index, whoever unpacked it. */
	assert_int_equal(live(PHT_VIRTUAL_MACHINE), vm0 + N_VMS);
	PrlHandle_Free(res);
	assert_int_equal(live(PHT_VIRTUAL_MACHINE), vm0);
}

static void test_concurrent_first_reads(void **state)
{
	(void)state;
	assert_int_equal(live(PHT_ERROR), BASE_HANDLES);
	PRL_UINT32 vm0 = live(PHT_VIRTUAL_MACHINE);
	for (int round = 0; round < 25; round++)
		one_round(round, vm0);
	assert_int_equal(live(PHT_ERROR), BASE_HANDLES);
}

/* ---- 5: a fake dispatcher that sends undecodable VMs ---------------------------- */

/*
 * It speaks just enough of docs/protocol.md for one local session: the
 * Hello, any request answered with success (the local login with a
 * LoginInfo), and PJOC_SRV_GET_VM_LIST answered with the packed VMs below.
 * One connection, on its own thread; it ends when the library closes the
 * connection or teardown shuts it down.
 */
typedef struct fake_disp {
	char dir[64], path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int lfd;
	_Atomic int cfd;
	pthread_t thread;
} fake_disp;

static fake_disp fake;

#define FAKE_UUID(n) "{0f0f0f0f-0000-4000-8000-00000000000" #n "}"

/* What the fake list holds, in order. */
enum { GOOD, GARBAGE, NO_NAME, TRUNCATED };
static const struct {
	int kind;
	const char *uuid, *name;
} fake_list[] = {
	{ GOOD, FAKE_UUID(0), "fake-good-0" },
	{ GARBAGE, NULL, NULL },             /* 0xff 0xff 0xff: not protobuf */
	{ GOOD, FAKE_UUID(2), "fake-good-2" },
	{ NO_NAME, FAKE_UUID(3), NULL },     /* protobuf, a required field missing */
	{ TRUNCATED, FAKE_UUID(4), "fake-truncated-4" },
	{ GOOD, FAKE_UUID(5), "fake-good-5" },
};
#define N_FAKE (sizeof(fake_list) / sizeof(fake_list[0]))

/* The packed bytes of entry i (malloc'ed, *len set). */
static uint8_t *fake_vm_bytes(size_t i, size_t *len)
{
	static const uint8_t garbage[] = { 0xff, 0xff, 0xff };
	Prl__VmConfig c = PRL__VM_CONFIG__INIT;
	size_t ul = fake_list[i].uuid ? strlen(fake_list[i].uuid) : 0;
	uint8_t *b = malloc(ul + 64);
	if (!b)
		return NULL;
	switch (fake_list[i].kind) {
	case GARBAGE:
		*len = sizeof(garbage);
		memcpy(b, garbage, sizeof(garbage));
		return b;
	case NO_NAME:
		/* Written by hand: protobuf-c would pack a NULL name as "".
		 * Field 1 (uuid) alone; unpacking misses field 2. */
		b[0] = 1 << 3 | 2;
		b[1] = (uint8_t)ul;
		memcpy(b + 2, fake_list[i].uuid, ul);
		*len = ul + 2;
		return b;
	}
	c.uuid = (char *)fake_list[i].uuid;
	c.name = (char *)fake_list[i].name;
	c.has_state = fake_list[i].kind == GOOD;
	c.state = VMS_STOPPED;
	*len = prl__vm_config__get_packed_size(&c);
	if (*len > ul + 64) {
		free(b);
		return NULL;
	}
	prl__vm_config__pack(&c, b);
	/* The name is the last field there: its length now overruns. */
	if (fake_list[i].kind == TRUNCATED)
		*len -= 3;
	return b;
}

static void fake_answer_list(int fd, uint64_t id)
{
	ProtobufCBinaryData vms[N_FAKE];
	Prl__Response r = PRL__RESPONSE__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	for (size_t i = 0; i < N_FAKE; i++)
		vms[i].data = fake_vm_bytes(i, &vms[i].len);
	r.id = id;
	r.n_vms = N_FAKE;
	r.vms = vms;
	f.body_case = PRL__FRAME__BODY_RESPONSE;
	f.response = &r;
	prlc_frame_write_fd(fd, &f);
	for (size_t i = 0; i < N_FAKE; i++)
		free(vms[i].data);
}

static void fake_answer(int fd, const Prl__Request *q)
{
	Prl__LoginInfo li = PRL__LOGIN_INFO__INIT;
	Prl__Value v = PRL__VALUE__INIT, *pv = &v;
	Prl__Response r = PRL__RESPONSE__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	if (q->op == PJOC_SRV_GET_VM_LIST) {
		fake_answer_list(fd, q->id);
		return;
	}
	r.id = q->id;
	if (q->op == PJOC_SRV_LOGIN_LOCAL) {
		li.session_uuid = "{0f0f0f0f-1111-4000-8000-000000000001}";
		li.server_uuid = "{0f0f0f0f-2222-4000-8000-000000000002}";
		v.v_case = PRL__VALUE__V_LOGIN;
		v.login = &li;
		r.n_params = 1;
		r.params = &pv;
	}
	f.body_case = PRL__FRAME__BODY_RESPONSE;
	f.response = &r;
	prlc_frame_write_fd(fd, &f);
}

static void fake_hello(int fd)
{
	Prl__HelloReply h = PRL__HELLO_REPLY__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	h.magic = PRLC_WIRE_MAGIC;
	h.version = PRLC_PROTOCOL_VERSION;
	h.result = PRL_ERR_SUCCESS;
	h.server_uuid = "{0f0f0f0f-2222-4000-8000-000000000002}";
	f.body_case = PRL__FRAME__BODY_HELLO_REPLY;
	f.hello_reply = &h;
	prlc_frame_write_fd(fd, &f);
}

static void *fake_main(void *arg)
{
	fake_disp *d = arg;
	int fd = accept(d->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	atomic_store(&d->cfd, fd);
	Prl__Frame *f;
	while (prlc_frame_read_fd(fd, &f) == 1) {
		if (f->body_case == PRL__FRAME__BODY_HELLO)
			fake_hello(fd);
		else if (f->body_case == PRL__FRAME__BODY_REQUEST)
			fake_answer(fd, f->request);
		prl__frame__free_unpacked(f, NULL);   /* pings need no answer */
	}
	return NULL;
}

static int fake_setup(void **state)
{
	(void)state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(fake.dir, sizeof(fake.dir), "/tmp/openprl-fake.XXXXXX");
	if (!mkdtemp(fake.dir))
		return -1;
	snprintf(fake.path, sizeof(fake.path), "%s/s", fake.dir);
	memcpy(sa.sun_path, fake.path, sizeof(sa.sun_path));
	atomic_init(&fake.cfd, -1);
	fake.lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fake.lfd < 0 || bind(fake.lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fake.lfd, 1) || pthread_create(&fake.thread, NULL, fake_main, &fake))
		return -1;
	setenv("PRL_DISP_SOCKET", fake.path, 1);
	return PrlApi_InitEx(VIRTUOZZO_API_VER, PAM_SERVER, 0, 0) ? -1 : 0;
}

static int fake_teardown(void **state)
{
	(void)state;
	/* Unblocks accept (nobody came) and the read (the library stayed). */
	shutdown(fake.lfd, SHUT_RDWR);
	int fd = atomic_load(&fake.cfd);
	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
	pthread_join(fake.thread, NULL);
	if (fd >= 0)
		close(fd);
	close(fake.lfd);
	unlink(fake.path);
	rmdir(fake.dir);
	PRL_UINT32 n = live(PHT_ERROR);
	PrlApi_Deinit();
	if (n)
		fprintf(stderr, "%u handle(s) still alive\n", n);
	return n ? -1 : 0;
}

static void test_undecodable_vm_fails_alone(void **state)
{
	(void)state;
	PRL_HANDLE s = it_login_local(), res = PRL_INVALID_HANDLE;
	assert_true(s != PRL_INVALID_HANDLE);
	assert_int_equal(live(PHT_ERROR), BASE_HANDLES);
	PRL_UINT32 vm0 = live(PHT_VIRTUAL_MACHINE), n = 0;
	assert_int_equal(test_job(PrlSrv_GetVmList(s), &res), PRL_ERR_SUCCESS);
	assert_int_equal(PrlResult_GetParamsCount(res, &n), PRL_ERR_SUCCESS);
	assert_int_equal(n, N_FAKE);

	/* The bad ones first, twice each: a failed unpack leaves nothing that
	 * a second request (or a good index) could trip over. */
	for (int pass = 0; pass < 2; pass++)
		for (PRL_UINT32 i = 0; i < N_FAKE; i++) {
			PRL_HANDLE vm = PRL_INVALID_HANDLE;
			char buf[64];
			PRL_UINT32 len = sizeof(buf);
			if (fake_list[i].kind == GOOD)
				continue;
			assert_int_equal(PrlResult_GetParamByIndex(res, i, &vm),
					 PRL_ERR_PARSE_VM_CONFIG);
			assert_int_equal(PrlResult_GetParamByIndexAsString(res, i, buf, &len),
					 PRL_ERR_NO_DATA);
		}
	assert_int_equal(live(PHT_VIRTUAL_MACHINE), vm0);

	for (PRL_UINT32 i = 0; i < N_FAKE; i++) {
		PRL_HANDLE vm = PRL_INVALID_HANDLE, again = PRL_INVALID_HANDLE;
		char name[64], uuid[64];
		PRL_UINT32 len = sizeof(name), ulen = sizeof(uuid);
		if (fake_list[i].kind != GOOD)
			continue;
		assert_int_equal(PrlResult_GetParamByIndex(res, i, &vm), PRL_ERR_SUCCESS);
		assert_int_equal(PrlVmCfg_GetName(vm, name, &len), PRL_ERR_SUCCESS);
		assert_string_equal(name, fake_list[i].name);
		assert_int_equal(PrlVmCfg_GetUuid(vm, uuid, &ulen), PRL_ERR_SUCCESS);
		assert_string_equal(uuid, fake_list[i].uuid);
		assert_int_equal(PrlResult_GetParamByIndex(res, i, &again), PRL_ERR_SUCCESS);
		assert_true(again == vm);
		PrlHandle_Free(again);
		PrlHandle_Free(vm);
	}
	/* Still refused after the good ones were made beside them. */
	PRL_HANDLE vm = PRL_INVALID_HANDLE;
	assert_int_equal(PrlResult_GetParamByIndex(res, 1, &vm), PRL_ERR_PARSE_VM_CONFIG);
	assert_int_equal(live(PHT_VIRTUAL_MACHINE), vm0 + 3);
	PrlHandle_Free(res);
	assert_int_equal(live(PHT_ERROR), BASE_HANDLES);
	assert_int_equal(it_logoff(s), PRL_ERR_SUCCESS);
}

int main(void)
{
	const struct CMUnitTest real[] = {
		cmocka_unit_test(test_each_index_gives_its_vm_once),
		cmocka_unit_test(test_vms_outlive_job_and_result),
		cmocka_unit_test(test_unread_lists_leave_nothing),
		cmocka_unit_test(test_concurrent_first_reads),
	};
	const struct CMUnitTest faked[] = {
		cmocka_unit_test(test_undecodable_vm_fails_alone),
	};
	int rc = cmocka_run_group_tests_name("vm list, lazy", real, setup, teardown);
	return rc | cmocka_run_group_tests_name("vm list, undecodable VMs", faked,
						fake_setup, fake_teardown);
}
