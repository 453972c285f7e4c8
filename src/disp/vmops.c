/*
 * vmops.c — the VM operations and VM events of the dispatcher (see
 * vmops.h; arguments and answers as in docs/vm-ops.md).
 *
 * Every operation runs on a worker: it finds the target VM in the registry
 * (Request.vm_uuid), checks that the session may use it (its owner, or
 * root: PRL_ERR_ACCESS_TO_VM_DENIED otherwise), takes the VM's stripe lock
 * (so a start cannot race a delete of the same VM; different VMs proceed in
 * parallel), then calls the registry (files) and the hypervisor driver
 * (libvirt).  Their PRL_RESULT and error text become the answer.
 *
 * Events are built on the loop thread: the hypervisor's state callback and
 * the operations post a small record there (disp_server_post), which is
 * encoded once and queued to every logged-in session that may see the VM.
 * After disp_vmops_quiesce nothing is posted any more, so the server can be
 * torn down under a still-open libvirt connection.
 */
#define _GNU_SOURCE
#include "vmops.h"
#include "perfstats.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "frame.h"
#include "hv.h"
#include "ops.h"
#include "prlc_consts.h"
#include "state.h"

#define STRIPES 64

static struct {
	disp_server *srv;
	disp_hv *hv;
	pthread_mutex_t lock;   /* guards `live` against quiesce */
	bool live;              /* events may be posted to the loop */
	pthread_mutex_t stripe[STRIPES];
} vm = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.stripe = { [0 ... STRIPES - 1] = PTHREAD_MUTEX_INITIALIZER },
};

/* ---- events --------------------------------------------------------------- */

typedef struct vm_event {
	uint32_t type;                  /* PET_* */
	char uuid[PRLC_UUID_LEN + 1];
	bool has_owner;                 /* else looked up in the registry */
	uid_t owner;
	bool has_state;
	uint32_t state;
} vm_event;

static bool may_see(const disp_session *s, uid_t owner)
{
	return s->user_uid == 0 || s->user_uid == owner;
}

static void fill_event(Prl__Event *ev, Prl__Param *p, Prl__Value *v,
		       vm_event *e)
{
	ev->type = e->type;
	ev->issuer_type = PIE_VIRTUAL_MACHINE;
	ev->issuer_id = e->uuid;
	if (!e->has_state)
		return;
	v->v_case = PRL__VALUE__V_I32;  /* the real SDK's "Integer" */
	v->i32 = (int32_t)e->state;
	p->name = "vminfo_vm_state";
	p->has_type = 1;
	p->type = PFD_INT32;
	p->value = v;
}

static disp_shared *encode_event(vm_event *e)
{
	Prl__Event ev = PRL__EVENT__INIT;
	Prl__Param p = PRL__PARAM__INIT, *pp = &p;
	Prl__Value v = PRL__VALUE__INIT;
	fill_event(&ev, &p, &v, e);
	if (e->has_state) {
		ev.n_params = 1;
		ev.params = &pp;
	}
	Prl__Frame f = PRL__FRAME__INIT;
	f.body_case = PRL__FRAME__BODY_EVENT;
	f.event = &ev;
	size_t len;
	uint8_t *buf = prlc_frame_encode(&f, &len);
	return buf ? disp_shared_new(buf, len) : NULL;
}

/* Loop thread: the event goes to every session that may see the VM. */
static void deliver_event(void *arg)
{
	vm_event *e = arg;
	pthread_mutex_lock(&vm.lock);
	bool live = vm.live;
	pthread_mutex_unlock(&vm.lock);
	disp_vmsnap *s = live && !e->has_owner ?
			 disp_registry_find(vm.srv->registry, e->uuid) : NULL;
	if (s)
		e->owner = s->owner;
	disp_shared *sh = live && (s || e->has_owner) ? encode_event(e) : NULL;
	for (disp_conn *c = sh ? vm.srv->conns : NULL, *next; c; c = next) {
		next = c->next;
		if (c->state == DISP_CONN_OPEN && c->sess.logged_in &&
		    may_see(&c->sess, e->owner))
			disp_conn_send_shared(c, sh);
	}
	if (sh)
		disp_shared_unref(sh);
	disp_vmsnap_unref(s);
	free(e);
}

/* Any thread.  owner NULL: the VM's current owner. */
static void post_event(uint32_t type, const char *uuid, const uid_t *owner,
		       const uint32_t *state)
{
	vm_event *e = calloc(1, sizeof *e);
	if (!e)
		return;
	e->type = type;
	snprintf(e->uuid, sizeof e->uuid, "%s", uuid);
	e->has_owner = owner != NULL;
	e->owner = owner ? *owner : 0;
	e->has_state = state != NULL;
	e->state = state ? *state : 0;
	pthread_mutex_lock(&vm.lock);
	bool sent = vm.live && disp_server_post(vm.srv, deliver_event, e) == 0;
	pthread_mutex_unlock(&vm.lock);
	if (!sent)
		free(e);
}

