/*
 * objects.c — turning wire values into API objects, and the two small
 * objects of a login: PHT_LOGIN_RESPONSE and PHT_SERVER_INFO.
 *
 * The connection's reader thread calls prl__value_from_wire for every
 * result parameter and prl__event_from_wire for every pushed event; each
 * object family supplies a constructor (stat.h, vm.h, this file).
 */
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "found.h"
#include "dispcfg.h"
#include "stat.h"
#include "vm.h"
#include "PrlApi.h"
#include "PrlPorts.h"

/* ---- login response and server info ------------------------------------------ */

typedef struct prl__login {
	prl__obj base;
	Prl__LoginInfo *info;            /* unpacked, owned */
} prl__login;

static void login_destroy(prl__obj *o)
{
	prl__login *l = (prl__login *)o;
	if (l->info)
		prl__login_info__free_unpacked(l->info, NULL);
	free(l);
}

static const prl__type login_type = { PHT_LOGIN_RESPONSE, login_destroy };
static const prl__type srvinfo_type = { PHT_SERVER_INFO, login_destroy };

static Prl__LoginInfo *copy_login(const Prl__LoginInfo *w)
{
	size_t n = prl__login_info__get_packed_size(w);
	uint8_t *b = malloc(n ? n : 1);
	if (!b)
		return NULL;
	prl__login_info__pack(w, b);
	Prl__LoginInfo *c = prl__login_info__unpack(NULL, n, b);
	free(b);
	return c;
}

/* Takes ownership of info. */
static prl__obj *login_obj(Prl__LoginInfo *info, const prl__type *t)
{
	if (!info)
		return NULL;
	prl__login *l = prl__new(sizeof(*l), t);
	if (!l) {
		prl__login_info__free_unpacked(info, NULL);
		return NULL;
	}
	l->info = info;
	return &l->base;
}

PRL_METHOD(PrlSrv_GetServerInfo)(PRL_HANDLE hServer, PRL_HANDLE_PTR phServerInfo)
{
	PRL__OBJ(s, prl__server, hServer, PHT_SERVER);
	PRL__CHECK_ARG(phServerInfo);
	Prl__LoginInfo *info = prl__conn_login_info(s);
	if (!info)
		return PRL_ERR_NOT_CONNECTED_TO_DISPATCHER;
	prl__obj *o = login_obj(info, &srvinfo_type);
	if (!o)
		return PRL_ERR_OUT_OF_MEMORY;
	*phServerInfo = prl__handle(o);
	return PRL_ERR_SUCCESS;
}

#define LOGIN_STR_GETTER(Name, pht, field)                                       \
	PRL_METHOD(Name)(PRL_HANDLE h, PRL_STR buf, PRL_UINT32_PTR len)          \
	{                                                                        \
		PRL__OBJ(l, prl__login, h, pht);                                 \
		return prl__copy_str(l->info->field, buf, len);                  \
	}

LOGIN_STR_GETTER(PrlLoginResponse_GetSessionUuid, PHT_LOGIN_RESPONSE, session_uuid)
LOGIN_STR_GETTER(PrlLoginResponse_GetServerUuid, PHT_LOGIN_RESPONSE, server_uuid)
LOGIN_STR_GETTER(PrlLoginResponse_GetHostOsVersion, PHT_LOGIN_RESPONSE, host_os_version)
LOGIN_STR_GETTER(PrlLoginResponse_GetProductVersion, PHT_LOGIN_RESPONSE, product_version)
LOGIN_STR_GETTER(PrlSrvInfo_GetHostName, PHT_SERVER_INFO, hostname)
LOGIN_STR_GETTER(PrlSrvInfo_GetOsVersion, PHT_SERVER_INFO, host_os_version)
LOGIN_STR_GETTER(PrlSrvInfo_GetServerUuid, PHT_SERVER_INFO, server_uuid)
LOGIN_STR_GETTER(PrlSrvInfo_GetProductVersion, PHT_SERVER_INFO, product_version)

PRL_METHOD(PrlSrvInfo_GetCmdPort)(PRL_HANDLE hServerInfo, PRL_UINT32_PTR pnPort)
{
	PRL__OBJ(l, prl__login, hServerInfo, PHT_SERVER_INFO);
	PRL__CHECK_ARG(pnPort);
	*pnPort = l->info->has_cmd_port ? l->info->cmd_port : PRL_DISPATCHER_LISTEN_PORT;
	return PRL_ERR_SUCCESS;
}

/* ---- values ---------------------------------------------------------------------- */

static int obj_value(prl__obj *o, prl__value *out)
{
	if (!o)
		return -1;
	out->kind = PRL__V_OBJ;
	out->v.o = o;
	return 0;
}

static int bin_value(const ProtobufCBinaryData *b, prl__value *out)
{
	out->kind = PRL__V_BIN;
	out->v.bin.n = b->len;
	out->v.bin.p = malloc(b->len ? b->len : 1);
	if (!out->v.bin.p)
		return -1;
	if (b->len)
		memcpy(out->v.bin.p, b->data, b->len);
	return 0;
}

