/*
 * vm.c — PHT_VIRTUAL_MACHINE: the VM object, its asynchronous operations
 * (PrlVm_*), per-VM event handlers, and the PrlSrv_* calls that create,
 * register or fetch VMs.
 *
 * The object holds a deep copy of a wire VmConfig under its mutex (see
 * vm.h).  Every asynchronous operation has one shape: resolve the handle
 * (a bad one gives a job already finished with the error), build a request
 * whose Request.vm_uuid names the VM and whose named arguments are listed
 * below, and hand it to the connection.  The job keeps a reference on the
 * VM (job->target); its on_finish hook runs before any waiter wakes and
 * folds the answer into the VM: a configuration for BeginEdit, RefreshConfig,
 * Reg and Commit, a VM info (state) for any operation that returns one.
 *
 * Request arguments (the dispatcher's src/disp/vmops.c reads exactly these;
 * docs/vm-ops.md has the same table).  "flags" is also copied into
 * Request.flags.  Every PrlVm_* request carries Request.vm_uuid.
 *
 *   op (PJOC_*)                    function(s)               named arguments
 *   VM_START            42  PrlVm_Start                      -
 *                           PrlVm_Resume                     resume:u32=1
 *   VM_START_EX         94  PrlVm_StartEx                    start_mode:u32, flags:u32
 *   VM_STOP             43  PrlVm_Stop / StopEx              stop_mode:u32, flags:u32
 *   VM_PAUSE            44  PrlVm_Pause                      acpi:u32
 *   VM_RESET            45  PrlVm_Reset                      -
 *   VM_SUSPEND          46  PrlVm_Suspend                    -
 *   VM_DROP_SUSPENDED_STATE 49                               -
 *   VM_RESTART          97  PrlVm_Restart                    -
 *   VM_CLONE            50  PrlVm_Clone/CloneEx/CloneWithUuid name:str, path:str, flags:u32 [, uuid:str]
 *   VM_DELETE           51  PrlVm_Delete                     [files:strings]
 *   VM_GET_STATE        53  PrlVm_GetState                   -        -> vm_info
 *   VM_REFRESH_CONFIG   56  PrlVm_RefreshConfig[Ex]          flags:u32 -> vm
 *   VM_GET_STATISTICS   57  PrlVm_GetStatistics[Ex]          flags:u32 -> stats
 *   VM_SUBSCRIBE_TO_GUEST_STATISTICS 58 / UNSUBSCRIBE 59     -
 *   VM_SUBSCRIBE_PERFSTATS 83 / VM_GET_PERFSTATS 85          filter:str
 *   VM_UNSUBSCRIBE_PERFSTATS 84                              -
 *   VM_REG              60  PrlVm_Reg / RegEx                config:vm, path:str, flags:u32 -> vm
 *   VM_UNREG            61  PrlVm_Unreg                      -
 *   VM_BEGIN_EDIT       62  PrlVm_BeginEdit                  -        -> vm
 *   VM_COMMIT           63  PrlVm_Commit / CommitEx          config:vm, flags:u32 -> vm (or u64 revision)
 *   VM_CREATE_SNAPSHOT  90  PrlVm_CreateSnapshot             name:str, description:str
 *   VM_SWITCH_TO_SNAPSHOT 91 PrlVm_SwitchToSnapshotEx        snapshot:str, flags:u32
 *   VM_DELETE_SNAPSHOT  92  PrlVm_DeleteSnapshot             snapshot:str, child:u32
 *   VM_GET_SNAPSHOTS_TREE 93 PrlVm_GetSnapshotsTreeEx        flags:u32 -> str
 *   VM_LOGIN_IN_GUEST   95  PrlVm_LoginInGuest               user:str, password:str, flags:u32
 *   VM_CONNECT_TO_VM    74  PrlVm_Connect                    flags:u32
 *   VM_MIGRATE          76  PrlVm_MigrateWithRenameEx        host:str, port:u32, session:str,
 *                                                            name:str, path:str, flags:u32,
 *                                                            reserved:u32, force:u32
 *   VM_GUEST_SET_USER_PASSWD 107 PrlVm_SetUserPasswd         user:str, password:str, flags:u32
 *   VM_DEV_CONNECT      68  PrlVmDev_Connect                 device:vm (vmdev.c)
 *   VM_DEV_CREATE_IMAGE 70  PrlVmDev_CreateImage             device:vm, recreate:u32, flags:u32
 *   VM_RESIZE_DISK_IMAGE 123 PrlVmDev_ResizeImage            device:vm, size_mb:u32, flags:u32
 *   SRV_REGISTER_VM     14  PrlSrv_RegisterVm[Ex|WithUuid]   path:str, flags:u32 [, uuid:str] -> vm
 *   SRV_GET_VM_CONFIG  180  PrlSrv_GetVmConfig               search_id:str, flags:u32 -> vm
 *   SRV_GET_DEFAULT_VM_CONFIG 163 PrlSrv_GetDefaultVmConfig  vm_type:u32, os_version:u32,
 *                                                            [config_sample:str,] flags:u32 -> vm
 *
 * ("device:vm" is a VmConfig holding the VM's uuid and name and exactly the
 * one device concerned; "-> x" is result parameter 0.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conn.h"
#include "uuid.h"
#include "vm.h"
#include "PrlApi.h"

/* ---- the object -------------------------------------------------------------- */