static void track_running(const char *uuid, uint32_t state);

/* The hypervisor driver's thread: one call per state change. */
static void on_state(void *ctx, const char *uuid, uint32_t state)
{
	(void)ctx;
	post_event(PET_DSP_EVT_VM_STATE_CHANGED, uuid, NULL, &state);
	track_running(uuid, state);
}

/* ---- set-up --------------------------------------------------------------- */

static size_t attach_all(disp_registry *reg)
{
	disp_vmsnap **list;
	size_t n = 0;
	if (disp_registry_list(reg, 0, &list, &n) != PRL_ERR_SUCCESS)
		return 0;
	for (size_t i = 0; i < n; i++)
		disp_hv_attach(vm.hv, list[i]->cfg->uuid, list[i]->bundle);
	disp_registry_list_free(list, n);
	return n;
}

int disp_vmops_init(disp_server *srv, const char *uri, char *err,
		    size_t errlen)
{
	if (!srv->registry) {
		snprintf(err, errlen, "the VM registry is not open");
		return -1;
	}
	vm.srv = srv;
	vm.hv = disp_hv_open(uri, on_state, NULL, err, errlen);
	if (!vm.hv) {
		size_t l = strlen(err);
		snprintf(err + l, errlen - l, " (--hypervisor test:///default "
			 "runs libvirt's built-in test driver)");
		return -1;
	}
	size_t n = attach_all(srv->registry);
	if (disp_hv_sync(vm.hv) != PRL_ERR_SUCCESS)
		PRLC_WARN("VM states: %s", disp_hv_errmsg());
	pthread_mutex_lock(&vm.lock);
	vm.live = true;
	pthread_mutex_unlock(&vm.lock);
	PRLC_INFO("VMs: %zu on %s", n, uri);
	return 0;
}

void disp_vmops_quiesce(void)
{
	pthread_mutex_lock(&vm.lock);
	vm.live = false;
	pthread_mutex_unlock(&vm.lock);
}

void disp_vmops_fini(void)
{
	disp_vmops_quiesce();
	disp_hv_close(vm.hv);
	vm.hv = NULL;
	vm.srv = NULL;
}

disp_hv *disp_vmops_hv(void)
{
	return vm.hv;
}

uint32_t disp_vmops_state(const char *uuid)
{
	return vm.hv ? disp_hv_cached_state(vm.hv, uuid) : VMS_UNKNOWN;
}

/* A bundle whose config.pvs was refused is listed, marked invalid
 * (PrlVmInfo_IsInvalid, PrlVmCfg_GetConfigValidity), never run. */
uint32_t disp_vmops_listed_state(const disp_vmsnap *s, uint32_t known)
{
	return s->invalid ? VMS_UNKNOWN : known;
}

void disp_vmops_list_form(const disp_vmsnap *s, uint32_t known,
			  Prl__VmConfig *out)
{
	*out = *s->cfg;
	out->has_state = 1;
	out->state = disp_vmops_listed_state(s, known);
	if (s->invalid) {
		out->has_config_validity = 1;
		out->config_validity = (uint32_t)PRL_ERR_PARSE_VM_CONFIG;
	}
}

Prl__VmConfig *disp_vmops_config_view(const disp_vmsnap *s)
{
	Prl__VmConfig *v = malloc(sizeof *v);
	if (v)
		disp_vmops_list_form(s, disp_vmops_state(s->cfg->uuid), v);
	return v;
}

/* ---- helpers for requests ------------------------------------------------- */

static disp_registry *reg(disp_req *r)
{
	return disp_req_server(r)->registry;
}

static int need_ready(disp_req *r)
{
	if (vm.hv && reg(r))
		return PRL_ERR_SUCCESS;
	return disp_req_fail(r, PRL_ERR_UNIMPLEMENTED, "this dispatcher runs no "
			     "hypervisor (see --hypervisor)");
}

static int hv_result(disp_req *r, int rc)
{
	return rc == PRL_ERR_SUCCESS ? rc :
	       disp_req_fail(r, rc, "%s", disp_hv_errmsg());
}

static int reg_result(disp_req *r, int rc)
{
	return rc == PRL_ERR_SUCCESS ? rc :
	       disp_req_fail(r, rc, "%s", disp_registry_errmsg());
}

static int visible(disp_req *r, disp_vmsnap *s, const char *what)
{
	if (!s)
		return disp_req_fail(r, PRL_ERR_VM_UUID_NOT_FOUND, "no VM %s is "
				     "registered", what ? what : "(none)");
	if (may_see(disp_req_session(r), s->owner))
		return PRL_ERR_SUCCESS;
	disp_vmsnap_unref(s);
	return disp_req_fail(r, PRL_ERR_ACCESS_TO_VM_DENIED, "VM %s belongs "
			     "to another user", what);
}

