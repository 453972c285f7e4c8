/*
 * test_vmlist_wire.c — the VM list frame assembled from cached bytes
 * (src/disp/vmlist_wire.c) against the generic encoding of the same
 * snapshots: one Value{vm = disp_vmops_config_view(snapshot)} per VM in a
 * Response, encoded by prlc_frame_encode.
 *
 * The fixture is a registry with a plain VM, a VM with many fields (devices,
 * boot order, fields numbered both below and above `state`), a VM of
 * another owner, a running VM (libvirt's test driver) and an invalid bundle
 * (its config.pvs broken before the registry opened).  Each test decodes
 * both frames with protobuf-c and compares them field by field, walking
 * the message descriptors, and also byte for byte.  Then: the cache
 * survives a state change (same block, new state), a commit gets a new
 * one, the request path answers with the fast frame, and a client that
 * never reads is still dropped at the output bound.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>

#include "PrlOses.h"
#include "disp.h"
#include "hv.h"
#include "prlc_consts.h"
#include "registry.h"
#include "vmlist_wire.h"
#include "vmops.h"

enum { PLAIN, RICH, ALICES, RUNNING, INVALID, NVMS };

static disp_options opt;
static disp_server srv;
static char state_dir[64];
static char uuids[NVMS][PRLC_UUID_LEN + 1];

/* ---- comparing decoded messages, field by field ------------------------------ */

static void same_msg(const ProtobufCMessage *a, const ProtobufCMessage *b,
		     const char *path);

static size_t elem_size(const ProtobufCFieldDescriptor *f)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64: case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING: case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(void *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	default:
		return 4;
	}
}

static void same_value(const ProtobufCFieldDescriptor *f, const void *a,
		       const void *b, const char *path)
{
	if (f->type == PROTOBUF_C_TYPE_STRING) {
		const char *x = *(char *const *)a, *y = *(char *const *)b;
		if (!x != !y || (x && strcmp(x, y)))
			fail_msg("%s: \"%s\" != \"%s\"", path, x ? x : "(null)",
				 y ? y : "(null)");
	} else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
		const ProtobufCMessage *x = *(void *const *)a,
				       *y = *(void *const *)b;
		if (!x != !y)
			fail_msg("%s: present in one message only", path);
		if (x)
			same_msg(x, y, path);
	} else if (f->type == PROTOBUF_C_TYPE_BYTES) {
		const ProtobufCBinaryData *x = a, *y = b;
		if (x->len != y->len || (x->len && memcmp(x->data, y->data,
							  x->len)))
			fail_msg("%s: bytes differ", path);
	} else if (memcmp(a, b, elem_size(f))) {
		fail_msg("%s: values differ", path);
	}
}

/* Whether field f is present; fails when a and b disagree. */
static bool same_presence(const ProtobufCFieldDescriptor *f,
			  const ProtobufCMessage *a, const ProtobufCMessage *b,
			  const char *path)
{
	const char *pa = (const char *)a, *pb = (const char *)b;
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
		uint32_t ca = *(const uint32_t *)(pa + f->quantifier_offset);
		uint32_t cb = *(const uint32_t *)(pb + f->quantifier_offset);
		if (ca != cb)
			fail_msg("%s: oneof case %u != %u", path, ca, cb);
		return ca == f->id;
	}
	if (f->label != PROTOBUF_C_LABEL_OPTIONAL || !f->quantifier_offset)
		return true;            /* required, or a pointer: compared */
	protobuf_c_boolean ha = *(const protobuf_c_boolean *)(pa +
							f->quantifier_offset);
	protobuf_c_boolean hb = *(const protobuf_c_boolean *)(pb +
							f->quantifier_offset);
	if (ha != hb)
		fail_msg("%s: set in one message only", path);
	return ha;
}