static void vm_destroy(prl__obj *o)
{
	prl__vm *vm = (prl__vm *)o;
	if (vm->server && vm->link.vm)
		prl__server_unlink_vm(vm->server, &vm->link);
	prl__put(vm->server ? &vm->server->base : NULL);
	if (vm->arena)
		prl__arena_unref(vm->arena);
	else if (vm->cfg)
		prl__vm_config__free_unpacked(vm->cfg, NULL);
	free(vm->dev_ids);
	free(vm->boot_ids);
	pthread_mutex_destroy(&vm->mu);
	free(vm);
}

const prl__type prl__vm_type = { PHT_VIRTUAL_MACHINE, vm_destroy };

int prl__vm_uuid_is(prl__obj *o, const char *uuid)
{
	prl__vm *vm = (prl__vm *)o;
	pthread_mutex_lock(&vm->mu);
	int same = vm->cfg->uuid && uuid && strcasecmp(vm->cfg->uuid, uuid) == 0;
	pthread_mutex_unlock(&vm->mu);
	return same;
}

void prl__vm_note_event(prl__obj *o, PRL_EVENT_TYPE type, uint32_t state)
{
	prl__vm *vm = (prl__vm *)o;
	if (type != PET_DSP_EVT_VM_STATE_CHANGED)
		return;
	pthread_mutex_lock(&vm->mu);
	vm->cfg->has_state = 1;
	vm->cfg->state = state;
	pthread_mutex_unlock(&vm->mu);
}

prl__vm *prl__vm_get(PRL_HANDLE h)
{
	return (prl__vm *)prl__get(h, PHT_VIRTUAL_MACHINE);
}

int prl__set_str(char **dst, const char *s)
{
	char *c = NULL;
	if (s && !(c = strdup(s)))
		return -ENOMEM;
	free(*dst);
	*dst = c;
	return 0;
}

Prl__VmConfig *prl__vmcfg_copy(const Prl__VmConfig *c)
{
	size_t n = prl__vm_config__get_packed_size(c);
	uint8_t *b = malloc(n ? n : 1);
	if (!b)
		return NULL;
	prl__vm_config__pack(c, b);
	Prl__VmConfig *copy = prl__vm_config__unpack(NULL, n, b);
	free(b);
	return copy;
}

/* Fresh ids for n entries. */
static uint64_t *new_ids(prl__vm *vm, size_t n)
{
	uint64_t *ids = calloc(n ? n : 1, sizeof(*ids));
	for (size_t i = 0; ids && i < n; i++)
		ids[i] = ++vm->next_id;
	return ids;
}

/* Takes ownership of cfg (freed on failure), or with an arena a reference
 * on the arena cfg lives in. */
static prl__vm *vm_new(prl__server *s, Prl__VmConfig *cfg, prl__arena *arena)
{
	prl__vm *vm = calloc(1, sizeof(*vm));
	if (!vm) {
		if (!arena)
			prl__vm_config__free_unpacked(cfg, NULL);
		return NULL;
	}
	pthread_mutex_init(&vm->mu, NULL);
	vm->cfg = cfg;
	if (arena) {
		prl__arena_ref(arena);
		vm->arena = arena;            /* device ids come with ownership */
	} else {
		vm->dev_ids = new_ids(vm, cfg->n_devices);
		vm->boot_ids = new_ids(vm, cfg->n_boot);
		if (!vm->dev_ids || !vm->boot_ids) {
			vm_destroy(&vm->base);
			return NULL;
		}
	}
	if (s) {
		prl__ref(&s->base);
		vm->server = s;
	}
	if (!prl__register(&vm->base, &prl__vm_type))
		return NULL;
	if (s) {
		vm->link.vm = &vm->base;
		prl__server_link_vm(s, &vm->link);
	}
	return vm;
}

prl__obj *prl__vm_adopt_wire(prl__server *s, Prl__VmConfig *c, prl__arena *arena)
{
	if (!c)
		return NULL;
	prl__vm *vm = vm_new(s, c, arena);
	return vm ? &vm->base : NULL;
}

prl__obj *prl__vm_from_packed(prl__server *s, prl__arena *a, const void *p,
			      size_t n)
{
	Prl__VmConfig *c = prl__vm_config__unpack(prl__arena_allocator(a), n, p);
	return prl__vm_adopt_wire(s, c, a);     /* NULL stays NULL */
}

int prl__vm_own_cfg_locked(prl__vm *vm)
{
	if (!vm->arena)
		return 0;
	Prl__VmConfig *copy = prl__vmcfg_copy(vm->cfg);
	uint64_t next = vm->next_id;
	uint64_t *di = copy ? new_ids(vm, copy->n_devices) : NULL;
	uint64_t *bi = di ? new_ids(vm, copy->n_boot) : NULL;
	if (!bi) {
		free(di);
		if (copy)
			prl__vm_config__free_unpacked(copy, NULL);
		vm->next_id = next;
		return -ENOMEM;
	}
	prl__arena_unref(vm->arena);
	vm->arena = NULL;
	vm->cfg = copy;
	vm->dev_ids = di;
	vm->boot_ids = bi;
	return 0;
}