/* The VM named by Request.vm_uuid, if the session may use it. */
static int target(disp_req *r, disp_vmsnap **out)
{
	const char *uuid = disp_req_msg(r)->vm_uuid;
	disp_vmsnap *s = uuid && prlc_uuid_is_valid(uuid) ?
			 disp_registry_find(reg(r), uuid) : NULL;
	int rc = visible(r, s, uuid);
	*out = rc == PRL_ERR_SUCCESS ? s : NULL;
	return rc;
}

static pthread_mutex_t *stripe_of(const char *uuid)
{
	unsigned h = 5381;
	for (const char *p = uuid; *p; p++)
		h = h * 33 + (unsigned)(*p | 0x20); /* case-blind: hex digits */
	return &vm.stripe[h % STRIPES];
}

static Prl__Value *value_new(void)
{
	Prl__Value *v = malloc(sizeof *v);
	if (v)
		prl__value__init(v);
	return v;
}

static int add_value(disp_req *r, Prl__Value *v)
{
	if (!v || disp_req_add_value(r, v, NULL) < 0)
		return disp_req_fail(r, PRL_ERR_OUT_OF_MEMORY, "out of memory");
	return PRL_ERR_SUCCESS;
}

/* Answers a copy of s's configuration, with the VM's state. */
static int reply_config(disp_req *r, const disp_vmsnap *s)
{
	Prl__Value *v = value_new();
	Prl__VmConfig *c = v ? disp_vmconf_dup(s->cfg) : NULL;
	if (!c) {
		free(v);
		return add_value(r, NULL);
	}
	c->has_state = 1;
	c->state = disp_vmops_state(c->uuid);
	v->v_case = PRL__VALUE__V_VM;
	v->vm = c;
	return add_value(r, v);
}

static int reply_info(disp_req *r, const disp_vmsnap *s, uint32_t state)
{
	Prl__Value *v = value_new();
	Prl__VmInfo *i = v ? malloc(sizeof *i) : NULL;
	if (!i) {
		free(v);
		return add_value(r, NULL);
	}
	prl__vm_info__init(i);
	i->state = state;
	i->has_addition_state = 1;
	i->addition_state = VMAS_NOSTATE;
	i->has_invalid = 1;
	i->invalid = s->invalid;
	i->owner = s->cfg->owner ? strdup(s->cfg->owner) : NULL;
	v->v_case = PRL__VALUE__V_VM_INFO;
	v->vm_info = i;
	return add_value(r, v);
}

static uint32_t live_state(const disp_vmsnap *s)
{
	uint32_t st = VMS_UNKNOWN;
	if (disp_hv_state(vm.hv, s->cfg->uuid, &st) != PRL_ERR_SUCCESS)
		st = disp_vmops_state(s->cfg->uuid);
	return st;
}

/* For unregister, delete and clone: the VM must not be running. */
static int need_stopped(disp_req *r, const disp_vmsnap *s, bool suspended_ok)
{
	uint32_t st = live_state(s);
	if (st == VMS_STOPPED || (suspended_ok && st == VMS_SUSPENDED) ||
	    (s->invalid && st == VMS_UNKNOWN))
		return PRL_ERR_SUCCESS;
	return disp_req_fail(r, PRL_ERR_DISP_VM_IS_NOT_STOPPED, "VM '%s' must "
			     "be stopped first", s->cfg->name);
}

/* ---- lifecycle ------------------------------------------------------------ */

typedef int (*vm_action)(disp_req *r, const disp_vmsnap *s);

static int locked_act(disp_req *r, vm_action act, bool valid_only,
		      const disp_vmsnap *s)
{
	if (valid_only && s->invalid)
		return disp_req_fail(r, PRL_ERR_PARSE_VM_CONFIG, "VM '%s' is "
				     "invalid: %s", s->cfg->name, s->problem);
	return act(r, s);
}

/* The skeleton of every operation on one VM: find, check, lock, find
 * again (it may have been deleted or edited while we waited), act. */
static int on_vm(disp_req *r, vm_action act, bool valid_only)
{
	disp_vmsnap *s;
	int rc = need_ready(r);
	if (rc == PRL_ERR_SUCCESS)
		rc = target(r, &s);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	pthread_mutex_t *m = stripe_of(s->cfg->uuid);
	pthread_mutex_lock(m);
	disp_vmsnap *now = disp_registry_find(reg(r), s->cfg->uuid);
	if (now && now->owner == s->owner)
		rc = locked_act(r, act, valid_only, now);
	else
		rc = disp_req_fail(r, PRL_ERR_VM_UUID_NOT_FOUND, "VM %s was just "
				   "removed", s->cfg->uuid);
	pthread_mutex_unlock(m);
	disp_vmsnap_unref(now);
	disp_vmsnap_unref(s);
	return rc;
}