static void same_field(const ProtobufCFieldDescriptor *f,
		       const ProtobufCMessage *a, const ProtobufCMessage *b,
		       const char *path)
{
	char sub[512];
	const char *pa = (const char *)a, *pb = (const char *)b;
	if (f->label != PROTOBUF_C_LABEL_REPEATED) {
		snprintf(sub, sizeof sub, "%s.%s", path, f->name);
		if (same_presence(f, a, b, sub))
			same_value(f, pa + f->offset, pb + f->offset, sub);
		return;
	}
	size_t na = *(const size_t *)(pa + f->quantifier_offset);
	size_t nb = *(const size_t *)(pb + f->quantifier_offset);
	if (na != nb)
		fail_msg("%s.%s: %zu != %zu entries", path, f->name, na, nb);
	const char *ea = *(char *const *)(pa + f->offset);
	const char *eb = *(char *const *)(pb + f->offset);
	for (size_t i = 0; i < na; i++) {
		snprintf(sub, sizeof sub, "%s.%s[%zu]", path, f->name, i);
		same_value(f, ea + i * elem_size(f), eb + i * elem_size(f), sub);
	}
}

static void same_msg(const ProtobufCMessage *a, const ProtobufCMessage *b,
		     const char *path)
{
	assert_ptr_equal(a->descriptor, b->descriptor);
	for (unsigned i = 0; i < a->descriptor->n_fields; i++)
		same_field(&a->descriptor->fields[i], a, b, path);
}

/* ---- the two encodings ---------------------------------------------------------------- */

static uint8_t *generic_frame(uint64_t id, disp_vmsnap **snaps, size_t n,
			      size_t *len)
{
	ProtobufCBinaryData *vms = calloc(n ? n : 1, sizeof *vms);
	for (size_t i = 0; i < n; i++) {
		Prl__VmConfig *view = disp_vmops_config_view(snaps[i]);
		vms[i].data = malloc(prl__vm_config__get_packed_size(view));
		vms[i].len = prl__vm_config__pack(view, vms[i].data);
		free(view);
	}
	Prl__Response resp = PRL__RESPONSE__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	resp.id = id;
	resp.vms = vms;
	resp.n_vms = n;
	f.body_case = PRL__FRAME__BODY_RESPONSE;
	f.response = &resp;
	uint8_t *buf = prlc_frame_encode(&f, len);
	for (size_t i = 0; i < n; i++)
		free(vms[i].data);
	free(vms);
	return buf;
}

/* Every VM of the list travels packed (Response.vms, the generic frame too,
 * and the two are compared byte for byte); each is unpacked here and put
 * in params as Value.vm, so that the checks below read it. */
static void unpack_vms(Prl__Frame *f)
{
	Prl__Response *r = f->response;
	if (!r->n_vms)
		return;
	assert_int_equal(r->n_params, 0);
	r->params = calloc(r->n_vms, sizeof *r->params);
	for (size_t i = 0; i < r->n_vms; i++) {
		Prl__VmConfig *c = prl__vm_config__unpack(NULL, r->vms[i].len,
							  r->vms[i].data);
		assert_non_null(c);
		Prl__Value *v = malloc(sizeof *v);
		prl__value__init(v);
		v->v_case = PRL__VALUE__V_VM;
		v->vm = c;
		r->params[r->n_params++] = v;
	}
}

static Prl__Frame *decode(const uint8_t *buf, size_t len)
{
	Prl__Frame *f = NULL;
	size_t used = 0;
	assert_int_equal(prlc_frame_parse(buf, len, &f, &used), 1);
	assert_int_equal(used, len);
	/* the call the brief names, on the body alone */
	Prl__Frame *g = prl__frame__unpack(NULL, len - PRLC_FRAME_HEADER,
					   buf + PRLC_FRAME_HEADER);
	assert_non_null(g);
	same_msg(&f->base, &g->base, "unpack");
	prl__frame__free_unpacked(g, NULL);
	if (f->body_case == PRL__FRAME__BODY_RESPONSE)
		unpack_vms(f);
	return f;
}

/* Compares a fast frame with the generic one for the same snapshots;
 * returns the decoded fast frame. */
static Prl__Frame *check_frame(const uint8_t *fast, size_t fast_len,
			       uint64_t id, disp_vmsnap **snaps, size_t n)
{
	size_t glen;
	uint8_t *gen = generic_frame(id, snaps, n, &glen);
	assert_non_null(gen);
	Prl__Frame *a = decode(fast, fast_len), *b = decode(gen, glen);
	assert_int_equal(a->body_case, PRL__FRAME__BODY_RESPONSE);
	assert_int_equal(a->response->id, id);
	assert_int_equal(a->response->result, PRL_ERR_SUCCESS);
	assert_null(a->response->error);
	assert_int_equal(a->response->n_params, n);
	same_msg(&a->base, &b->base, "frame");
	assert_int_equal(fast_len, glen);       /* and even the same bytes */
	assert_memory_equal(fast, gen, glen);
	prl__frame__free_unpacked(b, NULL);
	free(gen);
	return a;
}