/* ---- absorbing a configuration from the dispatcher ------------------------- */

/* Ids for the entries of a new list: an entry keeps the id of the first
 * unclaimed old entry with the same (type, index), else gets a fresh one. */
static uint64_t *carry_ids(prl__vm *vm, const uint32_t (*oldk)[2], const uint64_t *oldid,
			   size_t n_old, const uint32_t (*newk)[2], size_t n_new)
{
	uint64_t *ids = calloc(n_new ? n_new : 1, sizeof(*ids));
	char *used = calloc(n_old ? n_old : 1, 1);
	for (size_t i = 0; ids && used && i < n_new; i++) {
		ids[i] = 0;
		for (size_t k = 0; k < n_old && !ids[i]; k++) {
			if (!used[k] && oldk[k][0] == newk[i][0] && oldk[k][1] == newk[i][1]) {
				used[k] = 1;
				ids[i] = oldid[k];
			}
		}
		if (!ids[i])
			ids[i] = ++vm->next_id;
	}
	free(used);
	if (!used) {
		free(ids);
		return NULL;
	}
	return ids;
}

static uint32_t (*dev_keys(const Prl__VmConfig *c))[2]
{
	uint32_t (*k)[2] = calloc(c->n_devices ? c->n_devices : 1, sizeof(*k));
	for (size_t i = 0; k && i < c->n_devices; i++) {
		k[i][0] = c->devices[i]->type;
		k[i][1] = c->devices[i]->index;
	}
	return k;
}

static uint32_t (*boot_keys(const Prl__VmConfig *c))[2]
{
	uint32_t (*k)[2] = calloc(c->n_boot ? c->n_boot : 1, sizeof(*k));
	for (size_t i = 0; k && i < c->n_boot; i++) {
		k[i][0] = c->boot[i]->type;
		k[i][1] = c->boot[i]->index;
	}
	return k;
}

int prl__vm_absorb_locked(prl__vm *vm, const Prl__VmConfig *c)
{
	/* The old entries' ids carry over: the VM needs ids of its own first. */
	if (prl__vm_own_cfg_locked(vm))
		return -ENOMEM;
	Prl__VmConfig *copy = prl__vmcfg_copy(c);
	uint32_t (*od)[2] = dev_keys(vm->cfg), (*nd)[2] = copy ? dev_keys(copy) : NULL;
	uint32_t (*ob)[2] = boot_keys(vm->cfg), (*nb)[2] = copy ? boot_keys(copy) : NULL;
	uint64_t *di = NULL, *bi = NULL;
	if (od && nd && ob && nb) {
		di = carry_ids(vm, (const uint32_t (*)[2])od, vm->dev_ids, vm->cfg->n_devices,
			       (const uint32_t (*)[2])nd, copy->n_devices);
		bi = carry_ids(vm, (const uint32_t (*)[2])ob, vm->boot_ids, vm->cfg->n_boot,
			       (const uint32_t (*)[2])nb, copy->n_boot);
	}
	free(od); free(nd); free(ob); free(nb);
	if (!di || !bi) {
		free(di);
		free(bi);
		if (copy)
			prl__vm_config__free_unpacked(copy, NULL);
		return -ENOMEM;
	}
	prl__vm_config__free_unpacked(vm->cfg, NULL);
	free(vm->dev_ids);
	free(vm->boot_ids);
	vm->cfg = copy;
	vm->dev_ids = di;
	vm->boot_ids = bi;
	return 0;
}

/* ---- job completion --------------------------------------------------------------- */

static int op_returns_config(PRL_JOB_OPERATION_CODE op)
{
	return op == PJOC_VM_BEGIN_EDIT || op == PJOC_VM_REFRESH_CONFIG ||
	       op == PJOC_VM_REG || op == PJOC_VM_COMMIT;
}

/* Folds one result value into the VM; caller holds vm->mu. */
static void absorb_value(prl__vm *vm, PRL_JOB_OPERATION_CODE op, const prl__value *v)
{
	if (v->kind == PRL__V_OBJ && prl__type_of(v->v.o) == PHT_VIRTUAL_MACHINE &&
	    op_returns_config(op) && v->v.o != &vm->base) {
		prl__vm *src = (prl__vm *)v->v.o;
		pthread_mutex_lock(&src->mu);
		prl__vm_absorb_locked(vm, src->cfg);
		pthread_mutex_unlock(&src->mu);
	} else if (v->kind == PRL__V_OBJ && prl__type_of(v->v.o) == PHT_VM_INFO) {
		vm->cfg->has_state = 1;
		vm->cfg->state = prl__vminfo_state(v->v.o);
	} else if ((v->kind == PRL__V_U64 || v->kind == PRL__V_U32) && op == PJOC_VM_COMMIT) {
		vm->cfg->has_revision = 1;
		vm->cfg->revision = v->v.u;
	}
}