/* A lifecycle operation's outcome; on success running.list learns the VM's
 * state now, before the client hears of it: a crash right after the reply
 * must neither bring back a VM just stopped nor forget one just started
 * (the state event that also tells it may still be queued). */
static int lifecycle_done(disp_req *r, const char *uuid, int rc)
{
	if (rc == PRL_ERR_SUCCESS)      /* the state the operation left: no query */
		track_running(uuid, disp_hv_cached_state(vm.hv, uuid));
	return hv_result(r, rc);
}

static int act_start(disp_req *r, const disp_vmsnap *s)
{
	uint32_t resume = 0;
	disp_req_arg_u32(r, "resume", &resume);
	if (resume) /* PrlVm_Resume: the same op code, resume:u32=1 */
		return lifecycle_done(r, s->cfg->uuid, disp_hv_resume(vm.hv, s->cfg->uuid));
	if (s->cfg->has_is_template && s->cfg->is_template)
		return disp_req_fail(r, PRL_ERR_CANT_TO_START_VM_TEMPLATE, "'%s' "
				     "is a template; clone it to run it",
				     s->cfg->name);
	int rc = disp_hv_create_disks(vm.hv, s->cfg);
	return lifecycle_done(r, s->cfg->uuid, rc ? rc : disp_hv_start(vm.hv, s->cfg));
}

static int act_stop(disp_req *r, const disp_vmsnap *s)
{
	uint32_t mode = PSM_KILL;
	disp_req_arg_u32(r, "stop_mode", &mode);
	return lifecycle_done(r, s->cfg->uuid, disp_hv_stop(vm.hv, s->cfg->uuid, mode));
}

static int act_pause(disp_req *r, const disp_vmsnap *s)
{
	return lifecycle_done(r, s->cfg->uuid, disp_hv_pause(vm.hv, s->cfg->uuid));
}

static int act_reset(disp_req *r, const disp_vmsnap *s)
{
	return lifecycle_done(r, s->cfg->uuid, disp_hv_reset(vm.hv, s->cfg->uuid));
}

static int act_suspend(disp_req *r, const disp_vmsnap *s)
{
	return lifecycle_done(r, s->cfg->uuid, disp_hv_suspend(vm.hv, s->cfg->uuid));
}

static int act_drop(disp_req *r, const disp_vmsnap *s)
{
	return lifecycle_done(r, s->cfg->uuid, disp_hv_drop_suspended(vm.hv, s->cfg->uuid));
}

static int act_restart(disp_req *r, const disp_vmsnap *s)
{
	return lifecycle_done(r, s->cfg->uuid, disp_hv_restart(vm.hv, s->cfg->uuid));
}

static int act_state(disp_req *r, const disp_vmsnap *s)
{
	return reply_info(r, s, s->invalid ? VMS_UNKNOWN : live_state(s));
}

#define VM_OP(name, act, valid_only) \
	static int name(disp_req *r) { return on_vm(r, act, valid_only); }

VM_OP(start_run, act_start, true)
VM_OP(stop_run, act_stop, true)
VM_OP(pause_run, act_pause, true)
VM_OP(reset_run, act_reset, true)
VM_OP(suspend_run, act_suspend, true)
VM_OP(drop_run, act_drop, true)
VM_OP(restart_run, act_restart, true)
VM_OP(state_run, act_state, false)

/* ---- statistics ----------------------------------------------------------- */

/* PrlVm_GetStatistics: CPU usage over a short window, memory, disk and
 * network I/O, built by the performance-counter module (perfstats.c). */
static int act_stats(disp_req *r, const disp_vmsnap *s)
{
	Prl__Statistics *st;
	int rc = disp_perf_vm_statistics_get(vm.hv, s->cfg, &st);
	if (rc != PRL_ERR_SUCCESS)
		return hv_result(r, rc);
	Prl__Value *v = value_new();
	if (!v) {
		prl__statistics__free_unpacked(st, NULL);
		return add_value(r, NULL);
	}
	v->v_case = PRL__VALUE__V_STATS;
	v->stats = st;
	return add_value(r, v);
}

VM_OP(stats_run, act_stats, true)

/* ---- configuration -------------------------------------------------------- */

static int act_config(disp_req *r, const disp_vmsnap *s)
{
	return reply_config(r, s);
}

VM_OP(config_run, act_config, false)