/* The fast frame of everything uid may see, checked; decoded. */
static Prl__Frame *list_checked(uid_t uid, uint64_t id)
{
	disp_vmsnap **snaps;
	size_t n, len;
	assert_int_equal(disp_registry_list(srv.registry, uid, &snaps, &n),
			 PRL_ERR_SUCCESS);
	uint8_t *fast = disp_vmlist_wire_encode(id, snaps, n, &len);
	assert_non_null(fast);
	Prl__Frame *f = check_frame(fast, len, id, snaps, n);
	free(fast);
	disp_registry_list_free(snaps, n);
	return f;
}

static const Prl__VmConfig *vm_in(const Prl__Frame *f, int which)
{
	for (size_t i = 0; i < f->response->n_params; i++) {
		const Prl__Value *v = f->response->params[i];
		assert_int_equal(v->v_case, PRL__VALUE__V_VM);
		if (!strcasecmp(v->vm->uuid, uuids[which]))
			return v->vm;
	}
	fail_msg("VM %d is not in the list", which);
	return NULL;
}

/* ---- fixture ------------------------------------------------------------------------------ */

static Prl__VmConfig *new_config(const char *name)
{
	Prl__VmConfig *c = malloc(sizeof *c);
	prl__vm_config__init(c);
	char uuid[PRLC_UUID_LEN + 1];
	prlc_uuid_generate(uuid);
	c->uuid = strdup(uuid);
	c->name = strdup(name);
	c->has_ram_mb = c->has_cpu_count = 1;
	c->ram_mb = 128;
	c->cpu_count = 1;
	return c;
}

static void add_device(Prl__VmConfig *c, uint32_t type, const char *mac)
{
	c->devices = realloc(c->devices, (c->n_devices + 1) * sizeof *c->devices);
	Prl__VmDevice *d = malloc(sizeof *d);
	prl__vm_device__init(d);
	d->type = type;
	d->index = (uint32_t)c->n_devices;
	d->mac = mac ? strdup(mac) : NULL;
	c->devices[c->n_devices++] = d;
}

/* Many fields, on both sides of `state` (field 15). */
static Prl__VmConfig *rich_config(void)
{
	Prl__VmConfig *c = new_config("rich «vm»");
	c->description = strdup("a VM with many fields");
	c->has_os_type = c->has_os_version = 1;
	c->os_type = PVS_GUEST_TYPE_LINUX;
	c->os_version = PVS_GUEST_VER_LIN_UBUNTU;
	c->has_is_template = 1;
	c->owner = strdup("tester");
	c->has_cpu_units = 1;
	c->cpu_units = 1000;
	c->hostname = strdup("rich.example");
	add_device(c, PDE_GENERIC_NETWORK_ADAPTER, "001c42aabbcc");
	add_device(c, PDE_OPTICAL_DISK, NULL);
	c->boot = malloc(sizeof *c->boot);
	c->boot[0] = malloc(sizeof *c->boot[0]);
	prl__boot_device__init(c->boot[0]);
	c->boot[0]->type = PDE_OPTICAL_DISK;
	c->boot[0]->sequence = 0;
	c->n_boot = 1;
	return c;
}

static void create(int which, Prl__VmConfig *c, uid_t owner)
{
	disp_vmsnap *s = NULL;
	int rc = disp_registry_create(srv.registry, c, NULL, owner, &s);
	if (rc != PRL_ERR_SUCCESS)
		fail_msg("create %s: %#x %s", c->name, (unsigned)rc,
			 disp_registry_errmsg());
	snprintf(uuids[which], sizeof uuids[which], "%s", s->cfg->uuid);
	if (which == INVALID) {
		char path[512];
		snprintf(path, sizeof path, "%s/config.pvs", s->bundle);
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs("<vm_config><uuid>broken", f);
		fclose(f);
	}
	disp_vmsnap_unref(s);
	disp_vmconf_free(c);
}