void prl__vm_job_finished(prl__job *j)
{
	if (!j->target || PRL_FAILED(j->rc) || !j->result)
		return;
	prl__vm *vm = (prl__vm *)j->target;
	pthread_mutex_lock(&vm->mu);
	for (uint32_t i = 0; i < j->result->n; i++)
		absorb_value(vm, j->op, &j->result->params[i]);
	pthread_mutex_unlock(&vm->mu);
}

/* ---- sending requests ---------------------------------------------------------- */

typedef enum { ARG_END, ARG_U32, ARG_STR } arg_kind;

typedef struct vm_arg {
	arg_kind kind;
	const char *name;
	uint32_t u;
	const char *s;
} vm_arg;

#define U32(n, v) { ARG_U32, (n), (uint32_t)(v), NULL }
#define STR(n, v) { ARG_STR, (n), 0, (v) }
#define ARGS(...) ((const vm_arg[]){ __VA_ARGS__, { ARG_END, NULL, 0, NULL } })
#define NO_ARGS ((const vm_arg[]){ { ARG_END, NULL, 0, NULL } })

static int add_args(prl__req *r, const vm_arg *a)
{
	for (; a->kind != ARG_END; a++) {
		int rc = a->kind == ARG_U32 ? prl__req_add_u32(r, a->name, a->u)
					    : prl__req_add_str(r, a->name, a->s);
		if (rc)
			return rc;
		if (a->kind == ARG_U32 && !strcmp(a->name, "flags")) {
			r->msg.has_flags = 1;
			r->msg.flags = a->u;
		}
	}
	return 0;
}

/* Sends r for vm and returns the job; r is consumed in every case. */
static PRL_HANDLE vm_send(prl__vm *vm, PRL_JOB_OPERATION_CODE op, prl__req *r)
{
	if (!vm->server) {
		prl__req_clear(r);
		return prl__job_failed(op, PRL_ERR_NOT_CONNECTED_TO_DISPATCHER);
	}
	pthread_mutex_lock(&vm->mu);
	r->msg.vm_uuid = strdup(vm->cfg->uuid);
	pthread_mutex_unlock(&vm->mu);
	prl__job *j = r->msg.vm_uuid ? prl__job_new(op, vm->server) : NULL;
	if (!j) {
		prl__req_clear(r);
		return PRL_INVALID_HANDLE;
	}
	prl__ref(&vm->base);
	j->target = &vm->base;
	j->on_finish = prl__vm_job_finished;
	return prl__conn_request(vm->server, j, r);
}

/* The whole skeleton of a VM operation with scalar arguments. */
static PRL_HANDLE vm_call(PRL_HANDLE hVm, PRL_JOB_OPERATION_CODE op, const vm_arg *args)
{
	prl__auto prl__vm *vm = prl__vm_get(hVm);
	if (!vm)
		return prl__job_failed(op, prl__bad_handle());
	prl__req r;
	prl__req_init(&r, op);
	if (add_args(&r, args)) {
		prl__req_clear(&r);
		return prl__job_failed(op, PRL_ERR_OUT_OF_MEMORY);
	}
	return vm_send(vm, op, &r);
}

/* Like vm_call, with the VM's configuration as argument "config". */
static PRL_HANDLE vm_call_with_config(PRL_HANDLE hVm, PRL_JOB_OPERATION_CODE op,
				      const vm_arg *args)
{
	prl__auto prl__vm *vm = prl__vm_get(hVm);
	if (!vm)
		return prl__job_failed(op, prl__bad_handle());
	pthread_mutex_lock(&vm->mu);
	Prl__VmConfig *copy = prl__vmcfg_copy(vm->cfg);
	pthread_mutex_unlock(&vm->mu);
	if (!copy)
		return prl__job_failed(op, PRL_ERR_OUT_OF_MEMORY);
	prl__req r;
	prl__req_init(&r, op);
	Prl__Value v = PRL__VALUE__INIT;
	v.v_case = PRL__VALUE__V_VM;
	v.vm = copy;
	PRL_HANDLE h;
	if (prl__req_add_value(&r, "config", &v) || add_args(&r, args)) {
		prl__req_clear(&r);
		h = prl__job_failed(op, PRL_ERR_OUT_OF_MEMORY);
	} else {
		h = vm_send(vm, op, &r);      /* writes the frame before returning */
	}
	prl__vm_config__free_unpacked(copy, NULL);
	return h;
}

PRL_HANDLE prl__vm_send(prl__vm *vm, PRL_JOB_OPERATION_CODE op, prl__req *r)
{
	return vm_send(vm, op, r);
}

/* ---- PrlSrv_*: creating, registering and fetching VMs ---------------------------- */

static Prl__VmConfig *blank_config(void)
{
	Prl__VmConfig *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	prl__vm_config__init(c);
	char uuid[PRLC_UUID_LEN + 1];
	prlc_uuid_generate(uuid);
	c->uuid = strdup(uuid);
	c->name = strdup("");
	c->has_vm_type = 1;
	c->vm_type = PVT_VM;
	if (!c->uuid || !c->name) {
		prl__vm_config__free_unpacked(c, NULL);
		return NULL;
	}
	return c;
}