static int commit_checks(disp_req *r, const disp_vmsnap *s,
			 const Prl__VmConfig **cfg)
{
	const Prl__Value *v = disp_req_arg(r, "config");
	*cfg = v && v->v_case == PRL__VALUE__V_VM ? v->vm : NULL;
	if (!*cfg || !(*cfg)->uuid || strcasecmp((*cfg)->uuid, s->cfg->uuid))
		return disp_req_fail(r, PRL_ERR_INVALID_ARG, "the commit carries "
				     "no configuration of VM %s", s->cfg->uuid);
	if (live_state(s) == VMS_SUSPENDED)
		return disp_req_fail(r, PRL_ERR_CANT_EDIT_SUSPENDED_VM, "VM '%s' "
				     "is suspended: resume or drop its state "
				     "before editing it", s->cfg->name);
	return PRL_ERR_SUCCESS;
}

static int act_commit(disp_req *r, const disp_vmsnap *s)
{
	const Prl__VmConfig *cfg;
	disp_vmsnap *now = NULL;
	int rc = commit_checks(r, s, &cfg);
	if (rc == PRL_ERR_SUCCESS)
		rc = reg_result(r, disp_registry_update(reg(r), cfg, &now));
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	uid_t owner = now->owner;
	post_event(PET_DSP_EVT_VM_CONFIG_CHANGED, now->cfg->uuid, &owner, NULL);
	rc = hv_result(r, disp_hv_create_disks(vm.hv, now->cfg));
	if (rc == PRL_ERR_SUCCESS)
		rc = reply_config(r, now);
	disp_vmsnap_unref(now);
	return rc;
}

VM_OP(commit_run, act_commit, true)

/* ---- adding VMs ----------------------------------------------------------- */

/* A non-root user may name only directories of their own: a parent for a
 * new VM (the default VM home needs no check) or a bundle to register. */
static int check_parent(disp_req *r, const char *path)
{
	const disp_session *s = disp_req_session(r);
	struct stat st;
	if (!path || !*path || s->user_uid == 0)
		return PRL_ERR_SUCCESS;
	if (stat(path, &st) < 0)
		return disp_req_fail(r, PRL_ERR_DIRECTORY_DOES_NOT_EXIST, "%s: %s",
				     path, strerror(errno));
	if (st.st_uid != s->user_uid)
		return disp_req_fail(r, PRL_ERR_ACCESS_DENIED, "%s belongs to "
				     "another user", path);
	return PRL_ERR_SUCCESS;
}

/* A VM just added: known to the hypervisor, announced, answered. */
static int added(disp_req *r, disp_vmsnap *s)
{
	disp_hv_attach(vm.hv, s->cfg->uuid, s->bundle);
	uid_t owner = s->owner;
	post_event(PET_DSP_EVT_VM_ADDED, s->cfg->uuid, &owner, NULL);
	int rc = reply_config(r, s);
	disp_vmsnap_unref(s);
	return rc;
}

static Prl__VmConfig *owned_copy(disp_req *r, const Prl__VmConfig *in)
{
	Prl__VmConfig *c = disp_vmconf_dup(in);
	if (c && disp_vmconf_set_str(&c->owner, disp_req_session(r)->user) < 0) {
		disp_vmconf_free(c);
		return NULL;
	}
	return c;
}

/* Creates the disk images of a new VM; on failure the VM goes again. */
static int make_disks(disp_req *r, disp_vmsnap *s)
{
	disp_hv_attach(vm.hv, s->cfg->uuid, s->bundle);
	int rc = disp_hv_create_disks(vm.hv, s->cfg);
	if (rc == PRL_ERR_SUCCESS)
		return rc;
	disp_req_fail(r, rc, "%s", disp_hv_errmsg());
	disp_registry_delete(reg(r), s->cfg->uuid);
	disp_hv_detach(vm.hv, s->cfg->uuid);
	disp_vmsnap_unref(s);
	return rc;
}

static int reg_run(disp_req *r)
{
	const Prl__Value *v = disp_req_arg(r, "config");
	const char *path = disp_req_arg_str(r, "path");
	int rc = need_ready(r);
	if (rc == PRL_ERR_SUCCESS && (!v || v->v_case != PRL__VALUE__V_VM))
		rc = disp_req_fail(r, PRL_ERR_INVALID_ARG, "no configuration");
	if (rc == PRL_ERR_SUCCESS)
		rc = check_parent(r, path);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	Prl__VmConfig *c = owned_copy(r, v->vm);
	disp_vmsnap *s = NULL;
	rc = c ? disp_registry_create(reg(r), c, path && *path ? path : NULL,
				      disp_req_session(r)->user_uid, &s) :
	     PRL_ERR_OUT_OF_MEMORY;
	disp_vmconf_free(c);
	if (rc != PRL_ERR_SUCCESS)
		return reg_result(r, rc);
	rc = make_disks(r, s);
	return rc == PRL_ERR_SUCCESS ? added(r, s) : rc;
}