static void open_registry(void)
{
	char err[512];
	srv.registry = disp_registry_open(state_dir, err, sizeof err);
	if (!srv.registry)
		fail_msg("registry: %s", err);
}

static void start_running_vm(void)
{
	disp_vmsnap *s = disp_registry_find(srv.registry, uuids[RUNNING]);
	assert_non_null(s);
	int rc = disp_hv_start(disp_vmops_hv(), s->cfg);
	if (rc != PRL_ERR_SUCCESS)
		fail_msg("start: %#x %s", (unsigned)rc, disp_hv_errmsg());
	disp_vmsnap_unref(s);
}

static int setup(void **state)
{
	(void)state;
	prlc_log_set_level(PRLC_LOG_ERROR);
	snprintf(state_dir, sizeof state_dir, "/tmp/test_vmlist_wire.XXXXXX");
	assert_non_null(mkdtemp(state_dir));
	opt.state_dir = state_dir;
	opt.auth = DISP_AUTH_DENY;
	assert_int_equal(disp_server_init(&srv, &opt, 2), 0);
	prlc_uuid_generate(srv.uuid);
	open_registry();
	create(PLAIN, new_config("plain"), 0);
	create(RICH, rich_config(), 0);
	create(ALICES, new_config("alice's"), 1000);
	create(RUNNING, new_config("running"), 0);
	create(INVALID, new_config("broken"), 0);
	disp_registry_close(srv.registry);      /* the reopen finds it broken */
	open_registry();
	char err[512];
	if (disp_vmops_init(&srv, "test:///default", err, sizeof err) < 0)
		fail_msg("vmops: %s", err);
	start_running_vm();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	disp_registry *reg = srv.registry; /* fini clears srv */
	disp_vmops_quiesce();
	disp_server_fini(&srv);
	disp_vmops_fini();
	disp_registry_close(reg);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", state_dir);
	return system(cmd);
}

/* ---- tests ----------------------------------------------------------------------------------- */

static void test_same_as_generic(void **state)
{
	(void)state;
	Prl__Frame *f = list_checked(0, 1ull << 40);  /* a long varint id */
	assert_int_equal(f->response->n_params, NVMS);
	assert_int_equal(vm_in(f, PLAIN)->state, VMS_STOPPED);
	assert_true(vm_in(f, RUNNING)->has_state);
	assert_int_equal(vm_in(f, RUNNING)->state, VMS_RUNNING);
	const Prl__VmConfig *bad = vm_in(f, INVALID);
	assert_int_equal(bad->state, VMS_UNKNOWN);
	assert_true(bad->has_config_validity);
	assert_int_equal(bad->config_validity, (uint32_t)PRL_ERR_PARSE_VM_CONFIG);
	const Prl__VmConfig *rich = vm_in(f, RICH);
	assert_int_equal(rich->n_devices, 2);
	assert_string_equal(rich->hostname, "rich.example");
	assert_false(vm_in(f, PLAIN)->has_config_validity);
	prl__frame__free_unpacked(f, NULL);
	f = list_checked(1000, 7);                /* alice sees her own only */
	assert_int_equal(f->response->n_params, 1);
	assert_string_equal(f->response->params[0]->vm->name, "alice's");
	prl__frame__free_unpacked(f, NULL);
	f = list_checked(1001, 8);                /* bob: nothing */
	assert_int_equal(f->response->n_params, 0);
	prl__frame__free_unpacked(f, NULL);
}

static void *cache_of(int which)
{
	disp_vmsnap *s = disp_registry_find(srv.registry, uuids[which]);
	assert_non_null(s);
	void *w = atomic_load(&s->wire);
	disp_vmsnap_unref(s);
	return w;
}

static void test_state_change_keeps_cache(void **state)
{
	(void)state;
	prl__frame__free_unpacked(list_checked(0, 1), NULL);
	void *before = cache_of(RUNNING);
	assert_non_null(before);
	assert_int_equal(disp_hv_stop(disp_vmops_hv(), uuids[RUNNING], PSM_KILL),
			 PRL_ERR_SUCCESS);
	Prl__Frame *f = list_checked(0, 2);
	assert_int_equal(vm_in(f, RUNNING)->state, VMS_STOPPED);
	assert_ptr_equal(cache_of(RUNNING), before);
	prl__frame__free_unpacked(f, NULL);
}

