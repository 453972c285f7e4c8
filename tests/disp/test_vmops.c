/*
 * test_vmops.c — the VM operations through the dispatcher's own request
 * path: a server with a real worker pool, the registry and libvirt's test
 * driver, and fake connections for three users (root, uid 1000, uid 1001).
 *
 * Covers registration, the lifecycle with its events (exact state
 * sequences, the vminfo_vm_state parameter), forbidden transitions with
 * their codes, edit collisions, clone / delete / unregister / register,
 * lookups, and who sees what: a VM's events and operations belong to its
 * owner and root only.  Waits are bounded polls of the loop, never sleeps
 * standing in for a condition.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "disp.h"
#include "prlc_consts.h"
#include "registry.h"
#include "vmops.h"

enum { ROOT, ALICE, BOB, NCONN };

static disp_options opt;
static disp_server srv;
static disp_conn *conn[NCONN];
static char state_dir[64];
static uint64_t next_id = 100;

/* Events each connection received, oldest first. */
static Prl__Event *events[NCONN][256];
static size_t nevents[NCONN];

/* ---- frames --------------------------------------------------------------- */

static void feed(disp_conn *c, const Prl__Frame *f)
{
	size_t len;
	uint8_t *buf = prlc_frame_encode(f, &len);
	assert_non_null(buf);
	disp_conn_feed(c, buf, len);
	free(buf);
}

static Prl__Frame *next_out(disp_conn *c)
{
	struct evbuffer *out = disp_conn_output(c);
	size_t avail = evbuffer_get_length(out), used = 0;
	Prl__Frame *f = NULL;
	const uint8_t *p = evbuffer_pullup(out, (ssize_t)avail);
	if (avail == 0 || prlc_frame_parse(p, avail, &f, &used) != 1)
		return NULL;
	evbuffer_drain(out, used);
	return f;
}