static int srv_register_run(disp_req *r)
{
	const char *path = disp_req_arg_str(r, "path");
	uint32_t flags = disp_req_msg(r)->has_flags ? disp_req_msg(r)->flags : 0;
	int rc = need_ready(r);
	if (rc == PRL_ERR_SUCCESS && (!path || !*path))
		rc = disp_req_fail(r, PRL_ERR_INVALID_ARG, "no bundle path");
	if (rc == PRL_ERR_SUCCESS)
		rc = check_parent(r, path);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	/* PrlSrv_RegisterVmWithUuid: the bundle is registered under uuid. */
	const char *uuid = disp_req_arg_str(r, "uuid");
	disp_vmsnap *s = NULL;
	rc = disp_registry_register(reg(r), path, disp_req_session(r)->user_uid,
				    flags & PRVF_REGENERATE_VM_UUID ?
				    DISP_REG_NEW_UUID : 0, uuid && *uuid ? uuid : NULL,
				    &s);
	return rc == PRL_ERR_SUCCESS ? added(r, s) : reg_result(r, rc);
}

static int act_clone(disp_req *r, const disp_vmsnap *s)
{
	uint32_t flags = disp_req_msg(r)->has_flags ? disp_req_msg(r)->flags : 0;
	const char *path = disp_req_arg_str(r, "path");
	const char *uuid = disp_req_arg_str(r, "uuid");
	disp_reg_clone o = {
		.name = disp_req_arg_str(r, "name"),
		.parent = path && *path ? path : NULL,
		.uuid = uuid && *uuid ? uuid : NULL,
		.owner_name = disp_req_session(r)->user,
		.owner = disp_req_session(r)->user_uid,
		.as_template = flags & PCVF_CLONE_TO_TEMPLATE,
	};
	disp_vmsnap *k = NULL;
	int rc = need_stopped(r, s, false);
	if (rc == PRL_ERR_SUCCESS)
		rc = check_parent(r, path);
	if (rc == PRL_ERR_SUCCESS)
		rc = reg_result(r, disp_registry_clone(reg(r), s->cfg->uuid, &o,
						       &k));
	return rc == PRL_ERR_SUCCESS ? added(r, k) : rc;
}

VM_OP(clone_run, act_clone, true)

/* ---- removing VMs --------------------------------------------------------- */

static void removed(const disp_vmsnap *s, uint32_t event)
{
	uid_t owner = s->owner;
	disp_hv_detach(vm.hv, s->cfg->uuid);
	post_event(event, s->cfg->uuid, &owner, NULL);
}

static int act_unreg(disp_req *r, const disp_vmsnap *s)
{
	int rc = need_stopped(r, s, true);
	if (rc == PRL_ERR_SUCCESS)
		rc = reg_result(r, disp_registry_unregister(reg(r), s->cfg->uuid));
	if (rc == PRL_ERR_SUCCESS)
		removed(s, PET_DSP_EVT_VM_UNREGISTERED);
	return rc;
}

/* With a "files" list only those go (PrlVm_Delete with a device list);
 * the save file of a suspended VM goes with them. */
static int delete_listed(disp_req *r, const disp_vmsnap *s,
			 const Prl__StringList *l)
{
	const char **files = calloc(l->n_item + 1, sizeof *files);
	if (!files)
		return disp_req_fail(r, PRL_ERR_OUT_OF_MEMORY, "out of memory");
	for (size_t i = 0; i < l->n_item; i++)
		files[i] = l->item[i];
	files[l->n_item] = DISP_HV_SAVE_FILE;
	int rc = disp_registry_delete_files(reg(r), s->cfg->uuid, files,
					    l->n_item + 1);
	free(files);
	return reg_result(r, rc);
}

static int act_delete(disp_req *r, const disp_vmsnap *s)
{
	const Prl__Value *files = disp_req_arg(r, "files");
	int rc = need_stopped(r, s, true);
	if (rc == PRL_ERR_SUCCESS && files &&
	    files->v_case == PRL__VALUE__V_STRINGS)
		rc = delete_listed(r, s, files->strings);
	else if (rc == PRL_ERR_SUCCESS)
		rc = reg_result(r, disp_registry_delete(reg(r), s->cfg->uuid));
	if (rc == PRL_ERR_SUCCESS ||
	    rc == PRL_ERR_NOT_ALL_FILES_WAS_DELETED)
		removed(s, PET_DSP_EVT_VM_DELETED);
	return rc;
}

VM_OP(unreg_run, act_unreg, false)
VM_OP(delete_run, act_delete, false)

/* ---- server-level lookups ------------------------------------------------- */