static void test_commit_gets_new_cache(void **state)
{
	(void)state;
	prl__frame__free_unpacked(list_checked(0, 1), NULL);
	disp_vmsnap *old = disp_registry_find(srv.registry, uuids[PLAIN]);
	void *before = atomic_load(&old->wire);   /* alive while old is */
	assert_non_null(before);
	Prl__VmConfig *edit = disp_vmconf_dup(old->cfg);
	disp_vmconf_set_str(&edit->description, "edited");
	assert_int_equal(disp_registry_update(srv.registry, edit, NULL),
			 PRL_ERR_SUCCESS);
	disp_vmconf_free(edit);
	assert_null(cache_of(PLAIN));             /* a new snapshot */
	Prl__Frame *f = list_checked(0, 3);
	assert_string_equal(vm_in(f, PLAIN)->description, "edited");
	assert_non_null(cache_of(PLAIN));
	assert_ptr_not_equal(cache_of(PLAIN), before);
	assert_ptr_equal(atomic_load(&old->wire), before);
	disp_vmsnap_unref(old);
	prl__frame__free_unpacked(f, NULL);
}

static void test_no_hypervisor(void **state)
{
	(void)state;
	disp_vmops_quiesce();
	disp_vmops_fini();                        /* states: VMS_UNKNOWN */
	Prl__Frame *f = list_checked(0, 4);
	assert_int_equal(vm_in(f, PLAIN)->state, VMS_UNKNOWN);
	prl__frame__free_unpacked(f, NULL);
}

/* The hypervisor driver's index of VM records, grown well past its first
 * size and thinned out again: every key still finds its own record. */
static void test_state_index(void **state)
{
	(void)state;
	enum { N = 1500 };
	disp_hv *hv = disp_vmops_hv();
	static char ids[N][PRLC_UUID_LEN + 1];
	static disp_hv_key keys[N];
	const disp_hv_key *kp[N + 1];
	uint32_t st[N + 1];
	for (int i = 0; i < N; i++) {
		prlc_uuid_generate(ids[i]);
		assert_int_equal(disp_hv_attach(hv, ids[i], state_dir), 0);
		assert_true(disp_hv_key_of(ids[i], &keys[i]));
		kp[i] = &keys[i];
	}
	for (int i = 0; i < N; i += 2)
		disp_hv_detach(hv, ids[i]);
	kp[N] = NULL;
	disp_hv_cached_states(hv, kp, N + 1, st);
	for (int i = 0; i < N; i++)
		assert_int_equal(st[i], i % 2 ? VMS_STOPPED : VMS_UNKNOWN);
	assert_int_equal(st[N], VMS_UNKNOWN);
	/* any spelling of a UUID is the same key */
	disp_hv_key k;
	char shout[PRLC_UUID_LEN + 1];
	for (int i = 0; i <= PRLC_UUID_LEN; i++)
		shout[i] = (char)toupper((unsigned char)ids[1][i]);
	assert_true(disp_hv_key_of(shout, &k));
	assert_true(k.hi == keys[1].hi && k.lo == keys[1].lo);
	char bare[40];
	snprintf(bare, sizeof bare, "%.36s", shout + 1);  /* libvirt's form */
	assert_true(disp_hv_key_of(bare, &k));
	assert_true(k.hi == keys[1].hi && k.lo == keys[1].lo);
	assert_false(disp_hv_key_of(shout + 1, &k));      /* half-braced */
	assert_false(disp_hv_key_of("{not-a-uuid}", &k));
	assert_int_equal(disp_hv_cached_state(hv, shout), VMS_STOPPED);
	assert_int_equal(disp_hv_cached_state(hv, uuids[RUNNING]), VMS_RUNNING);
}

/* ---- through the request path ----------------------------------------------------------- */

static void feed(disp_conn *c, const Prl__Frame *f)
{
	size_t len;
	uint8_t *buf = prlc_frame_encode(f, &len);
	assert_non_null(buf);
	disp_conn_feed(c, buf, len);
	free(buf);
}

static void send_request(disp_conn *c, uint64_t id, uint32_t op)
{
	Prl__Request req = PRL__REQUEST__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	req.id = id;
	req.op = op;
	f.body_case = PRL__FRAME__BODY_REQUEST;
	f.request = &req;
	feed(c, &f);
}