PRL_METHOD(PrlSrv_CreateVm)(PRL_HANDLE hServer, PRL_HANDLE_PTR phVm)
{
	PRL__OBJ(s, prl__server, hServer, PHT_SERVER);
	PRL__CHECK_ARG(phVm);
	Prl__VmConfig *c = blank_config();
	prl__vm *vm = c ? vm_new(s, c, NULL) : NULL;
	if (!vm)
		return PRL_ERR_OUT_OF_MEMORY;
	*phVm = prl__handle(&vm->base);
	return PRL_ERR_SUCCESS;
}

/* A server request with scalar arguments (no VM involved). */
static PRL_HANDLE srv_call(PRL_HANDLE hServer, PRL_JOB_OPERATION_CODE op, int args_ok,
			   const vm_arg *args)
{
	prl__auto prl__server *s = prl__server_from(hServer);
	if (!s)
		return prl__job_failed(op, prl__bad_handle());
	if (!args_ok)
		return prl__job_failed(op, PRL_ERR_INVALID_ARG);
	prl__req r;
	prl__req_init(&r, op);
	prl__job *j = add_args(&r, args) ? NULL : prl__job_new(op, s);
	if (!j) {
		prl__req_clear(&r);
		return PRL_INVALID_HANDLE;
	}
	return prl__conn_request(s, j, &r);
}

PRL_ASYNC_METHOD(PrlSrv_RegisterVmEx)(PRL_HANDLE hServer, PRL_CONST_STR strVmDirPath,
				      PRL_UINT32 nFlags)
{
	return srv_call(hServer, PJOC_SRV_REGISTER_VM, strVmDirPath && *strVmDirPath,
			ARGS(STR("path", strVmDirPath), U32("flags", nFlags)));
}

PRL_ASYNC_METHOD(PrlSrv_RegisterVm)(PRL_HANDLE hServer, PRL_CONST_STR strVmDirPath,
				    PRL_BOOL bNonInteractiveMode)
{
	return PrlSrv_RegisterVmEx(hServer, strVmDirPath,
				   bNonInteractiveMode ? PACF_NON_INTERACTIVE_MODE : 0);
}

PRL_ASYNC_METHOD(PrlSrv_RegisterVmWithUuid)(PRL_HANDLE hServer, PRL_CONST_STR strVmDirPath,
					    PRL_CONST_STR strVmUuid, PRL_UINT32 nFlags)
{
	/* Braced or bare, as PrlVmCfg_SetUuid takes it. */
	char braced[PRLC_UUID_LEN + 3] = "";
	if (strVmUuid && strlen(strVmUuid) <= PRLC_UUID_LEN)
		snprintf(braced, sizeof(braced), strVmUuid[0] == '{' ? "%s" : "{%s}",
			 strVmUuid);
	int ok = strVmDirPath && *strVmDirPath && prlc_uuid_is_valid(braced);
	return srv_call(hServer, PJOC_SRV_REGISTER_VM, ok,
			ARGS(STR("path", strVmDirPath), STR("uuid", braced),
			     U32("flags", nFlags)));
}

PRL_ASYNC_METHOD(PrlSrv_GetVmConfig)(PRL_HANDLE hServer, PRL_CONST_STR sSearchId,
				     PRL_UINT32 nFlags)
{
	return srv_call(hServer, PJOC_SRV_GET_VM_CONFIG, sSearchId && *sSearchId,
			ARGS(STR("search_id", sSearchId), U32("flags", nFlags)));
}

PRL_ASYNC_METHOD(PrlSrv_GetDefaultVmConfig)(PRL_HANDLE hServer,
					    PRL_CONST_GET_VM_CONFIG_PARAM_DATA_PTR pParam,
					    PRL_UINT32 nFlags)
{
	if (pParam && pParam->sConfigSample)
		return srv_call(hServer, PJOC_SRV_GET_DEFAULT_VM_CONFIG, 1,
				ARGS(U32("vm_type", pParam->nVmType),
				     U32("os_version", pParam->nOsVersion),
				     STR("config_sample", pParam->sConfigSample),
				     U32("flags", nFlags)));
	return srv_call(hServer, PJOC_SRV_GET_DEFAULT_VM_CONFIG, pParam != NULL,
			ARGS(U32("vm_type", pParam ? pParam->nVmType : 0),
			     U32("os_version", pParam ? pParam->nOsVersion : 0),
			     U32("flags", nFlags)));
}

/* ---- life cycle -------------------------------------------------------------------- */

PRL_ASYNC_METHOD(PrlVm_Start)(PRL_HANDLE hVm)
{
	return vm_call(hVm, PJOC_VM_START, NO_ARGS);
}

PRL_ASYNC_METHOD(PrlVm_Resume)(PRL_HANDLE hVm)
{
	return vm_call(hVm, PJOC_VM_RESUME, ARGS(U32("resume", 1)));
}

PRL_ASYNC_METHOD(PrlVm_StartEx)(PRL_HANDLE hVm, PRL_UINT32 nStartMode, PRL_UINT32 nReserved)
{
	return vm_call(hVm, PJOC_VM_START_EX,
		       ARGS(U32("start_mode", nStartMode), U32("flags", nReserved)));
}

PRL_ASYNC_METHOD(PrlVm_Restart)(PRL_HANDLE hVm)
{
	return vm_call(hVm, PJOC_VM_RESTART, NO_ARGS);
}