static int srv_get_config_run(disp_req *r)
{
	const char *id = disp_req_arg_str(r, "search_id");
	int rc = need_ready(r);
	if (rc != PRL_ERR_SUCCESS)
		return rc;
	disp_vmsnap *s = id && *id ? disp_registry_find(reg(r), id) : NULL;
	rc = visible(r, s, id);
	if (rc == PRL_ERR_SUCCESS) {
		rc = reply_config(r, s);
		disp_vmsnap_unref(s);
	}
	return rc;
}

/* ---- the table ------------------------------------------------------------ */

#define W DISP_OP_WORKER
#define WC (DISP_OP_WORKER | DISP_OP_CANCELLABLE)

static const disp_op vm_ops[] = {
	{ PJOC_VM_START, "VM_START", W, start_run, NULL },
	{ PJOC_VM_START_EX, "VM_START_EX", W, start_run, NULL },
	{ PJOC_VM_STOP, "VM_STOP", W, stop_run, NULL },
	{ PJOC_VM_PAUSE, "VM_PAUSE", W, pause_run, NULL },
	{ PJOC_VM_RESET, "VM_RESET", W, reset_run, NULL },
	{ PJOC_VM_SUSPEND, "VM_SUSPEND", W, suspend_run, NULL },
	{ PJOC_VM_DROP_SUSPENDED_STATE, "VM_DROP_SUSPENDED_STATE", W, drop_run,
	  NULL },
	{ PJOC_VM_RESTART, "VM_RESTART", W, restart_run, NULL },
	{ PJOC_VM_GET_STATE, "VM_GET_STATE", WC, state_run, NULL },
	{ PJOC_VM_GET_STATISTICS, "VM_GET_STATISTICS", WC, stats_run, NULL },
	{ PJOC_VM_REFRESH_CONFIG, "VM_REFRESH_CONFIG", WC, config_run, NULL },
	{ PJOC_VM_BEGIN_EDIT, "VM_BEGIN_EDIT", WC, config_run, NULL },
	{ PJOC_VM_COMMIT, "VM_COMMIT", W, commit_run, NULL },
	{ PJOC_VM_REG, "VM_REG", W, reg_run, NULL },
	{ PJOC_VM_UNREG, "VM_UNREG", W, unreg_run, NULL },
	{ PJOC_VM_DELETE, "VM_DELETE", W, delete_run, NULL },
	{ PJOC_VM_CLONE, "VM_CLONE", W, clone_run, NULL },
	{ PJOC_SRV_REGISTER_VM, "SRV_REGISTER_VM", W, srv_register_run, NULL },
	{ PJOC_SRV_GET_VM_CONFIG, "SRV_GET_VM_CONFIG", WC, srv_get_config_run,
	  NULL },
};

DISP_OPS_REGISTER(vm_ops)

/* ---- autostart ------------------------------------------------------------ */

static void autostart_one(const disp_vmsnap *s)
{
	uint32_t st = disp_hv_cached_state(vm.hv, s->cfg->uuid);
	if (st != VMS_STOPPED && st != VMS_SUSPENDED)
		return;
	int rc = disp_hv_create_disks(vm.hv, s->cfg);
	if (rc == PRL_ERR_SUCCESS)
		rc = disp_hv_start(vm.hv, s->cfg);
	if (rc == PRL_ERR_SUCCESS)
		PRLC_INFO("autostart: VM '%s' started", s->cfg->name);
	else
		PRLC_WARN("autostart: VM '%s' did not start: %s", s->cfg->name,
			  disp_hv_errmsg());
}

#define RUNNING_LIST "running.list"

static char *running_list_path(void)
{
	char *path = NULL;
	if (asprintf(&path, "%s/%s", vm.srv->opt->state_dir, RUNNING_LIST) < 0)
		return NULL;
	return path;
}

/* running.list follows the VMs that run (or are paused) as they start and
 * stop, not only at a clean stop: after a crash (kill -9, a power cut) the
 * dispatcher still knows which "auto" VMs to start again.  The set is
 * loaded by autostart_work (from the hypervisor's states, once the old
 * list has been read); changes before that are in those states already. */
static struct {
	pthread_mutex_t mu;
	bool loaded;
	char (*uuids)[PRLC_UUID_LEN + 1];
	size_t n, cap;
} run_set = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* Under run_set.mu. */
static void running_save(void)
{
	char *path = running_list_path();
	char *text = malloc(run_set.n * (PRLC_UUID_LEN + 1) + 1);
	size_t len = 0;
	for (size_t i = 0; text && i < run_set.n; i++)
		len += (size_t)sprintf(text + len, "%s\n", run_set.uuids[i]);
	if (path && text && disp_state_write_atomic(path, text, len, 0600) < 0)
		PRLC_WARN("cannot record the running VMs in %s", path);
	free(text);
	free(path);
}