/* The next whole frame of c's output, raw (malloc'ed). */
static uint8_t *next_raw(disp_conn *c, size_t *len)
{
	struct evbuffer *out = disp_conn_output(c);
	size_t avail = evbuffer_get_length(out);
	if (avail < PRLC_FRAME_HEADER)
		return NULL;
	uint8_t hdr[PRLC_FRAME_HEADER];
	evbuffer_copyout(out, hdr, sizeof hdr);
	*len = PRLC_FRAME_HEADER + prlc_frame_peek_len(hdr);
	if (avail < *len)
		return NULL;
	uint8_t *buf = malloc(*len);
	evbuffer_remove(out, buf, *len);
	return buf;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits (bounded) for c's next frame: login runs on a worker. */
static uint8_t *wait_raw(disp_conn *c, size_t *len)
{
	uint8_t *buf;
	double until = now() + 10;
	while (!(buf = next_raw(c, len)) && now() < until) {
		event_base_loop(srv.base, EVLOOP_NONBLOCK);
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);   /* yields to the workers */
	}
	if (!buf)
		fail_msg("no frame came");
	return buf;
}

static bool is_event(const uint8_t *buf, size_t len)
{
	Prl__Frame *f = NULL;
	size_t used;
	assert_int_equal(prlc_frame_parse(buf, len, &f, &used), 1);
	bool ev = f->body_case == PRL__FRAME__BODY_EVENT;
	prl__frame__free_unpacked(f, NULL);
	return ev;
}

/* The next frame that is not an event (the VMs' state events come any
 * time). */
static uint8_t *wait_reply(disp_conn *c, size_t *len)
{
	for (;;) {
		uint8_t *buf = wait_raw(c, len);
		if (!is_event(buf, *len))
			return buf;
		free(buf);
	}
}

static disp_conn *logged_in(uid_t uid)
{
	disp_conn *c = disp_conn_new_fake(&srv, true, uid);
	Prl__Hello h = PRL__HELLO__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	h.magic = PRLC_WIRE_MAGIC;
	h.version = PRLC_PROTOCOL_VERSION;
	f.body_case = PRL__FRAME__BODY_HELLO;
	f.hello = &h;
	feed(c, &f);
	size_t len;
	free(wait_raw(c, &len));                  /* HelloReply */
	send_request(c, 1, PJOC_SRV_LOGIN_LOCAL);
	uint8_t *buf = wait_reply(c, &len);
	Prl__Frame *r = decode(buf, len);
	assert_int_equal(r->response->result, PRL_ERR_SUCCESS);
	prl__frame__free_unpacked(r, NULL);
	free(buf);
	return c;
}

/* GetVmList over c as uid: the frame must be what the generic path
 * makes of the registry's list. */
static void list_over(disp_conn *c, uid_t uid, uint64_t id)
{
	send_request(c, id, PJOC_SRV_GET_VM_LIST);
	size_t len;
	uint8_t *buf = wait_reply(c, &len);
	disp_vmsnap **snaps;
	size_t n;
	assert_int_equal(disp_registry_list(srv.registry, uid, &snaps, &n),
			 PRL_ERR_SUCCESS);
	prl__frame__free_unpacked(check_frame(buf, len, id, snaps, n), NULL);
	disp_registry_list_free(snaps, n);
	free(buf);
}

static void test_request_path(void **state)
{
	(void)state;
	disp_conn *root = logged_in(0), *alice = logged_in(1000);
	list_over(root, 0, 10);
	list_over(alice, 1000, 11);
	list_over(root, 0, 300);                  /* the stream stays in step */
	disp_conn_unref(root);                    /* the server closes them */
	disp_conn_unref(alice);
}

static void test_output_bound(void **state)
{
	(void)state;
	disp_conn *c = logged_in(0);                /* our reference */
	size_t n = DISP_OUT_MAX + 1;              /* a client that never reads */
	char *junk = calloc(1, n);
	evbuffer_add(disp_conn_output(c), junk, n);
	free(junk);
	send_request(c, 12, PJOC_SRV_GET_VM_LIST);
	assert_int_equal(c->state, DISP_CONN_DEAD);
	disp_conn_unref(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_as_generic, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_state_change_keeps_cache,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_gets_new_cache,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_hypervisor, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_state_index, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_request_path, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_output_bound, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