PRL_ASYNC_METHOD(PrlVm_StopEx)(PRL_HANDLE hVm, PRL_UINT32 nStopMode, PRL_UINT32 nFlags)
{
	return vm_call(hVm, PJOC_VM_STOP,
		       ARGS(U32("stop_mode", nStopMode), U32("flags", nFlags)));
}

PRL_ASYNC_METHOD(PrlVm_Stop)(PRL_HANDLE hVm, PRL_BOOL bGraceful)
{
	return PrlVm_StopEx(hVm, bGraceful ? PSM_SHUTDOWN : PSM_KILL, 0);
}

PRL_ASYNC_METHOD(PrlVm_Pause)(PRL_HANDLE hVm, PRL_BOOL bAcpi)
{
	return vm_call(hVm, PJOC_VM_PAUSE, ARGS(U32("acpi", bAcpi ? 1 : 0)));
}

PRL_ASYNC_METHOD(PrlVm_Reset)(PRL_HANDLE hVm)
{
	return vm_call(hVm, PJOC_VM_RESET, NO_ARGS);
}

PRL_ASYNC_METHOD(PrlVm_Suspend)(PRL_HANDLE hVm)
{
	return vm_call(hVm, PJOC_VM_SUSPEND, NO_ARGS);
}

PRL_ASYNC_METHOD(PrlVm_DropSuspendedState)(PRL_HANDLE hVm)
{
	return vm_call(hVm, PJOC_VM_DROP_SUSPENDED_STATE, NO_ARGS);
}

PRL_ASYNC_METHOD(PrlVm_GetState)(PRL_HANDLE hVm)
{
	return vm_call(hVm, PJOC_VM_GET_STATE, NO_ARGS);
}

/* ---- registration, cloning, deletion ---------------------------------------------- */

PRL_ASYNC_METHOD(PrlVm_RegEx)(PRL_HANDLE hVm, PRL_CONST_STR sVmParentPath, PRL_UINT32 nFlags)
{
	return vm_call_with_config(hVm, PJOC_VM_REG,
				   ARGS(STR("path", sVmParentPath ? sVmParentPath : ""),
					U32("flags", nFlags)));
}

PRL_ASYNC_METHOD(PrlVm_Reg)(PRL_HANDLE hVm, PRL_CONST_STR sVmParentPath,
			    PRL_BOOL bNonInteractiveMode)
{
	return PrlVm_RegEx(hVm, sVmParentPath,
			   bNonInteractiveMode ? PACF_NON_INTERACTIVE_MODE : 0);
}

PRL_ASYNC_METHOD(PrlVm_Unreg)(PRL_HANDLE hVm)
{
	return vm_call(hVm, PJOC_VM_UNREG, NO_ARGS);
}

static PRL_HANDLE clone_vm(PRL_HANDLE hVm, const char *name, const char *uuid,
			   const char *root, PRL_UINT32 flags)
{
	if (!name || !*name || (uuid && !prlc_uuid_is_valid(uuid))) {
		prl__auto prl__vm *vm = prl__vm_get(hVm);
		return prl__job_failed(PJOC_VM_CLONE, vm ? PRL_ERR_INVALID_ARG : prl__bad_handle());
	}
	if (uuid)
		return vm_call(hVm, PJOC_VM_CLONE,
			       ARGS(STR("name", name), STR("path", root ? root : ""),
				    U32("flags", flags), STR("uuid", uuid)));
	return vm_call(hVm, PJOC_VM_CLONE,
		       ARGS(STR("name", name), STR("path", root ? root : ""),
			    U32("flags", flags)));
}

PRL_ASYNC_METHOD(PrlVm_CloneEx)(PRL_HANDLE hVm, PRL_CONST_STR new_vm_name,
				PRL_CONST_STR new_vm_root_path, PRL_UINT32 nFlags)
{
	return clone_vm(hVm, new_vm_name, NULL, new_vm_root_path, nFlags);
}

PRL_ASYNC_METHOD(PrlVm_Clone)(PRL_HANDLE hVm, PRL_CONST_STR new_vm_name,
			      PRL_CONST_STR new_vm_root_path, PRL_BOOL bCreateTemplate)
{
	return clone_vm(hVm, new_vm_name, NULL, new_vm_root_path,
			bCreateTemplate ? PCVF_CLONE_TO_TEMPLATE : 0);
}

PRL_ASYNC_METHOD(PrlVm_CloneWithUuid)(PRL_HANDLE hVm, PRL_CONST_STR new_vm_name,
				      PRL_CONST_STR new_vm_uuid, PRL_CONST_STR new_vm_root_path,
				      PRL_UINT32 nFlags)
{
	return clone_vm(hVm, new_vm_name, new_vm_uuid && *new_vm_uuid ? new_vm_uuid : NULL,
			new_vm_root_path, nFlags);
}