/* Under run_set.mu: whether the set changed. */
static bool running_set(const char *uuid, bool in)
{
	size_t i = 0;
	while (i < run_set.n && strcasecmp(run_set.uuids[i], uuid) != 0)
		i++;
	if ((i < run_set.n) == in)
		return false;
	if (!in) {
		memmove(run_set.uuids[i], run_set.uuids[i + 1],
			(run_set.n - i - 1) * sizeof run_set.uuids[0]);
		run_set.n--;
		return true;
	}
	if (run_set.n == run_set.cap) {
		size_t cap = run_set.cap ? run_set.cap * 2 : 16;
		void *v = realloc(run_set.uuids, cap * sizeof run_set.uuids[0]);
		if (!v)
			return false;
		run_set.uuids = v;
		run_set.cap = cap;
	}
	snprintf(run_set.uuids[run_set.n++], PRLC_UUID_LEN + 1, "%s", uuid);
	return true;
}

static void track_running(const char *uuid, uint32_t state)
{
	bool in = state == VMS_RUNNING || state == VMS_PAUSED;
	if (!in && state != VMS_STOPPED && state != VMS_SUSPENDED)
		return;                       /* on its way: wait for where it lands */
	pthread_mutex_lock(&run_set.mu);
	if (run_set.loaded && vm.srv && running_set(uuid, in))
		running_save();
	pthread_mutex_unlock(&run_set.mu);
}

/* The set as the hypervisor shows it now, written; followed from then on
 * when follow (autostart_work), not at the final record of a clean stop. */
static void running_load(disp_vmsnap **list, size_t n, bool follow)
{
	pthread_mutex_lock(&run_set.mu);
	run_set.n = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t st = disp_hv_cached_state(vm.hv, list[i]->cfg->uuid);
		if (st == VMS_RUNNING || st == VMS_PAUSED)
			running_set(list[i]->cfg->uuid, true);
	}
	run_set.loaded = follow;
	running_save();
	pthread_mutex_unlock(&run_set.mu);
}

/* At a clean stop: the set as followed (written once more for good
 * measure), or from the states when it was never loaded.  Then the record
 * is final: VMs that end with the dispatcher (the embedded test driver's)
 * must not be crossed off on the way out. */
void disp_vmops_record_running(void)
{
	if (!vm.hv || !vm.srv)
		return;
	pthread_mutex_lock(&run_set.mu);
	bool loaded = run_set.loaded;
	if (loaded)
		running_save();
	run_set.loaded = false;
	pthread_mutex_unlock(&run_set.mu);
	disp_vmsnap **list = NULL;
	size_t n = 0;
	if (!loaded && disp_registry_list(vm.srv->registry, 0, &list, &n) == PRL_ERR_SUCCESS) {
		running_load(list, n, false);
		disp_registry_list_free(list, n);
	}
}

/* Was uuid running when the dispatcher last stopped (running.list)? */
static bool was_running(const char *list, const char *uuid)
{
	size_t n = strlen(uuid);
	for (const char *p = list; p && *p;) {
		const char *end = strchrnul(p, '\n');
		if ((size_t)(end - p) == n && strncasecmp(p, uuid, n) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

static bool wants_autostart(const Prl__VmConfig *c, const char *running)
{
	if (!c->has_autostart)
		return false;
	return c->autostart == PAO_VM_START_ON_LOAD ||
	       (c->autostart == PAO_VM_START_ON_RELOAD && was_running(running, c->uuid));
}

/* Worker: under each VM's stripe lock, as a PrlVm_Start would be. */
static void autostart_work(void *arg)
{
	(void)arg;
	disp_vmsnap **list = NULL;
	size_t n = 0;
	char *path = running_list_path();
	char *running = path ? disp_state_read_file(path, 16u << 20, NULL) : NULL;
	free(path);
	if (disp_registry_list(vm.srv->registry, 0, &list, &n) != PRL_ERR_SUCCESS) {
		free(running);
		return;
	}
	running_load(list, n, true);      /* the old list is read: follow anew */
	for (size_t i = 0; i < n; i++) {
		const Prl__VmConfig *c = list[i]->cfg;
		if (list[i]->invalid || !wants_autostart(c, running) ||
		    (c->has_is_template && c->is_template))
			continue;
		pthread_mutex_t *m = stripe_of(c->uuid);
		pthread_mutex_lock(m);
		disp_vmsnap *now = disp_registry_find(vm.srv->registry, c->uuid);
		if (now)
			autostart_one(now);
		pthread_mutex_unlock(m);
		disp_vmsnap_unref(now);
	}
	disp_registry_list_free(list, n);
	free(running);
}

void disp_vmops_autostart(void)
{
	if (vm.hv && vm.srv &&
	    disp_workers_submit(vm.srv->workers, autostart_work, NULL, NULL) < 0)
		PRLC_WARN("autostart: no worker to start VMs");
}