/* Moves events aside; returns the response with id, if it came. */
static Prl__Response *drain(int who, uint64_t id, Prl__Frame **holder)
{
	Prl__Frame *f;
	while ((f = next_out(conn[who])) != NULL) {
		if (f->body_case == PRL__FRAME__BODY_EVENT &&
		    nevents[who] < 256) {
			events[who][nevents[who]++] = f->event;
			f->event = NULL;
			f->body_case = PRL__FRAME__BODY__NOT_SET;
		} else if (f->body_case == PRL__FRAME__BODY_RESPONSE &&
			   f->response->id == id) {
			*holder = f;
			return f->response;
		}
		prl__frame__free_unpacked(f, NULL);
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs the loop a little: workers' completions, posted events. */
static void pump(void)
{
	event_base_loop(srv.base, EVLOOP_NONBLOCK);
	struct timespec ts = { 0, 1000000 };
	nanosleep(&ts, NULL); /* yields to the workers between polls */
}

static Prl__Frame *wait_response(int who, uint64_t id)
{
	Prl__Frame *holder = NULL;
	double until = now() + 10;
	while (!drain(who, id, &holder) && now() < until)
		pump();
	if (!holder)
		fail_msg("no response to request %llu", (unsigned long long)id);
	return holder;
}

/* ---- requests ------------------------------------------------------------- */

typedef struct arg {
	const char *name;
	Prl__Value value;
} arg;

static arg u32_arg(const char *name, uint32_t v)
{
	arg a = { name, PRL__VALUE__INIT };
	a.value.v_case = PRL__VALUE__V_U32;
	a.value.u32 = v;
	return a;
}

static arg str_arg(const char *name, const char *v)
{
	arg a = { name, PRL__VALUE__INIT };
	a.value.v_case = PRL__VALUE__V_STR;
	a.value.str = (char *)v;
	return a;
}

static arg vm_arg(Prl__VmConfig *c)
{
	arg a = { "config", PRL__VALUE__INIT };
	a.value.v_case = PRL__VALUE__V_VM;
	a.value.vm = c;
	return a;
}

/* Sends op (args: n of them) as `who`; returns the whole response frame. */
static Prl__Frame *call(int who, uint32_t op, const char *uuid, arg *args,
			size_t n)
{
	Prl__Request req = PRL__REQUEST__INIT;
	Prl__Param params[8], *pp[8];
	for (size_t i = 0; i < n; i++) {
		prl__param__init(&params[i]);
		params[i].name = (char *)args[i].name;
		params[i].value = &args[i].value;
		pp[i] = &params[i];
		if (!strcmp(args[i].name, "flags")) {
			req.has_flags = 1;
			req.flags = args[i].value.u32;
		}
	}
	req.id = ++next_id;
	req.op = op;
	req.vm_uuid = (char *)uuid;
	req.n_args = n;
	req.args = pp;
	Prl__Frame f = PRL__FRAME__INIT;
	f.body_case = PRL__FRAME__BODY_REQUEST;
	f.request = &req;
	feed(conn[who], &f);
	return wait_response(who, req.id);
}

#define CALL(who, op, uuid, ...) \
	call(who, op, uuid, (arg[]){ __VA_ARGS__ }, \
	     sizeof((arg[]){ __VA_ARGS__ }) / sizeof(arg))
#define CALL0(who, op, uuid) call(who, op, uuid, NULL, 0)

/* The result code, with the frame freed. */
static int32_t rc_of(Prl__Frame *f)
{
	int32_t rc = f->response->result;
	prl__frame__free_unpacked(f, NULL);
	return rc;
}

static void expect_ok(Prl__Frame *f)
{
	if (f->response->result != 0)
		fail_msg("request failed: %#x %s", (unsigned)f->response->result,
			 f->response->error ? f->response->error : "");
}

/* The configuration a response carries (a copy to free). */
static Prl__VmConfig *vm_of(Prl__Frame *f)
{
	expect_ok(f);
	assert_true(f->response->n_params >= 1);
	assert_int_equal(f->response->params[0]->v_case, PRL__VALUE__V_VM);
	Prl__VmConfig *c = disp_vmconf_dup(f->response->params[0]->vm);
	prl__frame__free_unpacked(f, NULL);
	return c;
}

/* ---- events --------------------------------------------------------------- */

static void forget_events(void)
{
	for (int w = 0; w < NCONN; w++) {
		for (size_t i = 0; i < nevents[w]; i++)
			prl__event__free_unpacked(events[w][i], NULL);
		nevents[w] = 0;
	}
}

static int32_t event_state(const Prl__Event *e)
{
	assert_int_equal(e->n_params, 1);
	assert_string_equal(e->params[0]->name, "vminfo_vm_state");
	assert_int_equal(e->params[0]->type, PFD_INT32);
	assert_int_equal(e->params[0]->value->v_case, PRL__VALUE__V_I32);
	return e->params[0]->value->i32;
}

static size_t count(int who, uint32_t type, const char *uuid)
{
	size_t n = 0;
	for (size_t i = 0; i < nevents[who]; i++)
		n += events[who][i]->type == type &&
		     !strcasecmp(events[who][i]->issuer_id, uuid);
	return n;
}

/* Waits until `who` has n state events of uuid, then checks them. */
static void expect_states(int who, const char *uuid, const uint32_t *want,
			  size_t n)
{
	double until = now() + 10;
	Prl__Frame *none = NULL;
	while (count(who, PET_DSP_EVT_VM_STATE_CHANGED, uuid) < n &&
	       now() < until) {
		pump();
		drain(who, 0, &none);
	}
	size_t k = 0;
	for (size_t i = 0; i < nevents[who]; i++) {
		Prl__Event *e = events[who][i];
		if (e->type != PET_DSP_EVT_VM_STATE_CHANGED ||
		    strcasecmp(e->issuer_id, uuid))
			continue;
		assert_int_equal(e->issuer_type, PIE_VIRTUAL_MACHINE);
		if (k >= n || (uint32_t)event_state(e) != want[k])
			fail_msg("state event %zu of user %d is %#x", k, who,
				 (unsigned)event_state(e));
		k++;
	}
	if (k != n)
		fail_msg("user %d got %zu state events, expected %zu", who, k, n);
}

#define STATES(who, uuid, ...) do { \
	const uint32_t w_[] = { __VA_ARGS__ }; \
	expect_states(who, uuid, w_, sizeof w_ / sizeof *w_); \
} while (0)

static void wait_event(int who, uint32_t type, const char *uuid)
{
	double until = now() + 10;
	Prl__Frame *none = NULL;
	while (!count(who, type, uuid) && now() < until) {
		pump();
		drain(who, 0, &none);
	}
	if (!count(who, type, uuid))
		fail_msg("user %d got no event %u for %s", who, type, uuid);
}

/* ---- fixture -------------------------------------------------------------- */

static void hello_login(int who)
{
	Prl__Hello h = PRL__HELLO__INIT;
	Prl__Frame f = PRL__FRAME__INIT;
	h.magic = PRLC_WIRE_MAGIC;
	h.version = PRLC_PROTOCOL_VERSION;
	f.body_case = PRL__FRAME__BODY_HELLO;
	f.hello = &h;
	feed(conn[who], &f);
	Prl__Frame *r = next_out(conn[who]);
	assert_non_null(r);
	prl__frame__free_unpacked(r, NULL);
	assert_int_equal(rc_of(CALL0(who, PJOC_SRV_LOGIN_LOCAL, NULL)), 0);
}

static int setup(void **state)
{
	prlc_log_set_level(PRLC_LOG_ERROR);
	snprintf(state_dir, sizeof state_dir, "/tmp/test_vmops.XXXXXX");
	assert_non_null(mkdtemp(state_dir));
	opt.state_dir = state_dir;
	opt.auth = DISP_AUTH_DENY;
	assert_int_equal(disp_server_init(&srv, &opt, 2), 0);
	prlc_uuid_generate(srv.uuid);
	char err[512];
	srv.registry = disp_registry_open(state_dir, err, sizeof err);
	assert_non_null(srv.registry);
	if (disp_vmops_init(&srv, "test:///default", err, sizeof err) < 0)
		fail_msg("vmops: %s", err);
	uid_t uids[NCONN] = { 0, 1000, 1001 };
	for (int i = 0; i < NCONN; i++) {
		conn[i] = disp_conn_new_fake(&srv, true, uids[i]);
		hello_login(i);
	}
	return 0;
}

static int teardown(void **state)
{
	forget_events();
	for (int i = 0; i < NCONN; i++)
		disp_conn_unref(conn[i]);
	disp_registry *reg = srv.registry; /* fini clears srv */
	disp_vmops_quiesce();
	disp_server_fini(&srv);
	disp_vmops_fini();
	disp_registry_close(reg);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", state_dir);
	return system(cmd);
}

static Prl__VmConfig *new_vm(const char *name)
{
	Prl__VmConfig *c = calloc(1, sizeof *c);
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

/* Registers a VM for `who`; returns it as the dispatcher answered. */
static Prl__VmConfig *reg_vm(int who, const char *name)
{
	Prl__VmConfig *c = new_vm(name);
	Prl__VmConfig *got = vm_of(CALL(who, PJOC_VM_REG, c->uuid, vm_arg(c),
					str_arg("path", ""), u32_arg("flags", 0)));
	disp_vmconf_free(c);
	return got;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_register_and_events(void **state)
{
	Prl__VmConfig *c = reg_vm(ALICE, "a1");
	const char *u = c->uuid;
	char want[256];
	snprintf(want, sizeof want, "/vms/a1.pvm");
	assert_non_null(strstr(c->home_path, want));
	assert_int_equal(c->state, VMS_STOPPED);
	struct passwd *pw = getpwuid(1000); /* the login names the owner */
	assert_string_equal(c->owner, pw ? pw->pw_name : "1000");
	wait_event(ALICE, PET_DSP_EVT_VM_ADDED, u);
	wait_event(ROOT, PET_DSP_EVT_VM_ADDED, u);
	assert_int_equal(count(BOB, PET_DSP_EVT_VM_ADDED, u), 0);

	assert_int_equal(rc_of(CALL0(ALICE, PJOC_VM_START, u)), 0);
	STATES(ALICE, u, VMS_RUNNING);
	STATES(ROOT, u, VMS_RUNNING);
	Prl__Frame *f = CALL0(ALICE, PJOC_VM_START, u);
	assert_int_equal(f->response->result, PRL_ERR_VM_ALREADY_RUNNING);
	assert_non_null(strstr(f->response->error, "already running"));
	prl__frame__free_unpacked(f, NULL);

	f = CALL0(ALICE, PJOC_VM_GET_STATE, u);
	expect_ok(f);
	assert_int_equal(f->response->params[0]->v_case, PRL__VALUE__V_VM_INFO);
	assert_int_equal(f->response->params[0]->vm_info->state, VMS_RUNNING);
	prl__frame__free_unpacked(f, NULL);

	assert_int_equal(rc_of(CALL(BOB, PJOC_VM_STOP, u,
				    u32_arg("stop_mode", PSM_KILL))),
			 PRL_ERR_ACCESS_TO_VM_DENIED);
	assert_int_equal(count(BOB, PET_DSP_EVT_VM_STATE_CHANGED, u), 0);
	disp_vmconf_free(c);
}

static void test_lifecycle(void **state)
{
	Prl__VmConfig *c = reg_vm(ALICE, "life");
	const char *u = c->uuid;
	assert_int_equal(rc_of(CALL0(ALICE, PJOC_VM_START, u)), 0);
	assert_int_equal(rc_of(CALL(ALICE, PJOC_VM_PAUSE, u,
				    u32_arg("acpi", 0))), 0);
	assert_int_equal(rc_of(CALL(ALICE, PJOC_VM_PAUSE, u,
				    u32_arg("acpi", 0))),
			 PRL_ERR_DISP_VM_IS_NOT_RUNNING);
	assert_int_equal(rc_of(CALL0(ALICE, PJOC_VM_START, u)), 0); /* T19 */
	assert_int_equal(rc_of(CALL0(ALICE, PJOC_VM_SUSPEND, u)), 0);
	Prl__VmConfig *edit = vm_of(CALL0(ALICE, PJOC_VM_BEGIN_EDIT, u));
	assert_int_equal(rc_of(CALL(ALICE, PJOC_VM_COMMIT, u, vm_arg(edit),
				    u32_arg("flags", 0))),
			 PRL_ERR_CANT_EDIT_SUSPENDED_VM);
	assert_int_equal(rc_of(CALL(ALICE, PJOC_VM_START, u,
				    u32_arg("resume", 1))), 0);
	assert_int_equal(rc_of(CALL0(ALICE, PJOC_VM_RESET, u)), 0);
	Prl__Frame *f = CALL(ALICE, PJOC_VM_GET_STATISTICS, u,
			     u32_arg("flags", 0));
	expect_ok(f);
	assert_int_equal(f->response->params[0]->v_case, PRL__VALUE__V_STATS);
	assert_true(f->response->params[0]->stats->n_cpus == 1);
	prl__frame__free_unpacked(f, NULL);
	assert_int_equal(rc_of(CALL(ALICE, PJOC_VM_STOP, u,
				    u32_arg("stop_mode", PSM_KILL),
				    u32_arg("flags", 0))), 0);
	assert_int_equal(rc_of(CALL(ALICE, PJOC_VM_STOP, u,
				    u32_arg("stop_mode", PSM_KILL))),
			 PRL_ERR_DISP_VM_IS_NOT_STARTED);
	assert_int_equal(rc_of(CALL0(ALICE, PJOC_VM_DROP_SUSPENDED_STATE, u)),
			 PRL_ERR_VM_IS_NOT_SUSPENDED);
	STATES(ALICE, u, VMS_RUNNING, VMS_PAUSED, VMS_RUNNING, VMS_SUSPENDING,
	       VMS_SUSPENDED, VMS_RESTORING, VMS_RUNNING, VMS_RESETTING,
	       VMS_RUNNING, VMS_STOPPING, VMS_STOPPED);
	disp_vmconf_free(edit);
	disp_vmconf_free(c);
}

static void test_edit_collision(void **state)
{
	Prl__VmConfig *c = reg_vm(ALICE, "edit");
	Prl__VmConfig *e1 = vm_of(CALL0(ALICE, PJOC_VM_BEGIN_EDIT, c->uuid));
	Prl__VmConfig *e2 = vm_of(CALL0(ROOT, PJOC_VM_REFRESH_CONFIG, c->uuid));
	assert_int_equal(e1->revision, 1);
	e1->ram_mb = 256;
	Prl__VmConfig *saved = vm_of(CALL(ALICE, PJOC_VM_COMMIT, c->uuid,
					  vm_arg(e1), u32_arg("flags", 0)));
	assert_int_equal(saved->revision, 2);
	assert_int_equal(saved->ram_mb, 256);
	wait_event(ALICE, PET_DSP_EVT_VM_CONFIG_CHANGED, c->uuid);
	e2->cpu_count = 2;
	Prl__Frame *f = CALL(ROOT, PJOC_VM_COMMIT, c->uuid, vm_arg(e2),
			     u32_arg("flags", 0));
	assert_int_equal(f->response->result, PRL_ERR_CONFIG_EDIT_COLLISION);
	prl__frame__free_unpacked(f, NULL);
	assert_int_equal(rc_of(CALL(BOB, PJOC_VM_COMMIT, c->uuid, vm_arg(saved),
				    u32_arg("flags", 0))),
			 PRL_ERR_ACCESS_TO_VM_DENIED);
	disp_vmconf_free(saved);
	disp_vmconf_free(e1);
	disp_vmconf_free(e2);
	disp_vmconf_free(c);
}

static void test_clone_delete_register(void **state)
{
	Prl__VmConfig *c = reg_vm(ALICE, "orig");
	const char *u = c->uuid;
	Prl__VmConfig *k = vm_of(CALL(ALICE, PJOC_VM_CLONE, u,
				      str_arg("name", "orig-copy"),
				      str_arg("path", ""),
				      u32_arg("flags", PCVF_CLONE_TO_TEMPLATE)));
	assert_string_not_equal(k->uuid, u);
	assert_true(k->is_template);
	wait_event(ALICE, PET_DSP_EVT_VM_ADDED, k->uuid);
	assert_int_equal(rc_of(CALL0(ALICE, PJOC_VM_START, k->uuid)),
			 PRL_ERR_CANT_TO_START_VM_TEMPLATE);

	assert_int_equal(rc_of(CALL0(ALICE, PJOC_VM_START, u)), 0);
	assert_int_equal(rc_of(CALL(ALICE, PJOC_VM_CLONE, u,
				    str_arg("name", "nope"), str_arg("path", ""),
				    u32_arg("flags", 0))),
			 PRL_ERR_DISP_VM_IS_NOT_STOPPED);
	assert_int_equal(rc_of(CALL0(ALICE, PJOC_VM_DELETE, u)),
			 PRL_ERR_DISP_VM_IS_NOT_STOPPED);
	assert_int_equal(rc_of(CALL(ALICE, PJOC_VM_STOP, u,
				    u32_arg("stop_mode", PSM_KILL))), 0);

	struct stat st;
	assert_int_equal(stat(k->home_path, &st), 0);
	assert_int_equal(rc_of(CALL0(ALICE, PJOC_VM_DELETE, k->uuid)), 0);
	wait_event(ALICE, PET_DSP_EVT_VM_DELETED, k->uuid);
	assert_int_equal(stat(k->home_path, &st), -1);

	assert_int_equal(rc_of(CALL0(ALICE, PJOC_VM_UNREG, u)), 0);
	wait_event(ROOT, PET_DSP_EVT_VM_UNREGISTERED, u);
	assert_int_equal(rc_of(CALL0(ALICE, PJOC_VM_GET_STATE, u)),
			 PRL_ERR_VM_UUID_NOT_FOUND);
	assert_int_equal(stat(c->home_path, &st), 0); /* files kept */

	/* bob cannot adopt a bundle that is not his */
	assert_int_equal(rc_of(CALL(BOB, PJOC_SRV_REGISTER_VM, NULL,
				    str_arg("path", c->home_path),
				    u32_arg("flags", 0))),
			 PRL_ERR_ACCESS_DENIED);
	Prl__VmConfig *back = vm_of(CALL(ROOT, PJOC_SRV_REGISTER_VM, NULL,
					 str_arg("path", c->home_path),
					 u32_arg("flags", 0)));
	assert_string_equal(back->uuid, u);
	wait_event(ROOT, PET_DSP_EVT_VM_ADDED, u);

	Prl__VmConfig *found = vm_of(CALL(ROOT, PJOC_SRV_GET_VM_CONFIG, NULL,
					  str_arg("search_id", "orig"),
					  u32_arg("flags", 0)));
	assert_string_equal(found->uuid, u);
	assert_int_equal(found->state, VMS_STOPPED);
	assert_int_equal(rc_of(CALL(ALICE, PJOC_SRV_GET_VM_CONFIG, NULL,
				    str_arg("search_id", "orig"),
				    u32_arg("flags", 0))),
			 PRL_ERR_ACCESS_TO_VM_DENIED); /* root owns it now */
	assert_int_equal(rc_of(CALL(ROOT, PJOC_SRV_GET_VM_CONFIG, NULL,
				    str_arg("search_id", "missing"),
				    u32_arg("flags", 0))),
			 PRL_ERR_VM_UUID_NOT_FOUND);
	disp_vmconf_free(found);
	disp_vmconf_free(back);
	disp_vmconf_free(k);
	disp_vmconf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_and_events, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_collision, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_clone_delete_register,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