PRL_ASYNC_METHOD(PrlVm_Delete)(PRL_HANDLE hVm, PRL_HANDLE hDevicesList)
{
	prl__auto prl__vm *vm = prl__vm_get(hVm);
	if (!vm)
		return prl__job_failed(PJOC_VM_DELETE, prl__bad_handle());
	prl__req r;
	prl__req_init(&r, PJOC_VM_DELETE);
	if (hDevicesList == PRL_INVALID_HANDLE)
		return vm_send(vm, PJOC_VM_DELETE, &r);
	Prl__StringList files = PRL__STRING_LIST__INIT;
	PRL_RESULT rc = prl__strlist_to_wire(hDevicesList, &files);
	Prl__Value v = PRL__VALUE__INIT;
	v.v_case = PRL__VALUE__V_STRINGS;
	v.strings = &files;
	PRL_HANDLE h;
	if (PRL_SUCCEEDED(rc) && prl__req_add_value(&r, "files", &v))
		rc = PRL_ERR_OUT_OF_MEMORY;
	if (PRL_FAILED(rc)) {
		prl__req_clear(&r);
		h = prl__job_failed(PJOC_VM_DELETE, rc);
	} else {
		h = vm_send(vm, PJOC_VM_DELETE, &r);
	}
	prl__wire_strings_clear(&files);
	return h;
}

/* ---- editing ----------------------------------------------------------------------- */

PRL_ASYNC_METHOD(PrlVm_BeginEdit)(PRL_HANDLE hVm)
{
	return vm_call(hVm, PJOC_VM_BEGIN_EDIT, NO_ARGS);
}

PRL_ASYNC_METHOD(PrlVm_CommitEx)(PRL_HANDLE hVm, PRL_UINT32 nFlags)
{
	return vm_call_with_config(hVm, PJOC_VM_COMMIT, ARGS(U32("flags", nFlags)));
}

PRL_ASYNC_METHOD(PrlVm_Commit)(PRL_HANDLE hVm)
{
	return PrlVm_CommitEx(hVm, 0);
}

PRL_ASYNC_METHOD(PrlVm_RefreshConfigEx)(PRL_HANDLE hVm, PRL_UINT32 nFlags)
{
	return vm_call(hVm, PJOC_VM_REFRESH_CONFIG, ARGS(U32("flags", nFlags)));
}

PRL_ASYNC_METHOD(PrlVm_RefreshConfig)(PRL_HANDLE hVm)
{
	return PrlVm_RefreshConfigEx(hVm, 0);
}

PRL_METHOD(PrlVm_GetConfig)(PRL_HANDLE hVm, PRL_HANDLE_PTR phVmCfg)
{
	PRL__OBJ(vm, prl__vm, hVm, PHT_VIRTUAL_MACHINE);
	PRL__CHECK_ARG(phVmCfg);
	*phVmCfg = prl__give(&vm->base);
	return PRL_ERR_SUCCESS;
}

/* ---- statistics -------------------------------------------------------------------- */

PRL_ASYNC_METHOD(PrlVm_GetStatisticsEx)(PRL_HANDLE hVm, PRL_UINT32 nFlags)
{
	return vm_call(hVm, PJOC_VM_GET_STATISTICS, ARGS(U32("flags", nFlags)));
}

PRL_ASYNC_METHOD(PrlVm_GetStatistics)(PRL_HANDLE hVm)
{
	return PrlVm_GetStatisticsEx(hVm, 0);
}

PRL_ASYNC_METHOD(PrlVm_SubscribeToGuestStatistics)(PRL_HANDLE hVm)
{
	return vm_call(hVm, PJOC_VM_SUBSCRIBE_TO_GUEST_STATISTICS, NO_ARGS);
}

PRL_ASYNC_METHOD(PrlVm_UnsubscribeFromGuestStatistics)(PRL_HANDLE hVm)
{
	return vm_call(hVm, PJOC_VM_UNSUBSCRIBE_FROM_GUEST_STATISTICS, NO_ARGS);
}

PRL_ASYNC_METHOD(PrlVm_SubscribeToPerfStats)(PRL_HANDLE hVm, PRL_CONST_STR sFilter)
{
	return vm_call(hVm, PJOC_VM_SUBSCRIBE_PERFSTATS,
		       ARGS(STR("filter", sFilter ? sFilter : "")));
}

PRL_ASYNC_METHOD(PrlVm_UnsubscribeFromPerfStats)(PRL_HANDLE hVm)
{
	return vm_call(hVm, PJOC_VM_UNSUBSCRIBE_PERFSTATS, NO_ARGS);
}

PRL_ASYNC_METHOD(PrlVm_GetPerfStats)(PRL_HANDLE hVm, PRL_CONST_STR sFilter)
{
	return vm_call(hVm, PJOC_VM_GET_PERFSTATS, ARGS(STR("filter", sFilter ? sFilter : "")));
}

/* ---- snapshots, guest, display, migration ------------------------------------------ */

PRL_ASYNC_METHOD(PrlVm_CreateSnapshot)(PRL_HANDLE hVm, PRL_CONST_STR sName,
				       PRL_CONST_STR sDescription)
{
	return vm_call(hVm, PJOC_VM_CREATE_SNAPSHOT,
		       ARGS(STR("name", sName ? sName : ""),
			    STR("description", sDescription ? sDescription : "")));
}

PRL_ASYNC_METHOD(PrlVm_GetSnapshotsTreeEx)(PRL_HANDLE hVm, PRL_UINT32 nFlags)
{
	return vm_call(hVm, PJOC_VM_GET_SNAPSHOTS_TREE, ARGS(U32("flags", nFlags)));
}