static int scalar_value(const Prl__Value *w, prl__value *out)
{
	switch (w->v_case) {
	case PRL__VALUE__V_U32: out->kind = PRL__V_U32; out->v.u = w->u32; return 0;
	case PRL__VALUE__V_I32: out->kind = PRL__V_I32; out->v.i = w->i32; return 0;
	case PRL__VALUE__V_U64: out->kind = PRL__V_U64; out->v.u = w->u64; return 0;
	case PRL__VALUE__V_I64: out->kind = PRL__V_I64; out->v.i = w->i64; return 0;
	case PRL__VALUE__V_B: out->kind = PRL__V_BOOL; out->v.u = w->b; return 0;
	case PRL__VALUE__V_STR:
		out->kind = PRL__V_STR;
		out->v.s = strdup(w->str ? w->str : "");
		return out->v.s ? 0 : -1;
	case PRL__VALUE__V_BIN: return bin_value(&w->bin, out);
	default: return 1;
	}
}

/* A PHT_EVENT as a result (PrlVm_GetPerfStats): the counters arrive as an
 * event, exactly as a subscriber would receive them. */
static int event_value(prl__server *s, prl__arena *a, Prl__Event *w, prl__value *out)
{
	prl__event *e = w ? prl__event_from_wire(s, a, w) : NULL;
	return obj_value(e ? &e->base : NULL, out);
}

int prl__value_from_wire(prl__server *s, prl__arena *a, Prl__Value *w, prl__value *out)
{
	memset(out, 0, sizeof(*out));
	int rc = scalar_value(w, out);
	if (rc <= 0)
		return rc;
	Prl__VmConfig *vm;
	switch (w->v_case) {
	case PRL__VALUE__V_VM:
		/* Shared or taken, never copied: a list of 10,000 VMs is not
		 * copied twice. */
		vm = w->vm;
		if (!a)
			w->vm = NULL;
		return obj_value(prl__vm_adopt_wire(s, vm, a), out);
	case PRL__VALUE__V_SRV_CONFIG: return obj_value(prl__srvcfg_new(w->srv_config), out);
	case PRL__VALUE__V_STATS: return obj_value(prl__stat_new(w->stats), out);
	case PRL__VALUE__V_LOGIN:
		return obj_value(login_obj(copy_login(w->login), &login_type), out);
	case PRL__VALUE__V_VM_INFO: return obj_value(prl__vminfo_from_wire(s, w->vm_info), out);
	case PRL__VALUE__V_DISP_CONFIG: return obj_value(prl__dispcfg_new(w->disp_config), out);
	/* Only PJOC_SRV_START_SEARCH_VMS answers strings (found.h). */
	case PRL__VALUE__V_STRINGS: return obj_value(prl__found_from_wire(w->strings), out);
	case PRL__VALUE__V_EVENT: return event_value(s, a, w->event, out);
	default: return -1;
	}
}

/* ---- events ---------------------------------------------------------------------- */

static prl__obj *stats_to_handle(const prl__evtprm *p)
{
	if (p->value.kind != PRL__V_BIN)
		return NULL;
	return prl__stat_from_bin(p->value.v.bin.p, p->value.v.bin.n);
}

static prl__to_handle_fn converter_for(const char *name)
{
	if (!strcmp(name, "statistics"))
		return stats_to_handle;
	return NULL;
}

static prl__evtprm *param_from_wire(prl__server *s, prl__arena *a, Prl__Param *w)
{
	prl__value v;
	if (!w->value || prl__value_from_wire(s, a, w->value, &v))
		return NULL;
	PRL_PARAM_FIELD_DATA_TYPE t = w->has_type ? (PRL_PARAM_FIELD_DATA_TYPE)w->type
						  : PFD_STRING;
	return prl__evtprm_new(w->name, t, &v, converter_for(w->name));
}

/* The state an event carries (vminfo_vm_state), or VMS_UNKNOWN. */
static uint32_t event_state(const prl__event *e)
{
	for (uint32_t i = 0; i < e->n; i++) {
		const prl__value *v = &e->params[i]->value;
		if (!strcmp(e->params[i]->name, "vminfo_vm_state") &&
		    (v->kind == PRL__V_U32 || v->kind == PRL__V_I32))
			return v->kind == PRL__V_U32 ? (uint32_t)v->v.u : (uint32_t)v->v.i;
	}
	return VMS_UNKNOWN;
}

/* For each VM object of the issuer: update it from the event, and make the
 * first one the event's VM (PrlEvent_GetVm). */
static void note_vm_event(prl__obj *vm, void *arg)
{
	prl__event *e = arg;
	prl__vm_note_event(vm, e->type, event_state(e));
	if (!e->vm) {
		prl__ref(vm);
		e->vm = vm;
	}
}

prl__event *prl__event_from_wire(prl__server *s, prl__arena *a, Prl__Event *w)
{
	prl__event *e = prl__event_new((PRL_EVENT_TYPE)w->type,
				       (PRL_EVENT_ISSUER_TYPE)w->issuer_type, w->issuer_id);
	if (!e)
		return NULL;
	e->err_code = w->has_err_code ? w->err_code : PRL_ERR_SUCCESS;
	e->err_string = prl__strdup(w->err_string);
	e->package_id = w->has_request_id ? w->request_id : 0;
	prl__ref(&s->base);
	e->server = s;
	for (size_t i = 0; i < w->n_params; i++) {
		prl__evtprm *p = param_from_wire(s, a, w->params[i]);
		if (p)
			prl__event_add_param(e, p);
	}
	if (e->issuer_id[0])
		prl__server_each_vm(s, e->issuer_id, note_vm_event, e);
	return e;
}