PRL_ASYNC_METHOD(PrlVm_SwitchToSnapshotEx)(PRL_HANDLE hVm, PRL_CONST_STR sSnapshotUuid,
					   PRL_UINT32 nFlags)
{
	return vm_call(hVm, PJOC_VM_SWITCH_TO_SNAPSHOT,
		       ARGS(STR("snapshot", sSnapshotUuid ? sSnapshotUuid : ""),
			    U32("flags", nFlags)));
}

PRL_ASYNC_METHOD(PrlVm_DeleteSnapshot)(PRL_HANDLE hVm, PRL_CONST_STR sSnapshotUuid,
				       PRL_BOOL bChild)
{
	return vm_call(hVm, PJOC_VM_DELETE_SNAPSHOT,
		       ARGS(STR("snapshot", sSnapshotUuid ? sSnapshotUuid : ""),
			    U32("child", bChild ? 1 : 0)));
}

PRL_ASYNC_METHOD(PrlVm_LoginInGuest)(PRL_HANDLE hVm, PRL_CONST_STR sUserName,
				     PRL_CONST_STR sUserPassword, PRL_UINT32 nFlags)
{
	return vm_call(hVm, PJOC_VM_LOGIN_IN_GUEST,
		       ARGS(STR("user", sUserName ? sUserName : ""),
			    STR("password", sUserPassword ? sUserPassword : ""),
			    U32("flags", nFlags)));
}

PRL_ASYNC_METHOD(PrlVm_SetUserPasswd)(PRL_HANDLE hVm, PRL_CONST_STR sUserName,
				      PRL_CONST_STR sUserPasswd, PRL_UINT32 nFlags)
{
	return vm_call(hVm, PJOC_VM_GUEST_SET_USER_PASSWD,
		       ARGS(STR("user", sUserName ? sUserName : ""),
			    STR("password", sUserPasswd ? sUserPasswd : ""),
			    U32("flags", nFlags)));
}

PRL_ASYNC_METHOD(PrlVm_Connect)(PRL_HANDLE hObj, PRL_UINT32 nFlags)
{
	return vm_call(hObj, PJOC_VM_CONNECT_TO_VM, ARGS(U32("flags", nFlags)));
}

PRL_ASYNC_METHOD(PrlVm_MigrateWithRenameEx)(PRL_HANDLE hVm, PRL_CONST_STR target_host,
					    PRL_UINT32 target_port,
					    PRL_CONST_STR target_session_id,
					    PRL_CONST_STR target_name,
					    PRL_CONST_STR target_home_path,
					    PRL_UINT32 migration_flags,
					    PRL_UINT32 reserved_flags,
					    PRL_BOOL force_operation)
{
	return vm_call(hVm, PJOC_VM_MIGRATE,
		       ARGS(STR("host", target_host ? target_host : ""),
			    U32("port", target_port),
			    STR("session", target_session_id ? target_session_id : ""),
			    STR("name", target_name ? target_name : ""),
			    STR("path", target_home_path ? target_home_path : ""),
			    U32("flags", migration_flags), U32("reserved", reserved_flags),
			    U32("force", force_operation ? 1 : 0)));
}

/* ---- per-VM event handlers ------------------------------------------------------- */

/* The VM's server and a copy of its UUID, or an error. */
static PRL_RESULT handler_owner(prl__vm *vm, char **uuid)
{
	if (!vm->server)
		return PRL_ERR_INVALID_ARG;
	pthread_mutex_lock(&vm->mu);
	*uuid = strdup(vm->cfg->uuid);
	pthread_mutex_unlock(&vm->mu);
	return *uuid ? PRL_ERR_SUCCESS : PRL_ERR_OUT_OF_MEMORY;
}

PRL_METHOD(PrlVm_RegEventHandler)(PRL_HANDLE hObj, PRL_EVENT_HANDLER_PTR handler,
				  PRL_VOID_PTR userData)
{
	PRL__OBJ(vm, prl__vm, hObj, PHT_VIRTUAL_MACHINE);
	PRL__CHECK_ARG(handler);
	char *uuid = NULL;
	PRL_RESULT rc = handler_owner(vm, &uuid);
	if (PRL_SUCCEEDED(rc) && prl__server_add_handler(vm->server, handler, userData, uuid))
		rc = PRL_ERR_OUT_OF_MEMORY;
	free(uuid);
	return rc;
}

PRL_METHOD(PrlVm_UnregEventHandler)(PRL_HANDLE hObj, PRL_EVENT_HANDLER_PTR handler,
				    PRL_VOID_PTR userData)
{
	PRL__OBJ(vm, prl__vm, hObj, PHT_VIRTUAL_MACHINE);
	PRL__CHECK_ARG(handler);
	char *uuid = NULL;
	PRL_RESULT rc = handler_owner(vm, &uuid);
	if (PRL_SUCCEEDED(rc) &&
	    prl__server_remove_handler(vm->server, handler, userData, uuid))
		rc = PRL_ERR_INVALID_ARG;
	free(uuid);
	return rc;
}
